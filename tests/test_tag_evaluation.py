"""`cchc-nlp evaluate entities`: gold loading, matching and the command."""

import json

import pytest

from cchc_nlp.cli import main
from cchc_nlp.errors import InputError
from cchc_nlp.research.entities_eval import Entity, default_gold_files, load_gold, score


def test_overlap_and_strict_matching_is_one_to_one():
    gold = [Entity("ORG", 0, 9), Entity("ORG", 20, 29, "UBND tỉnh"), Entity("DATE", 40, 48, "2020-01-02")]
    pred = [
        Entity("ORG", 0, 9),
        Entity("ORG", 2, 5),
        Entity("ORG", 20, 33, "UBND tỉnh X"),
        Entity("DATE", 40, 48, "2020-01-02"),
    ]
    counts = score(gold, pred)
    org = counts["ORG"]
    assert (org.gold, org.pred, org.overlap, org.strict) == (2, 3, 2, 1)
    assert (org.norm_total, org.norm_ok) == (1, 0)
    assert counts["DATE"].norm_accuracy() == 1.0
    assert counts["PROVINCE"].prf() == (0.0, 0.0, 0.0)


def test_gold_occurrences_are_resolved(tmp_path):
    path = tmp_path / "g.jsonl"
    doc = {
        "id": "x",
        "published": None,
        "text": "UBND tỉnh và Văn phòng UBND tỉnh; UBND tỉnh",
        "entities": [{"label": "ORG", "text": "UBND tỉnh", "n": 3}],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    (gold,) = load_gold(path)
    assert gold.text[gold.entities[0].start :] == "UBND tỉnh"
    assert gold.has_province is False


def test_bad_gold_is_one_clear_error(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps({"text": "abc", "entities": [{"label": "ORG", "text": "xyz"}]}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in the document text"):
        load_gold(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_gold(path)


def test_dev_gold_is_found_and_large_enough():
    files = default_gold_files()
    dev = next(f for f in files if f.name == "entities_dev.jsonl")
    docs = load_gold(dev)
    labels = {e.label for d in docs for e in d.entities}
    assert sum(len(d.entities) for d in docs) >= 100
    assert labels == {
        "OFFICIAL",
        "PERSON",
        "AUTHOR",
        "PROVINCE",
        "DISTRICT",
        "COMMUNE",
        "ORG",
        "DATE",
        "PERIOD",
        "LEGAL_DOC",
    }


@pytest.mark.slow
def test_evaluate_command_on_the_dev_gold(capsys):
    dev = next(f for f in default_gold_files() if f.name == "entities_dev.jsonl")
    assert main(["evaluate", "entities", "--gold", str(dev), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    ours, theirs = report["cchc_nlp"], report["underthesea"]
    for label in ("OFFICIAL", "PROVINCE"):
        assert ours[label]["f1"] >= 0.95
    for label in ("ORG", "DATE"):
        assert ours[label]["f1"] >= 0.90
        assert ours[label]["f1"] - theirs.get(label, {"f1": 0.0})["f1"] >= 0.4
    assert ours["PROVINCE"]["f1"] - theirs["PROVINCE"]["f1"] >= 0.4


def test_missing_gold_file_is_a_usage_error(capsys, tmp_path):
    assert main(["evaluate", "entities", "--gold", str(tmp_path / "none.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err
