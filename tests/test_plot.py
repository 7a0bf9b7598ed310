"""Charts of cchc_nlp.research.plot on a hand-made dataset in the metric/entity/article schema."""

from __future__ import annotations

import io
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from cchc_nlp.errors import InputError
from cchc_nlp.records import METRIC_COLUMNS
from cchc_nlp.research import plot
from cchc_nlp.tag.gazetteer import province_names_in_order

PROVINCES = ("Thừa Thiên Huế", "Đắk Lắk", "Bà Rịa - Vũng Tàu")


def metric_row(metric, value, province, start, end, **fields):
    row = dict.fromkeys(METRIC_COLUMNS)
    row.update(
        doc_id="d1",
        metric=metric,
        value=float(value),
        unit="count",
        qualifier="exact",
        is_target=False,
        period_start=start,
        period_end=end,
        scope_level="tỉnh",
        province=province,
        start=0,
        end=1,
        sentence="…",
        confidence=1.0,
        warnings=[],
    )
    row.update(fields)
    return row


def make_metrics() -> pd.DataFrame:
    rows = []
    ranks = {"Thừa Thiên Huế": [12, 8, 5], "Đắk Lắk": [40, 44, 31], "Bà Rịa - Vũng Tàu": [20, 27, 19]}
    for province, series in ranks.items():
        for year, rank in zip((2018, 2019, 2020), series, strict=True):
            rows.append(
                metric_row(
                    "index.par.rank",
                    rank,
                    province,
                    f"{year}-01-01",
                    f"{year}-12-31",
                    unit="rank",
                    denominator=63.0,
                    doc_id=f"{province}-{year}",
                )
            )
            rows.append(
                metric_row(
                    "dossier.on_time_or_early",
                    1000 + rank,
                    province,
                    f"{year}-01-01",
                    f"{year}-06-30",
                    share=99 - rank / 10,
                    doc_id=f"{province}-{year}",
                )
            )
    rows += [
        # a district-level figure and a target must not enter province charts by default
        metric_row(
            "dossier.on_time_or_early", 10, "Đắk Lắk", "2018-01-01", "2018-06-30", share=50.0, scope_level="huyện"
        ),
        metric_row("dossier.on_time_or_early", 10, "Đắk Lắk", "2020-01-01", "2020-06-30", share=100.0, is_target=True),
        metric_row(
            "tthc.simplified",
            1132,
            "Thừa Thiên Huế",
            "2016-01-01",
            "2016-12-31",
            denominator=1937.0,
            share=57.41,
            warnings=["share_mismatch: 1132/1937 = 58,44% nhưng văn bản ghi 57,41%"],
        ),
        metric_row(
            "plan.tasks_done",
            9,
            "Đắk Lắk",
            "2018-01-01",
            "2018-12-31",
            denominator=26.0,
            share=33.33,
            warnings=["share_mismatch: 9/26 = 34,62%"],
        ),
        metric_row(
            "dossier.received",
            7182,
            "Đắk Lắk",
            "2018-01-01",
            "2018-12-31",
            warnings=["identity: received 7182 != resolved + pending 7100", "share_mismatch: x"],
        ),
        # no period: dated by its article (Dataset) or dropped (bare DataFrame)
        metric_row("tthc.total", 1937, None, None, None, doc_id="undated"),
    ]
    return pd.DataFrame(rows)


