"""The HTML report: rendered from a hand-made dataset, parsed back and checked."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib import image as mpimg

from cchc_nlp import cli
from cchc_nlp.errors import InputError
from cchc_nlp.records import METRIC_COLUMNS
from cchc_nlp.research import report

HOSTILE = '<script>alert("x")</script>'


def metric_row(metric, value, province, year, **fields):
    row = dict.fromkeys(METRIC_COLUMNS)
    row.update(
        doc_id=f"{province}-{year}",
        metric=metric,
        value=float(value),
        unit="count",
        qualifier="exact",
        is_target=False,
        period_start=f"{year}-01-01",
        period_end=f"{year}-12-31",
        scope_level="tỉnh",
        province=province,
        start=0,
        end=1,
        sentence="Câu dẫn chứng.",
        confidence=1.0,
        warnings=[],
    )
    row.update(fields)
    return row


def make_dataset() -> SimpleNamespace:
    metrics = []
    for province, ranks in {"Thừa Thiên Huế": [12, 8], "Đắk Lắk": [40, 31], "Bà Rịa - Vũng Tàu": [20, 19]}.items():
        for year, rank in zip((2019, 2020), ranks, strict=True):
            metrics.append(metric_row("index.par.rank", rank, province, year, unit="rank", denominator=63.0))
            metrics.append(metric_row("dossier.on_time_or_early", 900 + rank, province, year, share=99 - rank / 10))
    metrics.append(
        metric_row(
            "tthc.simplified",
            1132,
            "Thừa Thiên Huế",
            2016,
            denominator=1937.0,
            share=57.41,
            warnings=["share_mismatch: 1132/1937 = 58,44% nhưng văn bản ghi 57,41%"],
            sentence=f"Đã đơn giản hóa 1132/1937 thủ tục {HOSTILE}",
        )
    )
    articles = pd.DataFrame(
        [
            {
                "doc_id": f"{p}-{y}",
                "path": f"{i}.txt",
                "url": None,
                "source": None,
                "title": f"Tin {i} {HOSTILE}",
                "published": f"{y}-03-01",
                "province": p,
            }
            for i, (p, y) in enumerate(
                (p, y) for p in ("Thừa Thiên Huế", "Đắk Lắk", "Bà Rịa - Vũng Tàu") for y in (2016, 2019, 2020)
            )
        ]
    )
    entities = pd.DataFrame(
        [
            {
                "doc_id": "Đắk Lắk-2019",
                "label": "OFFICIAL",
                "text": "Trần Văn Bình",
                "start": 0,
                "end": 13,
                "norm": "Trần Văn Bình",
                "titles": ["Phó Chủ tịch UBND tỉnh"],
                "province": None,
            },
            {
                "doc_id": "Đắk Lắk-2020",
                "label": "OFFICIAL",
                "text": "Trần Văn Bình",
                "start": 0,
                "end": 13,
                "norm": "Trần Văn Bình",
                "titles": ["Chủ tịch UBND tỉnh", "Trưởng Ban Chỉ đạo CCHC tỉnh"],
                "province": None,
            },
            {
                "doc_id": "Đắk Lắk-2020",
                "label": "ORG",
                "text": "Sở Nội vụ",
                "start": 20,
                "end": 29,
                "norm": None,
                "titles": None,
                "province": None,
            },
        ]
    )
    errors = pd.DataFrame([{"path": "hỏng.html", "error": f"InputError: no article {HOSTILE}"}])
    return SimpleNamespace(articles=articles, entities=entities, metrics=pd.DataFrame(metrics), errors=errors)


@pytest.fixture(scope="module")
def soup() -> BeautifulSoup:
    return BeautifulSoup(report.render_report(make_dataset(), title="Báo cáo Đắk Lắk & Huế"), "lxml")


def test_images_are_embedded_png_that_decode(soup):
    images = soup.find_all("img")
    # two per headline metric (line/rank chart + heatmap), warnings, officials timeline
    assert len(images) == 8
    for img in images:
        src = img["src"]
        assert src.startswith("data:image/png;base64,")
        pixels = mpimg.imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png")
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100
        assert pixels.std() > 0  # not a blank canvas
        assert img["alt"]
    assert not soup.find_all(["link", "iframe"]) and not soup.find_all("script")


def test_text_is_escaped_and_vietnamese_kept(soup):
    assert soup.title.get_text() == "Báo cáo Đắk Lắk & Huế"
    text = soup.get_text()
    assert HOSTILE in text  # shown as text, never run
    for phrase in ("Thừa Thiên Huế", "Bà Rịa - Vũng Tàu", "Cảnh báo nhất quán", "Trưởng Ban Chỉ đạo CCHC tỉnh"):
        assert phrase in text


def test_tables_hold_the_summaries(soup):
    def cells(table_id):
        rows = soup.find("table", id=table_id).find_all("tr")
        return [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in rows]

    # province x year tables built on the panel: the province, its code and 2025 successor, the figures
    assert ["Đắk Lắk", "66", "Đắk Lắk", "40", "31"] in cells("wide-index.par.rank")
    assert ["Đắk Lắk", "66", "Đắk Lắk", "95", "95.9"] in cells("wide-dossier.on_time_or_early")
    assert ["Thừa Thiên Huế", "46", "Huế", "1132"] in cells("wide-tthc.simplified")
    assert ["Đắk Lắk", "66", "Đắk Lắk", "3", "3", "2016-03-01", "2020-03-01"] in cells("articles-by-province")
    assert ["index.par.rank", "6", "6", "3", "0"] in cells("metrics-by-key")
    warnings = cells("warnings")
    assert len(warnings) == 2 and "share_mismatch: 1132/1937" in " ".join(warnings[1])
    assert cells("officials")[1][:4] == ["Trần Văn Bình", "Phó Chủ tịch UBND tỉnh", "Đắk Lắk", "2019"]
    assert "hỏng.html" in cells("errors")[1]


def test_officials_table_one_row_per_title_province_year():
    table = report.officials_table(make_dataset())
    assert table[["official", "title", "province", "year", "articles"]].values.tolist() == [
        ["Trần Văn Bình", "Phó Chủ tịch UBND tỉnh", "Đắk Lắk", 2019, 1],
        ["Trần Văn Bình", "Chủ tịch UBND tỉnh", "Đắk Lắk", 2020, 1],
        ["Trần Văn Bình", "Trưởng Ban Chỉ đạo CCHC tỉnh", "Đắk Lắk", 2020, 1],
    ]


def test_empty_dataset_still_renders():
    empty = SimpleNamespace(
        articles=pd.DataFrame(), entities=pd.DataFrame(), metrics=pd.DataFrame(), errors=pd.DataFrame()
    )
    page = BeautifulSoup(report.render_report(empty), "lxml")
    assert not page.find_all("img")
    assert "Không có số liệu" in page.get_text()


def test_cli_writes_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report, "load_dataset", lambda directory: make_dataset())
    out = tmp_path / "report.html"
    assert cli.main(["report", str(tmp_path), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    page = BeautifulSoup(out.read_text(encoding="utf-8"), "lxml")
    assert len(page.find_all("img")) == 8


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "missing")]) == 2
    message = capsys.readouterr().err.strip()
    assert "is not a folder" in message and "\n" not in message
    with pytest.raises(InputError, match="does not exist"):
        report.write_report(make_dataset(), tmp_path / "no" / "such" / "r.html")


def test_report_of_a_real_extraction(tmp_path, capsys):
    """extract -> Dataset.load -> cchc-nlp report: real column types (datetimes, string
    dtype, list columns read back from Parquet as arrays)."""
    from pathlib import Path

    from cchc_nlp.dataset import extract

    samples = Path(__file__).resolve().parents[1] / "corpus" / "samples"
    chosen = [
        samples / "01_vinhlong_so_ket_2019.txt",
        samples / "02_hanam_don_gian_hoa_tthc_2016.txt",
        samples / "09_bariavungtau_chi_so_cchc_2022.html",
    ]
    extract(chosen, out=tmp_path / "out", jobs=1)
    out = tmp_path / "report.html"
    assert cli.main(["report", str(tmp_path / "out"), "--out", str(out)]) == 0
    page = BeautifulSoup(out.read_text(encoding="utf-8"), "lxml")
    for img in page.find_all("img"):
        pixels = mpimg.imread(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])), format="png")
        assert pixels.std() > 0
    rank = [
        [c.get_text() for c in row.find_all(["th", "td"])]
        for row in page.find("table", id="wide-index.par.rank").find_all("tr")
    ]
    assert ["Vĩnh Long", "86", "Vĩnh Long", "19", ""] in rank
    assert ["Bà Rịa - Vũng Tàu", "77", "Hồ Chí Minh", "", "18"] in rank
    assert "share_mismatch" in page.find("table", id="warnings").get_text()
    officials = page.find("table", id="officials").get_text()
    assert "Phó Chủ tịch UBND tỉnh" in officials and "Vĩnh Long" in officials
