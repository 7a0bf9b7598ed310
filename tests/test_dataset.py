"""Tables, extraction to a dataset, resuming, and the Dataset helpers."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pyarrow as pa
import pytest
from extract_corpus import Sample, build_corpus, fake_pipeline

from cchc_nlp.dataset import Dataset, extract, parts, worker
from cchc_nlp.dataset.run import run_extract
from cchc_nlp.dataset.tables import DATA_DICTIONARY, SCHEMAS, data_dictionary_markdown, entity_rows, metric_rows
from cchc_nlp.errors import DataError, InputError
from cchc_nlp.records import METRIC_COLUMNS
from cchc_nlp.timeutil import iso_datetime

TABLES = ("articles", "entities", "metrics", "errors")


@pytest.fixture
def fake_nlp(monkeypatch):
    """Run in-process with a stand-in tagger, so entity and metric rows exist."""
    monkeypatch.setattr(worker, "_NLP", fake_pipeline())


def _equal(a: Dataset, b: Dataset) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_dtype=True)


# --- rows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, expected",
    [
        ("2018-07-04T21:47:04+07:00", "2018-07-04T21:47:04+07:00"),
        ("2018-07-04 21:47:04", "2018-07-04T21:47:04+07:00"),
        ("2018-07-04T14:47:04Z", "2018-07-04T21:47:04+07:00"),
        ("2018-07-04T16:47:04+02:00", "2018-07-04T21:47:04+07:00"),
        ("2018-07-04", "2018-07-04"),
        (dt.datetime(2018, 7, 4, 21, 47), "2018-07-04T21:47:00+07:00"),
        (dt.date(2018, 7, 4), "2018-07-04"),
        (None, None),
        ("", None),
    ],
)
def test_iso_datetime(given, expected):
    assert iso_datetime(given) == expected


def test_iso_published_rejects_non_dates():
    with pytest.raises(ValueError):
        iso_datetime("04/07/2018")


def test_entity_rows_flatten_attrs_into_typed_columns():
    records = [
        {
            "label": "OFFICIAL",
            "text": "Lê Văn A",
            "start": 3,
            "end": 11,
            "norm": "Lê Văn A",
            "attrs": {
                "name": "Lê Văn A",
                "titles": ["Giám đốc Sở Nội vụ", "Ủy viên"],
                "honorific": "ông",
                "org": "Sở Nội vụ",
                "person_id": "p1",
                "rank": 2,
            },
        },
        {
            "label": "PERIOD",
            "text": "năm 2016",
            "start": 20,
            "end": 28,
            "norm": "2016-01-01..2016-12-31",
            "attrs": {"period_start": "2016-01-01", "period_end": "2016-12-31"},
        },
        {
            "label": "LEGAL_DOC",
            "text": "Quyết định số 9",
            "start": 30,
            "end": 45,
            "norm": "9",
            "attrs": {
                "doc_type": "Quyết định",
                "doc_number": "9",
                "doc_date": "hôm qua",
                "titles": "Chủ tịch",
                "org": {"a": 1},
            },
        },
    ]
    official, period, legal = entity_rows("d1", records)
    assert (
        official["titles"] == ["Giám đốc Sở Nội vụ", "Ủy viên"]
        and official["honorific"] == "ông"
        and official["person_id"] == "p1"
    )
    assert official["orgs"] == ["Sở Nội vụ"]  # "org" is an alias of the orgs column
    assert json.loads(official["attrs_json"]) == {"rank": 2}  # not a string: kept as it is
    assert (
        period["period_start"] == dt.date(2016, 1, 1)
        and period["period_end"] == dt.date(2016, 12, 31)
        and period["attrs_json"] is None
    )
    # a value that does not fit its column is kept, in attrs_json; a lone title becomes a list
    assert legal["doc_date"] is None and legal["orgs"] is None and legal["titles"] == ["Chủ tịch"]
    assert json.loads(legal["attrs_json"]) == {"doc_date": "hôm qua", "org": {"a": 1}}
    table = pa.Table.from_pylist([official, period, legal], schema=SCHEMAS["entities"])
    assert table.num_rows == 3


def test_entity_attr_aliases_of_the_taggers():
    records = [
        {
            "label": "PERIOD",
            "text": "6 tháng đầu năm 2019",
            "start": 0,
            "end": 20,
            "norm": None,
            "attrs": {"start": "2019-01-01", "end": "2019-06-30", "kind": "half_year", "anchor": "2019-07-09"},
        },
        {
            "label": "LEGAL_DOC",
            "text": "Kế hoạch số 158/KH-UBND",
            "start": 0,
            "end": 23,
            "norm": "158/KH-UBND",
            "attrs": {
                "doc_type": "Kế hoạch",
                "number": "158/KH-UBND",
                "code": "KH",
                "date": "2018-12-27",
                "issuer": "UBND",
            },
        },
        {
            "label": "PROVINCE",
            "text": "tỉnh Vĩnh Long",
            "start": 0,
            "end": 14,
            "norm": "Vĩnh Long",
            "attrs": {"name": "Vĩnh Long", "code": "86", "successor": "Vĩnh Long", "historical": False, "unit": "tỉnh"},
        },
    ]
    period, legal, province = entity_rows("d1", records)
    assert (period["period_start"], period["period_end"], period["kind"]) == (
        dt.date(2019, 1, 1),
        dt.date(2019, 6, 30),
        "half_year",
    )
    assert json.loads(period["attrs_json"]) == {"anchor": "2019-07-09"}
    assert (legal["doc_number"], legal["doc_date"], legal["issuer"]) == ("158/KH-UBND", dt.date(2018, 12, 27), "UBND")
    assert json.loads(legal["attrs_json"]) == {"code": "KH"}  # a document code is not a province code
    assert (province["province_code"], province["historical"], province["unit"], province["attrs_json"]) == (
        "86",
        False,
        "tỉnh",
        None,
    )


def test_metric_rows_follow_metric_columns_and_note_bad_values():
    record = {
        "metric": "dossier.received",
        "value": 7182,
        "unit": "count",
        "denominator": None,
        "share": None,
        "qualifier": "exact",
        "is_target": False,
        "period_start": "2020-01-01",
        "period_end": "2020-08-18",
        "period_label": "8 tháng",
        "scope_level": "tỉnh",
        "subject": None,
        "province": "Hà Nam",
        "start": 10,
        "end": 15,
        "sentence": "…",
        "confidence": 0.8,
        "warnings": ["share_mismatch"],
    }
    (row,) = metric_rows("d1", [record])
    assert list(row) == list(METRIC_COLUMNS)
    assert row["doc_id"] == "d1" and row["value"] == 7182.0 and row["period_end"] == dt.date(2020, 8, 18)
    assert row["warnings"] == ["share_mismatch"]
    (bad,) = metric_rows("d1", [record | {"value": "nhiều", "period_start": "Q1", "warnings": None}])
    assert bad["value"] is None and bad["period_start"] is None
    assert len(bad["warnings"]) == 2 and all(w.startswith("dataset:") for w in bad["warnings"])


def test_data_dictionary_documents_every_column():
    assert tuple(DATA_DICTIONARY["metrics"]) == METRIC_COLUMNS
    markdown = data_dictionary_markdown()
    for table, columns in DATA_DICTIONARY.items():
        assert f"### {table}" in markdown
        for name in columns:
            assert f"| {name} |" in markdown


# --- extraction --------------------------------------------------------------------


def test_extract_in_memory_gives_consistent_tables(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=4)
    ds = extract(corpus.root)
    assert ds.path is None
    for table in TABLES:
        assert list(getattr(ds, table).columns) == SCHEMAS[table].names
    articles = ds.articles
    assert set(articles["path"]) == corpus.good and len(ds.errors) == 0
    assert articles["doc_id"].is_unique
    # every offset refers to the article text
    text = articles.set_index("doc_id")["text"]
    for frame in (ds.entities, ds.metrics):
        assert set(frame["doc_id"]) <= set(articles["doc_id"])
    for row in ds.entities.itertuples():
        assert text[row.doc_id][row.start : row.end] == row.text
    for row in ds.metrics.itertuples():
        assert text[row.doc_id][row.start : row.end].replace(".", "") == str(int(row.value))
    counts = ds.entities.groupby("doc_id").size()
    assert (
        articles.set_index("doc_id")["n_entities"] == counts.reindex(articles["doc_id"]).fillna(0).astype(int).values
    ).all()
    officials = ds.entities[ds.entities["label"] == "OFFICIAL"]
    assert len(officials) == len(articles)
    assert (
        officials["titles"]
        .map(lambda t: list(t) in (["Chủ tịch UBND huyện"], ["Phó Chủ tịch UBND huyện"], ["Trưởng phòng Nội vụ huyện"]))
        .all()
    )
    assert officials["honorific"].isin(["ông", "bà"]).all()
    districts = ds.entities[ds.entities["label"] == "DISTRICT"]
    assert (
        districts["attrs_json"].map(json.loads).eq({"rank": 1}).all() and districts["province"].eq("Tiền Giang").all()
    )
    # the page/input province wins over the one found in the text
    jsonl = articles[articles["extractor"] == "jsonl"]
    assert (jsonl["province_source"] == "input").all() and (jsonl["text_province"] == "Tiền Giang").all()
    dumps = articles[articles["path"].str.endswith(".txt")]
    assert (dumps["province"] == "Tiền Giang").all() and (dumps["province_source"] == "text").all()
    assert articles["published"].str.match(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d\+07:00)?$").all()
    assert str(articles["published_date"].dtype).startswith("datetime64")


def test_formats_hold_the_same_tables(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=2, broken=True)
    parquet = extract(corpus.root, tmp_path / "parquet")
    csv = extract(corpus.root, tmp_path / "csv", format="csv")
    assert (tmp_path / "csv" / "metrics.csv").exists() and not (tmp_path / "csv" / "metrics.parquet").exists()
    _equal(parquet, csv)
    parquet.to_jsonl(tmp_path / "jsonl")
    (tmp_path / "jsonl" / "manifest.json").write_text(json.dumps({"format": "jsonl"}), encoding="utf-8")
    _equal(parquet, Dataset.load(tmp_path / "jsonl"))
    first = json.loads((tmp_path / "jsonl" / "entities.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert isinstance(first["titles"], (list, type(None))) and list(first) == SCHEMAS["entities"].names


def test_rerun_processes_only_new_and_changed_inputs(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=2)
    out = tmp_path / "out"
    first = run_extract([corpus.root], out, progress=False)
    assert first.processed == len(corpus.good) + corpus.skipped and first.exit_code == 0
    before = Dataset.load(out)
    again = run_extract([corpus.root], out, progress=False)
    assert again.processed == 0
    _equal(before, Dataset.load(out))
    # a new file: only it is processed, and appended
    (corpus.root / "dumps" / "new.txt").write_text(Sample(50).dump(), encoding="utf-8")
    third = run_extract([corpus.root], out, progress=False)
    assert third.processed == 1 and third.counts["articles"] == len(corpus.good) + 1
    # a changed file replaces its rows
    changed = corpus.root / "dumps" / "dump_000.txt"
    changed.write_text(Sample(60).dump(), encoding="utf-8")
    fourth = run_extract([corpus.root], out, progress=False)
    ds = Dataset.load(out)
    assert fourth.processed == 1 and len(ds.articles) == len(corpus.good) + 1
    assert ds.articles.loc[ds.articles["path"] == str(changed), "title"].tolist() == [Sample(60).title]
    assert ds.articles["doc_id"].is_unique
    # an input of an earlier run stays in the dataset when a later run names other inputs
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps(Sample(70).record(), ensure_ascii=False) + "\n", encoding="utf-8")
    fifth = run_extract([extra], out, progress=False)
    assert fifth.processed == 1 and fifth.counts["articles"] == len(corpus.good) + 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {i["path"] for i in manifest["inputs"]} >= {str(extra), str(changed)}
    assert all(i["complete"] for i in manifest["inputs"])
    assert len(list((out / "parts").iterdir())) >= 1


def test_limit_then_resume_equals_one_run(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=3)
    whole = extract(corpus.root, tmp_path / "whole")
    out = tmp_path / "steps"
    report = run_extract([corpus.root], out, limit=4, chunk_size=2, progress=False)
    assert report.processed == 4 and report.incomplete
    assert len(Dataset.load(out).articles) + report.counts["skipped"] == 4
    report = run_extract([corpus.root], out, limit=3, chunk_size=5, progress=False)
    assert report.processed == 3
    report = run_extract([corpus.root], out, progress=False)
    assert not report.incomplete and report.processed == len(corpus.good) + corpus.skipped - 7
    _equal(whole, Dataset.load(out))


def test_the_same_document_twice_is_kept_once(tmp_path, fake_nlp):
    record = json.dumps(Sample(3).record(), ensure_ascii=False)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(record + "\n", encoding="utf-8")
    (tmp_path / "in" / "b.jsonl").write_text(
        record + "\n" + json.dumps(Sample(4).record(), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    report = run_extract([tmp_path / "in"], tmp_path / "out", progress=False)
    ds = Dataset.load(tmp_path / "out")
    assert report.counts["duplicates"] == 1 and len(ds.articles) == 2
    assert ds.articles["path"].tolist() == [f"{tmp_path / 'in' / 'a.jsonl'}:1", f"{tmp_path / 'in' / 'b.jsonl'}:2"]
    assert ds.entities.groupby("doc_id").size().max() == 3  # the copy's entities are not doubled


def test_leftovers_of_a_killed_run_are_ignored(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=2)
    out = tmp_path / "out"
    run_extract([corpus.root], out, progress=False)
    before = Dataset.load(out)
    (out / "parts" / ".tmp-deadbeef").mkdir()
    (out / "parts" / ".tmp-deadbeef" / "articles.parquet").write_bytes(b"half a file")
    (out / ".tmp-123-articles.parquet").write_bytes(b"half a file")
    run_extract([corpus.root], out, progress=False)
    assert not (out / "parts" / ".tmp-deadbeef").exists() and not (out / ".tmp-123-articles.parquet").exists()
    _equal(before, Dataset.load(out))


def test_usage_errors(tmp_path):
    (tmp_path / "a.txt").write_text(Sample(1).dump(), encoding="utf-8")
    with pytest.raises(InputError, match="format"):
        run_extract([tmp_path / "a.txt"], tmp_path / "out", fmt="xlsx")
    with pytest.raises(InputError, match="jobs"):
        run_extract([tmp_path / "a.txt"], tmp_path / "out", jobs=0)
    with pytest.raises(InputError, match="is a file"):
        run_extract([tmp_path / "a.txt"], tmp_path / "a.txt")
    with pytest.raises(DataError, match="manifest"):
        Dataset.load(tmp_path)


def test_directory_lock_refuses_a_second_writer(tmp_path):
    (tmp_path / "a.txt").write_text(Sample(1).dump(), encoding="utf-8")
    store = parts.PartStore(tmp_path / "out")
    store.open()
    try:
        with pytest.raises(InputError, match="another cchc-nlp extract"):
            run_extract([tmp_path / "a.txt"], tmp_path / "out", progress=False)
    finally:
        store.close()


# --- helpers -----------------------------------------------------------------------


def _metric(doc_id, metric, value, end, unit="count", province=None, share=None, is_target=False):
    row = dict.fromkeys(METRIC_COLUMNS)
    row.update(
        doc_id=doc_id,
        metric=metric,
        value=value,
        unit=unit,
        share=share,
        is_target=is_target,
        period_end=pd.Timestamp(end) if end else None,
        province=province,
        warnings=[],
    )
    return row


@pytest.fixture
def research():
    articles = pd.DataFrame(
        [
            {
                "doc_id": "a",
                "province": "Hà Nam",
                "published": "2020-07-10",
                "published_date": pd.Timestamp("2020-07-10"),
                "title": "A",
                "url": "u1",
            },
            {
                "doc_id": "b",
                "province": "Hà Nam",
                "published": "2020-10-05",
                "published_date": pd.Timestamp("2020-10-05"),
                "title": "B",
                "url": "u2",
            },
            {
                "doc_id": "c",
                "province": "Sóc Trăng",
                "published": "2021-01-20",
                "published_date": pd.Timestamp("2021-01-20"),
                "title": "C",
                "url": "u3",
            },
        ]
    )
    metrics = pd.DataFrame(
        [
            _metric("a", "dossier.received", 100, "2020-06-30"),
            _metric("b", "dossier.received", 250, "2020-09-30"),
            _metric("b", "dossier.received", 900, "2020-12-31", is_target=True),
            _metric("b", "dossier.on_time_or_early", 98.5, "2020-09-30", unit="percent", share=98.5),
            _metric("c", "dossier.received", 80, None),  # no period: the publication date counts
            _metric("c", "dossier.received", 70, "2020-12-31", province="Bạc Liêu"),  # its own province wins
            _metric("c", "index.par.rank", 12, "2020-12-31", unit="rank"),
        ]
    )
    empty = pd.DataFrame()
    return Dataset(articles, empty, metrics, empty)


def test_metrics_by_filters_and_adds_context(research):
    rows = research.metrics_by(province="Hà Nam", metric="dossier.*")
    assert sorted(rows["value"]) == [98.5, 100, 250]  # the target is left out
    assert set(rows["title"]) == {"A", "B"}
    assert len(research.metrics_by(metric="dossier.received", include_targets=True)) == 5
    assert research.metrics_by(metric="dossier.received", province="Bạc Liêu")["value"].tolist() == [70]
    by_quarter = research.metrics_by(metric="dossier.received", period="quarter")
    assert [str(p) for p in by_quarter["period"]] == ["2020Q2", "2020Q3", "2021Q1", "2020Q4"]
    assert research.metrics_by(period="2020Q3")["value"].tolist() == [250, 98.5]
    assert research.metrics_by(period="2021")["value"].tolist() == [80]
    with pytest.raises(InputError):
        research.metrics_by(period="fortnight")


def test_wide_table_by_province_and_period(research):
    table = research.wide("dossier.received", period="year", codes=False)
    assert table.loc["Hà Nam", "2020"] == 250  # the latest report of the year
    assert table.loc["Sóc Trăng", "2021"] == 80 and table.loc["Bạc Liêu", "2020"] == 70
    assert research.wide("dossier.received", period="year", agg="sum", codes=False).loc["Hà Nam", "2020"] == 350
    quarters = research.wide("dossier.received", period="quarter")
    assert list(quarters.columns) == ["2020Q2", "2020Q3", "2020Q4", "2021Q1"]
    # rows name the province, its code and its 2025 successor, in the official order of codes
    assert list(quarters.index) == [
        ("Hà Nam", "35", "Ninh Bình"),
        ("Sóc Trăng", "94", "Cần Thơ"),
        ("Bạc Liêu", "95", "Cà Mau"),
    ]
    share = research.wide("dossier.on_time_or_early", period="month", value="share", codes=False)
    assert share.loc["Hà Nam", "2020-09"] == 98.5
    with pytest.raises(InputError, match="did you mean 'dossier.received'"):
        research.wide("dossier.recieved")
    with pytest.raises(InputError, match="value must be one of 'value', 'share', not 'shares'; did you mean 'share'"):
        research.wide("dossier.received", value="shares")
    with pytest.raises(InputError):
        research.wide("dossier.received", period="2020")


def test_save_and_load_round_trip(tmp_path, fake_nlp):
    corpus = build_corpus(tmp_path / "corpus", n=2)
    ds = extract(corpus.root, tmp_path / "out")
    assert repr(ds).startswith(f"<Dataset from {tmp_path / 'out'}:")
    ds.to_csv(tmp_path / "csv")
    (tmp_path / "csv" / "manifest.json").write_text(json.dumps({"format": "csv"}), encoding="utf-8")
    _equal(ds, Dataset.load(tmp_path / "csv"))
    ds.to_parquet(tmp_path / "pq")
    shutil.copy(tmp_path / "out" / "manifest.json", tmp_path / "pq" / "manifest.json")
    _equal(ds, Dataset.load(tmp_path / "pq"))