def make_dataset() -> SimpleNamespace:
    articles = pd.DataFrame(
        [
            {
                "doc_id": "undated",
                "path": "a.txt",
                "url": None,
                "source": None,
                "title": "Tin",
                "published": "2017-03-02T08:00:00+07:00",
                "province": "Hà Nam",
            },
            {
                "doc_id": "e1",
                "path": "b.txt",
                "url": None,
                "source": None,
                "title": "Tin 2",
                "published": "2019-05-01",
                "province": "Đắk Lắk",
            },
            {
                "doc_id": "e2",
                "path": "c.txt",
                "url": None,
                "source": None,
                "title": "Tin 3",
                "published": "2020-07-10",
                "province": "Đắk Lắk",
            },
        ]
    )
    entities = pd.DataFrame(
        [
            {
                "doc_id": "e1",
                "label": "OFFICIAL",
                "text": "Ông Trần Văn Bình",
                "start": 0,
                "end": 5,
                "norm": "Trần Văn Bình",
                "titles": ["Phó Chủ tịch UBND tỉnh"],
                "province": None,
            },
            {
                "doc_id": "e2",
                "label": "OFFICIAL",
                "text": "Trần Văn Bình",
                "start": 0,
                "end": 5,
                "norm": "Trần Văn Bình",
                "titles": ["Chủ tịch UBND tỉnh"],
                "province": None,
            },
            {
                "doc_id": "e2",
                "label": "OFFICIAL",
                "text": "Lê Thị Hoa",
                "start": 9,
                "end": 19,
                "norm": "Lê Thị Hoa",
                "titles": ["Giám đốc Sở Nội vụ"],
                "province": "Đắk Lắk",
            },
            {
                "doc_id": "e2",
                "label": "ORG",
                "text": "Sở Nội vụ",
                "start": 30,
                "end": 39,
                "norm": None,
                "titles": None,
                "province": None,
            },
        ]
    )
    return SimpleNamespace(
        articles=articles, entities=entities, metrics=make_metrics(), errors=pd.DataFrame(columns=["path", "error"])
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_select_metric_keeps_province_actuals_with_dates():
    rows = plot.select_metric(make_metrics(), "dossier.on_time_or_early", "share")
    assert len(rows) == 9  # the district figure and the target are left out
    assert set(rows["province"]) == set(PROVINCES)
    first = rows[rows["province"] == "Đắk Lắk"].iloc[0]
    assert first["value"] == pytest.approx(95.0) and str(first["period"]) == "2018"
    assert (
        len(plot.select_metric(make_metrics(), "dossier.on_time_or_early", scope_level=None, include_targets=True))
        == 11
    )


@pytest.mark.parametrize(
    "period, expected", [("year", "2018"), ("half", "2018-H1"), ("quarter", "2018Q2"), ("month", "2018-06")]
)
def test_select_metric_periods(period, expected):
    rows = plot.select_metric(make_metrics(), "dossier.on_time_or_early", period=period)
    assert str(rows.iloc[0]["period"]) == expected


def test_select_metric_fills_province_and_date_from_articles():
    assert plot.select_metric(make_metrics(), "tthc.total").empty
    rows = plot.select_metric(make_dataset(), "tthc.total")
    assert rows[["province", "value"]].values.tolist() == [["Hà Nam", 1937.0]]
    assert str(rows.iloc[0]["period"]) == "2017"


def test_select_metric_rejects_other_inputs():
    with pytest.raises(InputError, match="Dataset or a pandas DataFrame"):
        plot.select_metric([1, 2], "tthc.total")
    with pytest.raises(InputError, match="unknown period"):
        plot.select_metric(make_metrics(), "tthc.total", period="week")


def test_wide_table_is_province_by_period():
    table = plot.wide_table(make_metrics(), "index.par.rank")
    assert list(table.columns) == ["2018", "2019", "2020"]
    official = province_names_in_order()  # rows in the official order of province codes
    assert list(table.index) == sorted(PROVINCES, key=official.index)
    assert table.loc["Đắk Lắk"].tolist() == [40.0, 44.0, 31.0]
    assert plot.wide_table(make_metrics(), "index.pci.rank").empty


@pytest.mark.parametrize(
    "cell, codes",
    [
        (None, []),
        (float("nan"), []),
        ([], []),
        (np.array(["share_mismatch: a", "identity: b"], dtype=object), ["share_mismatch", "identity"]),
        (["denominator_exceeded"], ["denominator_exceeded"]),
        ('["share_mismatch: 1/2"]', ["share_mismatch"]),
        ("share_mismatch: a; identity: b", ["share_mismatch", "identity"]),
        ([{"code": "identity", "message": "x"}], ["identity"]),
        ("", []),
    ],
)
def test_warning_codes(cell, codes):
    assert plot.warning_codes(cell) == codes


def test_rank_chart_puts_rank_one_on_top():
    ax = plot.rank_chart(make_metrics())
    bottom, top = ax.get_ylim()
    assert bottom > top  # inverted: lower ranks drawn higher
    assert top < 5 and bottom > 44
    labels = {text.get_text() for text in ax.texts}
    assert {"5/63", "44/63", "12/63"} <= labels
    assert sorted(line.get_label() for line in ax.get_lines()) == sorted(PROVINCES)
    with pytest.raises(InputError, match="rank metrics"):
        plot.rank_chart(make_metrics(), "index.par.score")


def test_metric_over_time_draws_one_line_per_province():
    ax = plot.metric_over_time(make_metrics(), "dossier.on_time_or_early", "share", provinces=["Đắk Lắk"])
    (line,) = ax.get_lines()
    assert line.get_label() == "Đắk Lắk"
    assert list(line.get_ydata()) == pytest.approx([95.0, 94.6, 95.9])


def test_heatmap_writes_each_cell():
    ax = plot.province_period_heatmap(make_metrics(), "dossier.on_time_or_early", "share")
    official = province_names_in_order()
    assert [label.get_text() for label in ax.get_yticklabels()] == sorted(PROVINCES, key=official.index)
    cells = {text.get_text() for text in ax.texts}
    assert {"95", "94,6", "98,5"} <= cells
    assert ax.images[0].get_array().shape == (3, 3)


def test_warnings_distribution_counts_rows_per_code():
    ax = plot.warnings_distribution(make_metrics())
    bars = {label.get_text(): patch.get_width() for label, patch in zip(ax.get_yticklabels(), ax.patches, strict=True)}
    assert bars == {"share_mismatch": 3, "identity": 1}
    ax = plot.warnings_distribution(make_metrics(), by="metric")
    assert {label.get_text() for label in ax.get_yticklabels()} == {
        "tthc.simplified",
        "plan.tasks_done",
        "dossier.received",
    }


def test_charts_without_data_say_so():
    empty = make_metrics().iloc[0:0]
    for ax in (
        plot.metric_over_time(empty, "tthc.total"),
        plot.rank_chart(empty),
        plot.province_period_heatmap(empty, "tthc.total"),
        plot.warnings_distribution(empty),
    ):
        assert ax.texts and ax.texts[0].get_text().startswith("không có")


def test_officials_timeline_joins_articles():
    ax = plot.officials_timeline(make_dataset())
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Lê Thị Hoa", "Trần Văn Bình"]
    assert sum(len(collection.get_offsets()) for collection in ax.collections) == 3
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Đắk Lắk"]


def test_vietnamese_labels_render_without_missing_glyphs():
    figure = Figure(figsize=(6, 3))
    ax = figure.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        plot.rank_chart(make_metrics(), ax=ax)
        ax.set_xlabel("Thừa Thiên Huế, Đắk Lắk, Bà Rịa - Vũng Tàu")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot.ensure_vietnamese_font() == "DejaVu Sans"


def test_font_without_vietnamese_is_replaced():
    with matplotlib.rc_context({"font.family": ["cmr10"]}):
        assert plot.ensure_vietnamese_font() == "DejaVu Sans"
        assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        assert matplotlib.rcParams["font.family"] == ["sans-serif"]


def test_metric_label():
    assert plot.metric_label("index.par.rank") == "Chỉ số CCHC (PAR INDEX), thứ hạng (index.par.rank)"
    assert plot.metric_label("staff.cut") == "staff.cut"


def test_units_are_never_mixed_and_the_latest_report_wins():
    metrics = pd.concat(
        [
            make_metrics(),
            pd.DataFrame(
                [
                    # a percent figure of a count metric: left out of value charts by default
                    metric_row(
                        "tthc.simplified", 10, "Thừa Thiên Huế", "2016-01-01", "2016-12-31", unit="percent", share=10.0
                    ),
                    metric_row("tthc.simplified", 1200, "Thừa Thiên Huế", "2016-01-01", "2016-12-31", doc_id="later"),
                ]
            ),
        ],
        ignore_index=True,
    )
    metrics["published"] = None
    metrics.loc[metrics["doc_id"] == "later", "published"] = "2017-01-05"
    metrics.loc[metrics["value"] == 1132, "published"] = "2016-12-20"
    assert plot.wide_table(metrics, "tthc.simplified").loc["Thừa Thiên Huế", "2016"] == 1200
    assert plot.wide_table(metrics, "tthc.simplified", agg="min").loc["Thừa Thiên Huế", "2016"] == 1132
    assert plot.wide_table(metrics, "tthc.simplified", unit="percent").loc["Thừa Thiên Huế", "2016"] == 10


def test_render_entities_colours_each_label():

    import cchc_nlp as cc

    nlp = cc.load(components=[])
    doc = nlp.parse("Ông Trần Văn Bình, Giám đốc Sở Nội vụ tỉnh Đắk Lắk phát biểu.")
    spans = [
        doc.char_span(doc.text.index(text), doc.text.index(text) + len(text), label=label, alignment_mode="expand")
        for text, label in (
            ("Trần Văn Bình", "OFFICIAL"),
            ("Sở Nội vụ tỉnh Đắk Lắk", "ORG"),
            ("tỉnh Đắk Lắk", "PROVINCE"),
        )
    ]
    doc.spans["entities"] = spans
    doc.ents = [spans[0], spans[1]]
    markup = plot.render_entities(doc, jupyter=False)
    assert "Trần Văn Bình" in markup and "Đắk Lắk" in markup
    for label in ("OFFICIAL", "ORG", "PROVINCE"):
        assert label in markup and plot.ENTITY_COLORS[label] in markup
    markup = plot.render_entities(doc, style="ent", jupyter=False)
    assert plot.ENTITY_COLORS["ORG"] in markup and plot.ENTITY_COLORS["PROVINCE"] not in markup
    with pytest.raises(InputError, match="style"):
        plot.render_entities(doc, style="dep")
    del doc.spans["entities"]
    with pytest.raises(InputError, match="spans"):
        plot.render_entities(doc)
