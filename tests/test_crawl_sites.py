"""Generic discovery on the fixture portals of tests/fixtures/sites (eleven CMS styles, each with a
site.json manifest): coverage with profiles off and on, the stop rules, postback paging, --explain."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_nlp.cli import main as cli_main
from cchc_nlp.crawl import discover
from cchc_nlp.crawl.discover import same_listing
from cchc_nlp.crawl.shapes import SiteShapes, shape_regex, url_shape
from cchc_nlp.ingest.fetch import user_agent
from cchc_nlp.page import page_kind
from cchc_nlp.testing import crawl_fixture_site, start_fixture_server

SITES = Path(__file__).parent / "fixtures" / "sites"
PORTALS = sorted(p.parent.name for p in SITES.glob("*/site.json"))
ROOT = Path(__file__).resolve().parent.parent


def manifest(site: str) -> dict:
    return json.loads((SITES / site / "site.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_portal_is_crawled_with_generic_rules_alone_and_with_profiles(tmp_path):
    assert len(PORTALS) >= 9
    problems = []
    for site in PORTALS:
        for profile, needed in (("generic", 0.95), (None, 1.0)):
            result = crawl_fixture_site(SITES / site, tmp_path / f"{site}-{profile}", profile=profile)
            if result.coverage < needed:
                problems.append(
                    f"{site} ({result.profile}): {len(result.found)}/{len(result.expected)}, missed {result.missed}"
                )
            if result.wrong:
                problems.append(f"{site} ({result.profile}): not articles, extracted: {result.wrong}")
    assert not problems


def test_endless_listing_ends_after_pages_without_new_articles(tmp_path):
    result = crawl_fixture_site(SITES / "vnpt", tmp_path, profile="generic")
    assert result.coverage == 1.0 and not result.wrong
    assert result.listing_requests <= 10  # of 38 generated pages and ?page=999 ("Cuối" is not followed)
    assert "without new article links; this pagination chain ends here" in result.log
    assert "page=999" not in result.log


def test_postback_paging_followed_as_get_or_reported(tmp_path):
    result = crawl_fixture_site(SITES / "sharepoint2013", tmp_path / "get", profile="generic")
    assert result.coverage == 1.0
    assert "cai-cach-hanh-chinh.aspx?Page=2" in result.log  # __doPostBack(..., 'Page$2') as GET ?Page=2
    result = crawl_fixture_site(SITES / "sharepoint2013_postback", tmp_path / "post", profile="generic")
    assert result.coverage == 1.0 and not result.wrong
    assert "pagination by ASP.NET postback only" in result.log and "no GET form" in result.log
    assert "?Page=2" not in result.log and "?page=2" not in result.log  # no guessing
    unreachable = manifest("sharepoint2013_postback")["unreachable_articles"]
    assert not set(unreachable) & set(result.found)


def test_sitemaps_of_pages_tags_and_authors_are_left_out(tmp_path):
    result = crawl_fixture_site(SITES / "wordpress", tmp_path, profile="generic")
    assert result.coverage == 1.0 and not result.wrong
    assert "wp-sitemap-posts-page-1.xml: 2 of 2 URLs are not shaped like this site's articles" in result.log


def test_same_listing_and_url_shapes():
    assert same_listing("http://a.vn/news/cchc/", "http://a.vn/news/cchc/page-2.html")
    assert same_listing("http://a.vn/tabid/76/Default.aspx", "http://a.vn/tabid/76/currentpage/3/Default.aspx")
    assert same_listing("http://a.vn/c/x/", "http://a.vn/c/x/page/2/")
    assert same_listing("http://a.vn/l.aspx?cm=5", "http://a.vn/l.aspx?cm=5&Page=2")
    assert same_listing("http://a.vn/x?a_delta=2&a_cur=1", "http://a.vn/x?a_delta=2&a_resetCur=false&a_cur=3")
    assert not same_listing("http://a.vn/l.aspx?cm=5", "http://a.vn/l.aspx?cm=6")
    assert not same_listing("http://a.vn/news/cchc/", "http://a.vn/news/cchc/bai-viet-1127.html")
    assert not same_listing("http://a.vn/news/cchc/", "http://b.vn/news/cchc/page-2.html")
    assert url_shape("http://a.vn/news/cchc/page-2.html") != url_shape(
        "http://a.vn/news/cchc/kiem-tra-cong-vu-1131.html"
    )
    shape = url_shape("http://a.vn/index.php?option=com_content&view=article&id=258%3Akiem-tra-xa&catid=18")
    assert shape == "/index.php?catid={n}&id={n}:{slug}&option=com_content&view=article"
    import re

    pattern = re.compile(shape_regex(shape), re.IGNORECASE)
    assert pattern.search("http://a.vn/index.php?option=com_content&view=article&id=7%3Amot-bai-khac&catid=3")
    assert not pattern.search("http://a.vn/index.php?option=com_content&view=category&id=18")
    shapes = SiteShapes()
    for n in (1, 2):
        shapes.seen_in_block(f"http://a.vn/tin/bai-so-{n}.html")
    assert shapes.trusted("http://a.vn/tin/bai-moi-3.html")
    shapes.fetched("http://a.vn/tin/bai-so-1.html", False)
    shapes.fetched("http://a.vn/tin/bai-so-2.html", False)
    assert not shapes.trusted("http://a.vn/tin/bai-moi-3.html")  # its pages were not articles
    assert SiteShapes.from_json(shapes.to_json()).counts == shapes.counts


def test_a_profile_adds_to_the_generic_rules():
    html = (SITES / "nukeviet4" / "news/cai-cach-hanh-chinh/page-3.html").read_bytes()
    url = "http://h/news/cai-cach-hanh-chinh/page-3.html"
    with_profile = {link.url for link in discover(html, url, None).articles}
    from cchc_nlp.page import get_profile

    nukeviet = {link.url: link for link in discover(html, url, get_profile("nukeviet")).articles}
    assert with_profile <= set(nukeviet)
    assert nukeviet["http://h/Portal/Pages/View_Detail.aspx?ItemID=77"].rule == "profile"


@pytest.mark.parametrize(
    "site,path",
    [
        ("dnn", "_r/tabid_76_CategoryID_12_Default.aspx.html"),
        ("liferay7", "_r/web_guest_tin-tuc_cai-cach-hanh-chinh_-_categories_40121.html"),
        ("baotinh", "su-kien/cai-cach-hanh-chinh-2023-57.htm"),
        ("vnpt", "pages/news/chuyen-de-cai-cach-hanh-chinh-2020.html"),
        ("nukeviet4", "_r/news_tag_mot-cua-lien-thong.html"),
        ("joomla", "_r/index.php_option_com_tags_view_tag_id_7_mot-cua_Itemid_140.html"),
        ("wordpress", "category/cai-cach-hanh-chinh/page/2/index.html"),  # og:type article (a theme bug)
        ("viettel", "_r/tin-tuc_cai-cach-hanh-chinh_chuyen-doi-so.html"),  # the URL shape of an article
    ],
)
def test_category_and_tag_pages_with_long_introductions_are_not_articles(site, path):
    kind = page_kind((SITES / site / path).read_bytes(), "http://h/x")
    assert not kind.is_article, kind.reason


def test_explain_shows_rules_and_saves_a_profile_that_crawls_the_site(tmp_path, capsys):
    with start_fixture_server(SITES / "dnn") as server:
        code = cli_main(
            [
                "crawl",
                "--explain",
                server.base_url + "/tabid/76/Default.aspx",
                "--allow-private",
                "--delay",
                "0",
                "--profile",
                "generic",
                "--save-profile",
                str(tmp_path / "bentre.json"),
            ]
        )
    shown = capsys.readouterr().out
    assert code == 0
    assert "the page is a LISTING" in shown and "repeated block ul.latest > li a ×4 (4 dated)" in shown
    assert "/tabid/{n}/ArticleID/{n}/Default.aspx" in shown and "page 2 of this listing" in shown
    assert "in page chrome" in shown and "not in a repeated item block, no article URL shape" in shown
    saved = json.loads((tmp_path / "bentre.json").read_text(encoding="utf-8"))
    assert saved["listing"]["article_links"] and saved["article_url_patterns"]
    result = crawl_fixture_site(SITES / "dnn", tmp_path / "crawl", profile=str(tmp_path / "bentre.json"))
    assert result.coverage == 1.0 and not result.wrong


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_crawl_whose_start_urls_all_fail_exits_non_zero_with_one_line(tmp_path):
    command = [
        sys.executable,
        "-m",
        "cchc_nlp",
        "crawl",
        f"http://127.0.0.1:{_closed_port()}/tin-tuc/",
        "--out",
        str(tmp_path / "c"),
        "--allow-private",
        "--delay",
        "0",
        "--retries",
        "0",
        "--quiet",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cchc-nlp crawl: error: no start URL could be crawled")
    refused = subprocess.run(
        [*command[:4], "http://10.0.0.1/tin-tuc/", *command[5:7]], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1 and "private or local address" in refused.stderr


def test_user_agent_carries_no_placeholder():
    assert "PLACEHOLDER" not in user_agent() and "contact" not in user_agent()
    assert user_agent("nhom@truong.edu.vn").endswith("; contact: nhom@truong.edu.vn)")
