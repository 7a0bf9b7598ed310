"""Headlines of page dumps, the source of an article, and `cchc-nlp analyze` reading a file the way
`extract` does. Dumps written for these tests (invented wording)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_nlp import cli
from cchc_nlp.page import article_from_text

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"

LEAD = (
    "(QNP) - Quý III/2024, Bộ phận một cửa các cấp trên địa bàn tỉnh tiếp nhận 41.206 hồ sơ, tỷ lệ giải quyết "
    "đúng và trước hạn đạt 98,2%, tăng so với quý trước; tỷ lệ hồ sơ trực tuyến đạt 61,5%."
)


@pytest.mark.parametrize(
    "head",
    [
        "Trang chủ > Tin tức - Sự kiện > Cải cách hành chính",
        "Trang chủ » Chuyên mục » Cải cách hành chính",
        "Tin tức / Cải cách hành chính",
        "Thời sự Quảng Nam\nThứ Hai, 07/10/2024 | 08:10\nCỡ chữ A- A A+",
        "Thông tin cải cách hành chính\nCập nhật lúc: 07/10/2024 08:10",
    ],
)
def test_breadcrumbs_and_section_names_are_not_headlines(head):
    dump = f"{head}\n\nQuý III/2024, hồ sơ trực tuyến đạt hơn 61%\n\n{LEAD}\n"
    assert article_from_text(dump).title == "Quý III/2024, hồ sơ trực tuyến đạt hơn 61%"


def test_a_short_headline_followed_by_its_lead_stays_the_headline():
    dump = f"Quảng Nam cải cách hành chính\n\n{LEAD}\n"
    assert article_from_text(dump).title == "Quảng Nam cải cách hành chính"


def test_the_source_of_a_dateline_tag_or_the_url_host():
    assert article_from_text(f"Hồ sơ trực tuyến đạt hơn 61%\n\n{LEAD}\n").source == (
        "Cổng thông tin điện tử tỉnh Quảng Nam"
    )
    plain = LEAD.replace("(QNP) - ", "")
    dump = f"Hồ sơ trực tuyến đạt hơn 61%\n\n{plain}\n"
    assert article_from_text(dump, url="https://www.sonoivu.example.gov.vn/tin/1").source == "sonoivu.example.gov.vn"
    assert article_from_text(dump).source is None


def test_analyze_reads_an_html_page_like_extract(capsys):
    assert cli.main(["analyze", str(SAMPLES / "09_bariavungtau_chi_so_cchc_2022.html"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    article = result["article"]
    assert article["title"].startswith("Công bố Chỉ số cải cách hành chính năm 2022")  # not a <meta ...> line
    # as extract gives it (articles.published): the time of day too
    assert article["published"] == "2023-05-12T08:30:00+07:00" and article["source"] == "Báo Bà Rịa - Vũng Tàu"
    assert not any("<" in row["sentence"] for row in result["metrics"])
    par = [r for r in result["metrics"] if r["metric"] == "index.par.score" and r["scope"] == "province"]
    assert [r["value"] for r in par] == [85.73]


@pytest.mark.parametrize("name", ["trang.txt", "trang", "trang.aspx"])
def test_a_page_source_saved_as_txt_or_without_extension_is_read_as_html(tmp_path, capsys, name):
    from cchc_nlp.dataset import extract

    source = (SAMPLES / "09_bariavungtau_chi_so_cchc_2022.html").read_bytes()
    (tmp_path / name).write_bytes(
        b"\xef\xbb\xbf<!-- saved from url=(0042)https://baobariavungtau.example.vn/ -->\n" + source
    )
    assert cli.main(["analyze", str(tmp_path / name), "--json"]) == 0
    article = json.loads(capsys.readouterr().out)["article"]
    assert article["title"].startswith("Công bố Chỉ số cải cách hành chính năm 2022")
    assert article["published"] == "2023-05-12T08:30:00+07:00"
    if name.endswith(".txt"):  # extract reads it the same way (it leaves other names out)
        (row,) = extract([tmp_path / name], jobs=1).articles.to_dict("records")
        assert row["title"] == article["title"] and row["source"] == "Báo Bà Rịa - Vũng Tàu"
        assert "<meta" not in row["text"]
