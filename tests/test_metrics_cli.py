"""`cchc-nlp evaluate metrics` scoring and `cchc-nlp analyze`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_nlp.cli import main
from cchc_nlp.errors import DataError
from cchc_nlp.research.metrics_eval import evaluate, full_row_match, load_gold, match_rows, split_of

GOLD_DEV = Path(__file__).parent / "gold" / "metrics_dev.jsonl"


def row(metric, value, **kw):
    base = {
        "metric": metric,
        "value": value,
        "unit": "count",
        "denominator": None,
        "share": None,
        "is_target": False,
        "period_start": None,
        "period_end": None,
        "confidence": 0.9,
        "sentence": "",
    }
    base.update(kw)
    return base


def test_matching_is_one_to_one_and_prefers_full_rows():
    gold = [row("dossier.received", 10, period_start="2020-01-01"), row("dossier.received", 10)]
    pred = [row("dossier.received", 10.0), row("dossier.received", 10, period_start="2020-01-01"), row("tthc.new", 3)]
    pairs = match_rows(gold, pred)
    assert pairs == [(0, 1), (1, 0)]
    assert full_row_match(gold[0], pred[1]) and not full_row_match(gold[0], pred[0])


def test_scores_count_precision_recall_period_and_unscored_keys():
    docs = [
        {
            "id": "a",
            "published": None,
            "text": "x",
            "metrics": [
                row("dossier.received", 10, period_start="2020-01-01", period_end="2020-12-31"),
                row("dossier.resolved", 8),
            ],
        }
    ]
    predictions = [
        row("dossier.received", 10, period_start="2020-01-01", period_end="2020-06-30"),
        row("dossier.pending", 2),
        row("dossier.to_process", 12),
    ]
    vocabulary = frozenset({"dossier.received", "dossier.resolved", "dossier.pending"})
    scores = evaluate(docs, "dev", vocabulary, extractor=lambda text, published=None: predictions, keep_errors=True)
    assert (scores.gold_rows, scores.predicted_rows, scores.unscored_rows, scores.matched) == (2, 2, 1, 1)
    assert scores.value_prf == (0.5, 0.5, 0.5)
    assert scores.full_matched == 0 and scores.period_accuracy == 0.0
    assert any("MISS dossier.resolved=8" in e for e in scores.errors)
    assert any("FALSE dossier.pending=2" in e for e in scores.errors)


def test_split_names_and_bad_gold(tmp_path):
    assert split_of(Path("x/metrics_dev.jsonl")) == "dev"
    assert split_of(Path("metrics_heldout.jsonl")) == "heldout"
    assert split_of(Path("mine.jsonl")) == "custom"
    bad = tmp_path / "bad_dev.jsonl"
    bad.write_text('{"text": "a", "metrics": [{"metric": "tthc.new"}]}\n', encoding="utf-8")
    with pytest.raises(DataError, match="lacks value, unit"):
        load_gold(bad)


def test_dev_gold_is_well_formed():
    docs = load_gold(GOLD_DEV)
    rows = [r for d in docs for r in d["metrics"]]
    assert len(rows) >= 170
    from collections import Counter

    from cchc_nlp.metrics.lexicon import lexicon

    counts = Counter(r["metric"] for r in rows)
    assert all(counts[key] >= 3 for key in lexicon().core_keys), {
        k: counts[k] for k in lexicon().core_keys if counts[k] < 3
    }
    for d in docs:
        for r in d["metrics"]:
            assert r["metric"] in lexicon().keys
            assert r["unit"] in ("count", "percent", "score", "rank")


def test_evaluate_cli_on_dev_split(capsys):
    assert main(["evaluate", "metrics", "--split", "dev", "--gold", str(GOLD_DEV), "--json"]) == 0
    (scores,) = json.loads(capsys.readouterr().out)
    assert scores["split"] == "dev" and scores["gold_rows"] >= 170
    # a regression guard on the set the rules were written from
    assert scores["metric_value"]["f1"] >= 0.97 and scores["period_accuracy"] >= 0.95


def test_evaluate_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["evaluate", "metrics", "--gold", str(tmp_path / "none_dev.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


@pytest.mark.slow
def test_analyze_prints_entities_and_metrics(tmp_path, capsys):
    page = tmp_path / "bai.txt"
    page.write_text(
        "Thứ Hai, 05/07/2021 08:15\n\n"
        "Sơ kết cải cách hành chính 6 tháng đầu năm 2021\n\n"
        "Sáng ngày 2/7, Sở Nội vụ tỉnh Vĩnh Long tổ chức hội nghị sơ kết. 6 tháng đầu năm 2021, "
        "toàn tỉnh tiếp nhận 85.240 hồ sơ, đã giải quyết 83.918 hồ sơ, đạt 98,45%.\n\nT.H\n",
        encoding="utf-8",
    )
    assert main(["analyze", str(page)]) == 0
    out = capsys.readouterr().out
    assert "published: 2021-07-05" in out and "METRICS (2)" in out
    assert "dossier.received" in out and "2021-01-01..2021-06-30" in out
    assert main(["analyze", str(page), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(m["metric"], m["value"], m["share"]) for m in result["metrics"]] == [
        ("dossier.received", 85240, None),
        ("dossier.resolved", 83918, 98.45),
    ]
    assert any(e["label"] == "PROVINCE" for e in result["entities"])
    assert main(["analyze", str(tmp_path / "missing.txt")]) == 2


def test_errors_are_counted_by_cause():
    text = "Có 5 nhóm giải pháp: (1) a; (2) b. Tỉnh đạt 80,5 điểm, tăng 2,1 điểm; 12 đơn vị trên 90%."
    docs = [
        {
            "id": "x",
            "text": text,
            "causes": ["list_marker", "change"],
            "metrics": [row("index.par.score", 80.5, unit="score"), row("dossier.received", 7)],
        }
    ]
    predictions = [
        row("index.par.score", 80.5, unit="score"),
        row("index.par.score", 1, unit="score", start=text.index("1)"), end=text.index("1)") + 1),
        row("index.par.score", 2.1, unit="score", start=text.index("2,1"), end=text.index("2,1") + 3),
        row("dossier.online", 90, unit="percent", qualifier="lower_bound"),
        row("dossier.to_process", 7),
        row("tthc.total", 12),
    ]
    vocabulary = frozenset(
        {"index.par.score", "dossier.received", "dossier.online", "dossier.to_process", "tthc.total"}
    )
    scores = evaluate(docs, "dev", vocabulary, extractor=lambda text, published=None: predictions)
    errors = scores.as_dict()["errors_by_cause"]
    assert errors["wrong_key"] == 1 and errors["missed"] == 0
    fp = errors["false_positives"]
    assert (fp["list_marker"], fp["change"], fp["threshold"], fp["count"]) == (1, 1, 1, 1)
    assert errors["document_causes"]["change"] == {"documents": 1, "false_positives": 4, "wrong_key": 1, "missed": 0}


def test_gold_sets_by_file_name():
    from cchc_nlp.research.gold import gold_dir
    from cchc_nlp.research.metrics_eval import GOLD_SETS, gold_set_of

    labels = ["dev", "dev2", "dev3", "dev3s", "heldout", "heldout2", "heldout3", "contrast"]
    assert [g.label for g in GOLD_SETS] == labels
    assert all((gold_dir() / g.file).is_file() for g in GOLD_SETS)
    assert gold_set_of(Path("x/metrics_round2_heldout.jsonl")).core_only
    assert gold_set_of(Path("metrics_round2_dev.jsonl")).label == "dev2"
    mine = gold_set_of(Path("mine_dev.jsonl"))
    assert (mine.label, mine.split, mine.core_only) == ("mine_dev", "dev", False)


def test_new_gold_files_are_discovered(tmp_path):
    from cchc_nlp.research.metrics_eval import discover_gold_sets

    for name in (
        "metrics_dev.jsonl",
        "metrics_round9_dev.jsonl",
        "metrics_round9_heldout.jsonl",
        "metrics_notes.jsonl",
    ):
        (tmp_path / name).write_text("", encoding="utf-8")
    found = [(g.label, g.split) for g, _ in discover_gold_sets(tmp_path)]
    assert found == [("dev", "dev"), ("metrics_round9_dev", "dev"), ("metrics_round9_heldout", "heldout")]
    assert discover_gold_sets(tmp_path / "missing") == []
