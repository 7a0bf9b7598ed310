"""cchc_nlp.page: HTML pages and text dumps -> Article (fixtures written for the project)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from cchc_nlp.errors import DataError, InputError
from cchc_nlp.page import (
    article_from_html,
    article_from_text,
    choose_profile,
    clean_paragraphs,
    decode_html,
    get_profile,
    is_article_page,
    site_profiles,
)

FIXTURES = Path(__file__).parent / "fixtures"
SITES = FIXTURES / "sites"
DUMPS = FIXTURES / "dumps"
BASE = "http://127.0.0.1:8000"

# (site, expected key) -> (file under the site, URL path)
PAGES = {
    (
        "nukeviet",
        "so-ket-cchc-6-thang-dau-nam-2021-101",
    ): "news/cai-cach-hanh-chinh/so-ket-cchc-6-thang-dau-nam-2021-101.html",
    (
        "nukeviet",
        "kiem-tra-cchc-tai-huyen-cho-don-102",
    ): "news/cai-cach-hanh-chinh/kiem-tra-cchc-tai-huyen-cho-don-102.html",
    (
        "nukeviet",
        "buu-chinh-cong-ich-trong-giai-quyet-tthc-103",
    ): "news/cai-cach-hanh-chinh/buu-chinh-cong-ich-trong-giai-quyet-tthc-103.html",
    ("sharepoint", "215"): "pages/view-detail-215.html",
    ("sharepoint", "216"): "pages/view-detail-216.html",
    ("sharepoint", "230"): "pages/view-detail-230.html",
    ("liferay", "hoi-nghi-truc-tuyen-de-an-06"): "content/hoi-nghi-truc-tuyen-de-an-06.html",
    ("liferay", "chi-so-sipas-2021-tang-5-bac"): "content/chi-so-sipas-2021-tang-5-bac.html",
    ("liferay", "so-hoa-ho-so-ket-qua-giai-quyet-tthc"): "content/so-hoa-ho-so-ket-qua-giai-quyet-tthc.html",
    (
        "newspaper",
        "tan-phu-giai-quyet-ho-so-dung-han-20230412",
    ): "cai-cach-hanh-chinh/tan-phu-giai-quyet-ho-so-dung-han-20230412.html",
    (
        "newspaper",
        "cat-giam-thoi-gian-cap-phep-xay-dung-20230418",
    ): "cai-cach-hanh-chinh/cat-giam-thoi-gian-cap-phep-xay-dung-20230418.html",
    (
        "newspaper",
        "mo-hinh-mot-cua-thong-minh-20230425",
    ): "cai-cach-hanh-chinh/mo-hinh-mot-cua-thong-minh-20230425.html",
}


def read_expected(site: str, key: str) -> dict:
    header, _, text = (SITES / site / "expected" / f"{key}.txt").read_text(encoding="utf-8").partition("----\n")
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    fields["text"] = text.strip()
    return fields


def extract(site: str, key: str, **kwargs):
    expected = read_expected(site, key)
    html = (SITES / site / PAGES[site, key]).read_bytes()
    return article_from_html(html, BASE + expected["url"], **kwargs), expected


@pytest.mark.parametrize("site,key", sorted(PAGES))
def test_html_fixture_matches_expected_text(site, key):
    article, expected = extract(site, key)
    assert article.title == expected["title"]
    assert article.published == expected["published"]
    assert article.author == expected["author"]
    assert "\n\n".join(p for p in (article.lead, article.body) if p) == expected["text"]
    assert article.text.startswith(expected["title"] + "\n\n" + article.lead)
    assert article.url == BASE + expected["url"]
    for chrome in (
        "Các tin khác",
        "Tin cùng chuyên mục",
        "Viết bình luận",
        "FormShield",
        "Chia sẻ",
        "Điện thoại",
        "Giấy phép",
        "In trang",
    ):
        assert chrome not in article.text


@pytest.mark.parametrize(
    "site,key,family",
    [
        ("nukeviet", "so-ket-cchc-6-thang-dau-nam-2021-101", "profile:nukeviet/"),
        ("sharepoint", "215", "profile:sharepoint/"),
        ("liferay", "chi-so-sipas-2021-tang-5-bac", "profile:liferay/"),
        ("newspaper", "tan-phu-giai-quyet-ho-so-dung-han-20230412", "profile:newspaper/"),
        ("newspaper", "cat-giam-thoi-gian-cap-phep-xay-dung-20230418", "generic:blocks "),
    ],
)
def test_extractor_names_the_profile_or_the_generic_path(site, key, family):
    article, _ = extract(site, key)
    assert article.extractor.startswith(family)
    assert "cchc_nlp/" in article.extractor


def test_published_never_comes_from_the_today_clock():
    # the SharePoint page shows "Thứ Ba, 19/02/2019 4:49:58 CH" in its header bar
    article, _ = extract("sharepoint", "215")
    assert article.published == "2023-01-12T08:15:30+07:00"
    assert article.published_source == "profile"
    # the unknown newspaper template: the dateline under the headline, not the top bar
    article, _ = extract("newspaper", "cat-giam-thoi-gian-cap-phep-xay-dung-20230418")
    assert article.published == "2023-04-18T16:30:00+07:00"
    assert article.published_source == "text"


def test_json_ld_date_and_author_win_on_the_newspaper():
    article, _ = extract("newspaper", "tan-phu-giai-quyet-ho-so-dung-han-20230412")
    assert article.published_source == "json-ld"
    assert article.source == "Báo Đồng Nai điện tử"
    assert article.captions == ["Người dân đến giao dịch tại Trung tâm Hành chính công huyện Tân Phú"]


def test_captions_are_set_apart():
    article, _ = extract("nukeviet", "so-ket-cchc-6-thang-dau-nam-2021-101")
    assert article.captions == ["Quang cảnh hội nghị sơ kết"]
    article, _ = extract("sharepoint", "215")  # <p><img></p><p><em>caption</em></p>
    assert article.captions == ["Lãnh đạo UBND tỉnh trao bằng khen cho các đơn vị dẫn đầu"]
    article, _ = extract("liferay", "hoi-nghi-truc-tuyen-de-an-06")  # td.image_desc
    assert article.captions == ["Các đại biểu dự hội nghị tại điểm cầu tỉnh"]
    article, _ = extract("nukeviet", "kiem-tra-cchc-tai-huyen-cho-don-102")  # "Ảnh: ..." line
    assert article.captions == ["Ảnh: Đoàn kiểm tra làm việc tại Bộ phận một cửa huyện Chợ Đồn"]
    assert "Ảnh:" not in article.text


def test_repeated_sapo_is_dropped_from_the_body():
    article, _ = extract("nukeviet", "so-ket-cchc-6-thang-dau-nam-2021-101")
    assert article.text.count("Sáng ngày 01/7/2021") == 1
    assert article.lead.startswith("(Backan.gov.vn) - Sáng ngày 01/7/2021")


def test_windows_1258_page_is_decoded_from_header_or_meta():
    raw = (SITES / "sharepoint" / "pages/view-detail-216.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    from_header, expected = extract("sharepoint", "216", encoding="windows-1258")
    from_meta, _ = extract("sharepoint", "216")
    assert from_header.text == from_meta.text
    assert from_header.title == "Sở Tư pháp công bố 24 thủ tục hành chính được sửa đổi, bổ sung"
    assert unicodedata.is_normalized("NFC", from_header.text)


def test_decode_html_falls_back_to_windows_1258_without_any_charset():
    text = "<p>Cải cách hành chính: thủ tục được giải quyết đúng hạn</p>"
    raw = unicodedata.normalize("NFD", text).encode("utf-8")
    assert decode_html(raw) == text
    cp1258 = bytes.fromhex("4361d269206361ec6368")  # "Cải cách" in windows-1258: a + hook (D2), a + acute (EC)
    assert decode_html(cp1258) == "Cải cách"


def test_decomposed_unicode_page_becomes_nfc():
    raw = (SITES / "liferay" / "content/hoi-nghi-truc-tuyen-de-an-06.html").read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", raw)
    article, expected = extract("liferay", "hoi-nghi-truc-tuyen-de-an-06")
    assert article.title == expected["title"]
    assert unicodedata.is_normalized("NFC", article.text)
    assert article.author == "THANH HẢI"


def test_canonical_url_comes_from_the_page_or_the_cleaned_url():
    article, _ = extract("nukeviet", "so-ket-cchc-6-thang-dau-nam-2021-101")
    assert article.canonical_url == BASE + "/news/cai-cach-hanh-chinh/so-ket-cchc-6-thang-dau-nam-2021-101.html"
    html = (SITES / "sharepoint" / "pages/view-detail-215.html").read_bytes()
    article = article_from_html(html, BASE + "/Pages/View_Detail.aspx?utm_source=zalo&ItemID=215#top")
    assert article.canonical_url == BASE + "/Pages/View_Detail.aspx?ItemID=215"


@pytest.mark.parametrize(
    "site,path,url_path",
    [
        ("nukeviet", "news/cai-cach-hanh-chinh/index.html", "/news/cai-cach-hanh-chinh/"),
        ("nukeviet", "news/cai-cach-hanh-chinh/page-2/index.html", "/news/cai-cach-hanh-chinh/page-2/"),
        ("sharepoint", "pages/tintuc-1.html", "/Pages/TinTuc.aspx"),
        ("liferay", "tin-tuc-2.html", "/web/guest/tin-tuc?p_p_id=101_INSTANCE_Xk7aPq&_101_INSTANCE_Xk7aPq_cur=2"),
        ("newspaper", "chuyen-muc/cai-cach-hanh-chinh/index.html", "/chuyen-muc/cai-cach-hanh-chinh/"),
    ],
)
def test_listing_pages_are_not_articles(site, path, url_path):
    html = (SITES / site / path).read_bytes()
    assert not is_article_page(html, BASE + url_path)
    assert not is_article_page(html)  # from the markup alone


@pytest.mark.parametrize("site,key", sorted(PAGES))
def test_article_pages_are_articles_by_url_and_by_markup(site, key):
    expected = read_expected(site, key)
    html = (SITES / site / PAGES[site, key]).read_bytes()
    assert is_article_page(html, BASE + expected["url"])
    assert is_article_page(html)


def test_page_without_article_text_raises_input_error():
    with pytest.raises(InputError, match="no article text"):
        article_from_html("<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>", BASE + "/x")
    with pytest.raises(InputError, match="no headline"):
        article_from_text("Skip to main content\nThứ Ba, 19/02/2019\n")


# --------------------------------------------------------------------------- text dumps

DUMP_CASES = {
    "portal_two_dates.txt": dict(
        title="Tổng kết thí điểm tiếp nhận hồ sơ thủ tục hành chính không phụ thuộc địa giới hành chính",
        published="2022-11-14T16:05:40+07:00",  # not the visit clock 08/03/2023 above it
        author="T.V",
        source="Travinh.gov.vn",
        lead_start="(Travinh.gov.vn) –Ngày 11/11/2022",
        captions=["Ảnh: Bà Trần Thị Ngọc Hà- Phó Chủ tịch UBND tỉnh phát biểu tại hội nghị"],
        body_paragraphs=2,
    ),
    "repeated_lead.txt": dict(
        title="UBND tỉnh đánh giá kết quả thực hiện cơ chế một cửa năm 2022",
        published="2022-12-15",
        author=None,
        source="hanamtv.vn",
        lead_start="Chiều ngày 13/12, UBND tỉnh",
        captions=["Đồng chí Trương Quốc Huy phát biểu khai mạc hội nghị", "Quang cảnh hội nghị"],
        body_paragraphs=2,
    ),
    "toolbar_no_date.txt": dict(
        title="Sở Nội vụ hướng dẫn chấm điểm Chỉ số cải cách hành chính năm 2023",
        published=None,  # "Sáng 05/9/2023" is the event, not a dateline
        author="Thảo Nguyên",
        source=None,
        lead_start="Sáng 05/9/2023, Sở Nội vụ",
        captions=["Quang cảnh hội nghị", "Đồng chí Giám đốc Sở Nội vụ phát biểu tại hội nghị"],
        body_paragraphs=2,
    ),
    "newspaper_footer.txt": dict(
        title="Thị xã Vĩnh Châu rút ngắn thời gian giải quyết hồ sơ đất đai",
        published="2023-06-12T08:30:00+07:00",
        author="Minh Khoa",
        source="Báo Sóc Trăng",
        lead_start="STO - Sau 5 tháng",
        captions=["Các đại biểu tham quan Bộ phận một cửa."],
        body_paragraphs=2,
    ),
    "comment_form.txt": dict(
        title="Kiểm tra công tác cải cách hành chính tại Sở Tài chính",
        published="2023-09-12T15:30:00+07:00",
        author="P.V",
        source=None,
        lead_start="Ngày 11/9, Đoàn kiểm tra",
        captions=["Các đại biểu dự buổi kiểm tra."],
        body_paragraphs=2,
    ),
}


@pytest.mark.parametrize("name", sorted(DUMP_CASES))
def test_text_dump(name):
    case = DUMP_CASES[name]
    path = DUMPS / name
    article = article_from_text(path.read_text(encoding="utf-8"), path=path)
    assert article.title == case["title"]
    assert article.published == case["published"]
    assert article.published_source == ("text" if case["published"] else None)
    assert article.author == case["author"]
    assert article.source == case["source"]
    assert article.lead.startswith(case["lead_start"])
    assert article.captions == case["captions"]
    assert len(article.body.split("\n\n")) == case["body_paragraphs"]
    assert article.path == str(path)
    assert article.extractor.startswith("text cchc_nlp/")
    chrome = [
        "Các tin khác",
        "Skip to main content",
        "Chế độ ban đêm",
        "FormShield",
        "Tổng Biên tập",
        "Giấy phép",
        "Bình Luận",
        "Đánh giá",
        "hoinghi1.jpg",
        "Nguồn tin",
        "Số ký tự",
        "-A A +A",
        "GMT +7",
        "Lượt xem",
    ]
    for piece in chrome:
        assert piece not in article.text, piece
    for caption in case["captions"]:
        assert caption not in article.text
    assert article.text.count(article.lead) == 1  # a repeated lead is dropped


def test_text_dump_province_from_the_source_domain():
    article = article_from_text((DUMPS / "portal_two_dates.txt").read_text(encoding="utf-8"))
    assert article.province == "Trà Vinh"


def test_text_dump_with_url_gets_canonical_url_and_host_source():
    article = article_from_text(
        (DUMPS / "comment_form.txt").read_text(encoding="utf-8"),
        url="https://www.Example.gov.vn/tin/a.html?utm_source=x#b",
    )
    assert article.canonical_url == "https://www.example.gov.vn/tin/a.html"
    assert article.source == "example.gov.vn"


def test_text_dump_bytes_must_be_utf8():
    with pytest.raises(InputError, match="not UTF-8"):
        article_from_text("Cải cách hành chính".encode("utf-16"))


# --------------------------------------------------------------------------- shared rules


@pytest.mark.parametrize(
    "line,author",
    [
        ("N.H", "N.H"),
        ("P.V", "P.V"),
        ("H.Lan", "H.Lan"),
        ("Khánh Ly", "Khánh Ly"),
        ("GIA KHÁNH", "GIA KHÁNH"),
        ("Bài, ảnh: Huỳnh Đức", "Huỳnh Đức"),
        ("Tin, ảnh: Thúy Hằng", "Thúy Hằng"),
        ("Kết thúc hội nghị.", None),
        ("Đây là một câu bình thường trong bài", None),
    ],
)
def test_byline_is_taken_from_the_last_line(line, author):
    result = clean_paragraphs(["Đoạn mở đầu của bài viết về cải cách hành chính.", "Đoạn thân bài.", line])
    assert result.author == author
    assert (line in result.paragraphs) == (author is None)


def test_theo_line_is_a_source():
    result = clean_paragraphs(["Đoạn mở đầu của bài viết.", "Theo baochinhphu.vn"])
    assert result.source == "baochinhphu.vn"
    assert result.author is None


def test_stop_lines_cut_and_footers_drop():
    result = clean_paragraphs(
        [
            "Đoạn một.",
            "Điện thoại: 0299 3 822499 - Fax: 0299 3 622049",
            "Đoạn hai.",
            "Tin cùng chuyên mục",
            "Một tin khác ở dưới",
        ]
    )
    assert result.paragraphs == ["Đoạn một.", "Đoạn hai."]


def test_bundled_profiles_load_and_unknown_names_fail_clearly(tmp_path):
    profiles = site_profiles()
    assert {"nukeviet", "sharepoint", "liferay", "newspaper"} <= set(profiles)
    with pytest.raises(DataError, match="unknown site profile 'joomla'"):
        get_profile("joomla")
    custom = tmp_path / "so-noi-vu-x.json"
    custom.write_text(
        json.dumps({"name": "so-noi-vu-x", "match": {"hosts": ["sonoivu.x.gov.vn"]}, "body": [".noi-dung"]}),
        encoding="utf-8",
    )
    assert get_profile(str(custom)).body == (".noi-dung",)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "broken", "body": "not a list"}), encoding="utf-8")
    with pytest.raises(DataError, match="must be a list"):
        get_profile(str(broken))


def test_profile_file_for_a_new_site_needs_no_code(tmp_path):
    html = (
        "<html><body><div class='khung'><div class='tieu-de-bai'>Huyện A công bố 12 thủ tục hành chính mới</div>"
        "<div class='ngay'>Cập nhật: 18:39, 02/03/2018</div><div class='noi-dung'><p>Ngày 1/3, UBND huyện A công bố "
        "12 thủ tục hành chính mới thuộc lĩnh vực đất đai, giảm 30% thời gian giải quyết.</p><p>Người dân có thể nộp "
        "hồ sơ trực tuyến mức độ 4 trên Cổng dịch vụ công của tỉnh.</p></div></div></body></html>"
    )
    profile = tmp_path / "huyen-a.json"
    profile.write_text(
        json.dumps({"name": "huyen-a", "title": [".tieu-de-bai"], "published": [".ngay"], "body": [".noi-dung"]}),
        encoding="utf-8",
    )
    article = article_from_html(html, "http://huyena.example.gov.vn/tin/1", profile=str(profile))
    assert article.title == "Huyện A công bố 12 thủ tục hành chính mới"
    assert article.published == "2018-03-02T18:39:00+07:00"
    assert article.extractor.startswith("profile:huyen-a/1")


def test_choose_profile_by_url_shape_and_markers():
    assert choose_profile(BASE + "/Pages/View_Detail.aspx?ItemID=3", "").name == "sharepoint"
    assert choose_profile(BASE + "/x", '<meta name="generator" content="NukeViet v4.5">').name == "nukeviet"
    assert choose_profile(BASE + "/web/guest/a/-/asset_publisher/Q/content/b", "").name == "liferay"
    assert choose_profile(BASE + "/a.html", "<html></html>").name == "newspaper"


def test_dates_of_the_related_news_list_are_not_the_article_date():
    html = """<html><body><div class="news-detail"><h2 class="title">Kiểm tra công tác cải cách hành chính tại Sở Công Thương</h2>
    <div class="content"><p>Ngày 24/9, Đoàn kiểm tra của tỉnh làm việc tại Sở Công Thương về kết quả giải quyết thủ tục hành chính.</p>
    <p>Từ đầu năm, Sở tiếp nhận 2.314 hồ sơ, giải quyết đúng hạn 2.300 hồ sơ.</p></div></div>
    <div class="other-news"><h3>Các tin khác</h3><ul><li><a href="View_Detail.aspx?ItemID=1">Tin cũ</a> <span class="date">(03/08/2020)</span></li></ul></div>
    </body></html>"""
    article = article_from_html(html, BASE + "/Pages/View_Detail.aspx?ItemID=9")
    assert article.extractor.startswith("profile:sharepoint/")
    assert article.published is None
    assert "Tin cũ" not in article.text


# --------------------------------------------------------------------------- the fixture portals (issue 11)

PORTALS = sorted(p.parent for p in SITES.glob("*/site.json"))


def _portal_pages():
    for site in PORTALS:
        routes = json.loads((site / "routes.json").read_text(encoding="utf-8"))
        manifest = json.loads((site / "site.json").read_text(encoding="utf-8"))
        for expected_file in sorted((site / "expected").glob("*.txt")):
            header, _, text = expected_file.read_text(encoding="utf-8").partition("----\n")
            fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
            fields = {k: None if v == "null" else v for k, v in fields.items()}
            route = routes.get(fields["url"])
            path = site / route["file"] if route else site / fields["url"].lstrip("/")
            html = (path / "index.html" if path.is_dir() else path).read_bytes()
            yield site.name, html, fields, text.strip(), manifest["captions"].get(fields["url"], [])


@pytest.mark.parametrize("profile", [None, "generic"])
def test_fixture_portals_are_extracted_exactly_with_and_without_profiles(profile):
    wrong = []
    pages = list(_portal_pages())
    assert len(pages) == 44
    for site, html, expected, text, captions in pages:
        article = article_from_html(html, BASE + expected["url"], profile=profile)
        got = {
            "title": article.title,
            "published": article.published,
            "author": article.author,
            "text": "\n\n".join(p for p in (article.lead, article.body) if p),
        }
        for key in got:
            if got[key] != (text if key == "text" else expected[key]):
                wrong.append(f"{site}{expected['url']} {key}: {got[key]!r}")
        if not set(captions) <= set(article.captions) or any(c in article.text for c in captions):
            wrong.append(f"{site}{expected['url']} captions: {article.captions}")
    assert not wrong


def test_a_date_only_in_an_image_path_is_no_publication_date():
    html = (SITES / "aspnet" / "_r" / "ChiTietTin.aspx_id_1547.html").read_bytes()
    for profile in (None, "generic"):
        article = article_from_html(html, BASE + "/ChiTietTin.aspx?id=1547", profile=profile)
        assert article.published is None  # not the header clock 06/12/2026, not /uploads/2021/06/
        assert article.published_source == "none: only an image path carries a date (2021-06)"
    html = (
        "<html><head><title>Hải Hậu công khai đường dây nóng</title></head><body><h1>Hải Hậu công khai đường dây "
        "nóng</h1><div><p>UBND huyện Hải Hậu vừa công khai số điện thoại đường dây nóng tiếp nhận phản ánh.</p>"
        "<p>Mọi phản ánh đều được phản hồi trong thời hạn 5 ngày làm việc kể từ ngày tiếp nhận.</p></div></body></html>"
    )
    article = article_from_html(html, "http://x.vn/2021/06/15/duong-day-nong.html")
    assert article.published is None and article.published_source.startswith("none: only a URL")
