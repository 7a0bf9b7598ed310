"""The province x period panel, province and metric selection, near-duplicates: on the bundled
samples and on articles written for these tests (invented figures)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cchc_nlp.dataset import Dataset, extract
from cchc_nlp.dataset.dedup import dup_groups, signature
from cchc_nlp.dataset.panel import caveat_lines
from cchc_nlp.errors import InputError

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"

STORY = (
    "Hậu Giang: quý I/2023 tiếp nhận hơn 21 nghìn hồ sơ\n\n"
    "Quý I/2023, Trung tâm Phục vụ hành chính công tỉnh tiếp nhận 21.346 hồ sơ, giải quyết đúng hạn 21.102 hồ "
    "sơ, đạt 98,86%. Tỷ lệ hồ sơ nộp trực tuyến đạt 64,3%, tăng so với quý trước.\n\n"
    "Riêng Sở Tư pháp tiếp nhận 1.208 hồ sơ; Công an tỉnh tiếp nhận 3.417 hồ sơ.\n\n"
    "Phó Chủ tịch UBND tỉnh Trần Minh Khoa đề nghị các sở, ngành tiếp tục rà soát quy trình nội bộ, công khai "
    "đầy đủ thủ tục trên Cổng Dịch vụ công và xử lý dứt điểm các hồ sơ còn chậm."
)
COPIES = [
    STORY,
    "Tin tức\n\n" + STORY,
    STORY + "\n\nNguồn: Cổng thông tin điện tử tỉnh",
    STORY.replace("Phó Chủ tịch UBND tỉnh", "Phó Chủ tịch Ủy ban nhân dân tỉnh"),
    STORY + "\n\nTheo Báo Hậu Giang",
]
RANKING = (
    "Công bố Chỉ số CCHC năm 2022\n\n"
    "Theo kết quả Chỉ số CCHC năm 2022 do Bộ Nội vụ công bố, Sóc Trăng đạt 81,05%, xếp thứ 50/63; Hậu Giang "
    "đạt 84,21%, xếp thứ 33/63."
)
PROGRAMME = (
    "Bạc Liêu đẩy mạnh đơn giản hóa thủ tục\n\n"
    "Thực hiện Chương trình tổng thể CCHC giai đoạn 2011 - 2020, tỉnh Bạc Liêu đã đơn giản hóa 412/980 thủ tục "
    "hành chính."
)


@pytest.fixture(scope="module")
def ds(tmp_path_factory) -> Dataset:
    folder = tmp_path_factory.mktemp("panel")
    records = [
        {"url": f"https://site{i}.example.vn/tin/{i}", "text": text, "published": "2023-04-12", "province": "Hậu Giang"}
        for i, text in enumerate(COPIES)
    ]
    records.append({"url": "https://news.example.vn/par-2022", "text": RANKING, "published": "2023-05-20"})
    records.append({"url": "https://baclieu.example.vn/tthc", "text": PROGRAMME, "published": "2016-08-12"})
    corpus = folder / "written.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    chosen = [
        SAMPLES / "05_langson_chi_so_cchc_2017.txt",
        SAMPLES / "08_kontum_kiem_tra_van_phong_ubnd_2020.html",
        SAMPLES / "09_bariavungtau_chi_so_cchc_2022.html",
    ]
    return extract([*chosen, corpus], out=folder / "out", jobs=1)


def cell(table: pd.DataFrame, province: str, period: str) -> float:
    return table.xs(province, level="province")[period].item()


def test_the_province_s_own_figures_on_the_samples(ds):
    par = ds.wide("index.par.score")
    assert cell(par, "Bà Rịa - Vũng Tàu", "2022") == 85.73  # not Sở Tư pháp's 92.14
    assert cell(par, "Lạng Sơn", "2017") == 74.19  # not huyện Bắc Sơn's 68.04
    received = ds.wide("dossier.received")
    assert cell(received, "Kon Tum", "2020") == 9874  # the province's one-stop centre, not one agency's 215
    # the rows name the province's code and its 2025 successor
    assert ("Kon Tum", "62", "Quảng Ngãi") in received.index


def test_panel_rows_carry_evidence_codes_and_counts(ds):
    panel = ds.panel("index.par.score", province="Ba Ria - Vung Tau")
    (row,) = panel.to_dict("records")
    assert (row["province_code"], row["province_2025"], row["province_2025_code"]) == ("77", "Hồ Chí Minh", "79")
    assert row["period"] == "2022" and row["value"] == 85.73 and "85,73" in row["sentence"]
    assert row["doc_id"] in set(ds.articles["doc_id"]) and row["n_candidates"] >= 1
    caveats = caveat_lines(panel.attrs["caveats"])
    assert any("not the province's own figure" in line for line in caveats)


def test_every_table_names_the_province_code_and_its_2025_successor(ds, tmp_path):
    codes = ["province_code", "province_2025", "province_2025_code"]
    kontum = ("62", "Quảng Ngãi", "51")
    articles = ds.articles.set_index("province")
    assert tuple(articles.loc["Kon Tum", codes]) == kontum
    metrics = ds.metrics[ds.metrics["province"].eq("Kon Tum")]
    assert len(metrics) and {tuple(r) for r in metrics[codes].itertuples(index=False)} == {kontum}
    assert tuple(ds.panel("dossier.received", province="Kon Tum").iloc[0][codes]) == kontum
    entities = ds.entities
    # an agency or official of the province, and the province named (PROVINCE: the one it names)
    agencies = entities[entities["province"].eq("Kon Tum")]
    assert len(agencies) and {tuple(r) for r in agencies[codes].itertuples(index=False)} == {kontum}
    named = entities[entities["label"].eq("PROVINCE") & entities["name"].eq("Bà Rịa - Vũng Tàu")]
    assert len(named) and set(named["province_2025"]) == set(named["successor"]) == {"Hồ Chí Minh"}
    assert set(named["province_2025_code"]) == {"79"}
    officials = entities[entities["label"].eq("OFFICIAL") & entities["province"].notna()]
    assert officials["province_code"].notna().all() and officials["province_2025"].notna().all()
    # a dataset written before entities had the 2025 columns gets them on loading
    old = tmp_path / "old"
    shutil.copytree(ds.path, old)
    table = pd.read_parquet(old / "entities.parquet").drop(columns=["province_2025", "province_2025_code"])
    table.to_parquet(old / "entities.parquet")
    again = Dataset.load(old).entities
    assert again[codes].fillna("").equals(entities[codes].fillna(""))
    ds.to_stata(tmp_path / "stata")
    for name in ("articles", "metrics", "panel", "entities"):
        assert set(codes) <= set(pd.read_stata(tmp_path / "stata" / f"{name}.dta").columns), name


def test_five_copies_form_one_group_counted_once(ds):
    copies = ds.articles[ds.articles["url"].str.contains("site")]
    assert len(copies) == 5 and copies["dup_group"].nunique() == 1
    others = ds.articles[~ds.articles["url"].str.contains("site")]
    assert others["dup_group"].nunique() == len(others)
    panel = ds.panel("dossier.received", province="Hậu Giang")
    assert panel[["period", "value"]].values.tolist() == [["2023", 21346.0]]
    candidates = ds.panel("dossier.received", province="Hậu Giang", candidates=True)
    # the body's figure and the headline's "hơn 21 nghìn", of one copy only
    assert candidates["doc_id"].nunique() == 1 and sorted(candidates["value"]) == [21000, 21346]
    summed = ds.wide("dossier.received", agg="sum")
    assert cell(summed, "Hậu Giang", "2023") == 21346
    rows = ds.metrics_by(province="Hau Giang", metric="dossier.received", dedup=True)
    assert rows["value"].tolist().count(21346) == 1


def test_a_ranking_list_attributes_each_province_its_figure(ds):
    par = ds.panel("index.par.rank", province=["Sóc Trăng", "Hậu Giang"])
    # the article's province (the first named) keeps its own figure; the other is a ranking entry
    assert par[["province", "period", "value"]].values.tolist() == [
        ["Hậu Giang", "2022", 33.0],
        ["Sóc Trăng", "2022", 50.0],
    ]
    assert par.set_index("province").loc["Hậu Giang", "scope"] == "ranking"
    # the 2025 successor filter: Sóc Trăng and Hậu Giang are both part of Cần Thơ now
    assert len(ds.panel("index.par.rank", province_2025="Can Tho")) == 2


def test_an_achievement_is_never_placed_after_its_publication(ds):
    panel = ds.panel("tthc.simplified", province="Bạc Liêu")
    assert "2020" not in set(panel["period"])


def test_unknown_names_and_keys_are_one_clear_error(ds):
    with pytest.raises(InputError, match="unknown province 'Sóc Trăg'; did you mean 'Sóc Trăng'"):
        ds.metrics_by(province="Sóc Trăg")
    with pytest.raises(
        InputError, match="metric pattern 'dosier.\\*' matches no metric key; did you mean 'dossier.\\*'"
    ):
        ds.metrics_by(metric="dosier.*")
    with pytest.raises(InputError, match="value must be one of"):
        ds.wide("index.par.score", value="shares")
    with pytest.raises(InputError, match="wide needs one metric key"):
        ds.wide("index.*")
    for empty in (None, []):
        with pytest.raises(InputError, match="give a metric key or pattern"):
            ds.panel(empty)
    assert len(ds.metrics_by(province="94")) == len(ds.metrics_by(province="Soc Trang")) > 0


def test_wide_follows_the_34_provinces_across_the_merger(ds):
    table = ds.wide("index.par.rank", by="province_2025", agg="max")
    assert table.index.names == ["province_2025", "province_2025_code"]
    # Cần Thơ took in Sóc Trăng, Hậu Giang and Cần Thơ: without a figure of Cần Thơ the cell stays empty
    assert ("Cần Thơ", "92") not in table.index or table.loc[("Cần Thơ", "92")].isna().all()
    assert table.attrs["combined"] == "max" and table.attrs["caveats"]["incomplete"] >= 1
    with pytest.raises(InputError, match="not a count"):
        ds.wide("index.par.rank", by="province_2025")
    counts = ds.wide("dossier.received", by="province_2025")
    # Kon Tum's figure alone is not Quảng Ngãi's
    assert ("Quảng Ngãi", "51") not in counts.index or counts.loc[("Quảng Ngãi", "51")].isna().all()


def test_successor_cells_add_up_the_merged_provinces():
    from cchc_nlp.dataset.panel import successor_cells

    def row(province, code, period, value, start):
        return {
            "province": province,
            "province_code": code,
            "province_2025": "Cần Thơ",
            "province_2025_code": "92",
            "period": period,
            "value": value,
            "period_start": pd.Timestamp(start),
            "unit": "count",
        }

    panel = pd.DataFrame(
        [
            row("Sóc Trăng", "94", "2023", 100, "2023-01-01"),
            row("Hậu Giang", "93", "2023", 50, "2023-01-01"),
            row("Cần Thơ", "92", "2023", 200, "2023-01-01"),
            row("Sóc Trăng", "94", "2024", 110, "2024-01-01"),
            row("Cần Thơ", "92", "2025", 300, "2025-07-01"),  # the new Cần Thơ, July to December
        ]
    )
    cells = successor_cells(panel).set_index("period")
    assert cells.loc["2023", "value"] == 350 and cells.loc["2023", "complete"]
    assert np.isnan(cells.loc["2024", "value"]) and not cells.loc["2024", "complete"]
    assert cells.loc["2025", "value"] == 300


# --- near-duplicates, without the pipeline -------------------------------------------


def test_signatures_are_stable_and_estimate_similarity():
    a, b = signature(STORY), signature(STORY + " Nguồn: báo tỉnh.")
    assert a.dtype == np.uint32 and a.shape == (128,)
    assert (signature(STORY) == a).all()
    assert (a == b).mean() > 0.8
    assert (a == signature(RANKING)).mean() < 0.2


def test_groups_follow_publication_order_and_keep_distinct_texts_apart():
    ids = ["late", "early", "other", "empty"]
    groups = dup_groups(ids, [STORY, STORY, RANKING, ""], order=["2023-05-01", "2023-04-01", None, None])
    assert groups == {"late": "early", "early": "early", "other": "other", "empty": "empty"}


def test_grouping_a_few_thousand_texts_is_quick():
    rng = np.random.default_rng(7)
    words = STORY.split() + RANKING.split() + PROGRAMME.split()
    texts = [" ".join(rng.choice(words, 120)) for _ in range(2000)]
    texts += texts[:20]  # 20 exact copies
    groups = dup_groups([str(i) for i in range(len(texts))], texts)
    assert len(set(groups.values())) == 2000


# --- the panel's own evaluation ----------------------------------------------------------


def test_a_bad_gold_panel_line_is_one_clear_error(tmp_path):
    from cchc_nlp.errors import DataError
    from cchc_nlp.research.panel_eval import load_panel_gold

    bad = tmp_path / "panel_bad.jsonl"
    bad.write_text('{"id": "x", "documents": [], "metrics": {}}\n', encoding="utf-8")
    with pytest.raises(DataError, match="panel_bad.jsonl:1: a panel set needs cells"):
        load_panel_gold(bad)
    bad.write_text(
        '{"id": "x", "documents": [], "metrics": {"index.par.score": {}}, '
        '"cells": [{"metric": "index.par.score", "province": "Atlantis", "period": "2020", "value": 1}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="unknown province"):
        load_panel_gold(bad)


@pytest.mark.slow
def test_evaluate_panel_on_the_gold_panels(capsys):
    from cchc_nlp import cli

    assert cli.main(["evaluate", "panel", "--json"]) == 0
    scores = {s["set"]: s for s in json.loads(capsys.readouterr().out)}
    assert scores["panel-samples"]["cell_accuracy"] >= 0.95  # the ten bundled samples
    assert scores["panel-samples"]["precision"] == 1.0  # no cell holds another unit's figure
    assert scores["all"]["cell_accuracy"] >= 0.95 and scores["all"]["precision"] >= 0.95


# --- exports for Stata and R ----------------------------------------------------------------


def test_stata_export_keeps_unicode_labels_and_types(ds, tmp_path):
    written = ds.to_stata(tmp_path / "stata")
    assert {p.name for p in written} >= {"articles.dta", "metrics.dta", "panel.dta", "codebook.md", "codebook.csv"}
    reader = pd.io.stata.StataReader(tmp_path / "stata" / "panel.dta")
    panel = reader.read()
    labels = reader.variable_labels()
    assert isinstance(panel["province"].dtype, pd.CategoricalDtype)
    assert "Bà Rịa - Vũng Tàu" in set(panel["province"]) and "Hồ Chí Minh" in set(panel["province_2025"])
    assert labels["conflict"] and all(len(text) <= 80 for text in labels.values())
    articles = pd.read_stata(tmp_path / "stata" / "articles.dta")
    kontum = articles[articles["province"] == "Kon Tum"].iloc[0]
    assert kontum["published_precision"] == "day" and kontum["published"] == pd.Timestamp("2020-09-30")
    metrics = pd.read_stata(tmp_path / "stata" / "metrics.dta")
    assert {"start_offset", "end_offset", "scope", "province_2025_code"} <= set(metrics.columns)  # "end" is reserved
    assert set(metrics["is_target"].dropna()) <= {0, 1}
    codebook = (tmp_path / "stata" / "codebook.md").read_text(encoding="utf-8")
    assert "| published | datetime (Vietnam time) |" in codebook and "## panel" in codebook
    # a text column with no value at all stays text (a numeric `url` would stop a later Stata append)
    urls = pd.Series(None, index=ds.articles.index, dtype=ds.articles["url"].dtype)  # as loaded: text, all missing
    no_urls = Dataset(ds.articles.assign(url=urls), ds.entities, ds.metrics, ds.errors)
    no_urls.to_stata(tmp_path / "no_urls")
    for name in ("panel", "articles"):
        assert not pd.api.types.is_numeric_dtype(pd.read_stata(tmp_path / "no_urls" / f"{name}.dta")["url"]), name


def test_r_export_is_csv_with_a_typed_loader(ds, tmp_path):
    from cchc_nlp import cli

    assert cli.main(["export", str(ds.path), "--format", "r", "--out", str(tmp_path / "r")]) == 0
    articles = pd.read_csv(tmp_path / "r" / "articles.csv")
    assert articles["published"].str.endswith("+07:00").all()
    script = (tmp_path / "r" / "load.R").read_text(encoding="utf-8")
    assert 'tz = "Asia/Ho_Chi_Minh"' in script and '"province" = c("Hà Nội", "Hà Giang"' in script
    with pytest.raises(SystemExit) as exit_info:  # argparse: a usage error
        cli.main(["export", str(ds.path), "--format", "spss"])
    assert exit_info.value.code == 2
