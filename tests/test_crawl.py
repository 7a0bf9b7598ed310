"""cchc_nlp.crawl: whole crawls of the fixture sites on local servers, kills and resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from cchc_nlp.cli import main as cli_main
from cchc_nlp.crawl import CrawlOptions, CrawlState, crawl, parse_feed
from cchc_nlp.ingest.archive import iter_archived_pages
from cchc_nlp.page import is_article_page
from cchc_nlp.testing import start_fixture_server

SITES = Path(__file__).parent / "fixtures" / "sites"
ROOT = Path(__file__).resolve().parent.parent
NUKEVIET_START = "/news/cai-cach-hanh-chinh/"
NUKEVIET_ARTICLES = [
    "/news/cai-cach-hanh-chinh/so-ket-cchc-6-thang-dau-nam-2021-101.html",
    "/news/cai-cach-hanh-chinh/kiem-tra-cchc-tai-huyen-cho-don-102.html",
    "/news/cai-cach-hanh-chinh/buu-chinh-cong-ich-trong-giai-quyet-tthc-103.html",
]
NUKEVIET_PAGES = [
    NUKEVIET_START,
    "/news/cai-cach-hanh-chinh/page-2/",
    "/news/tin-tuc/so-ket-cchc-6-thang-dau-nam-2021-101.html",
    *NUKEVIET_ARTICLES,
]


def options(server, start: str, out: Path, **overrides) -> CrawlOptions:
    values = dict(
        start_urls=[server.base_url + start],
        out=out,
        delay=0.0,
        allow_private=True,
        trust_env=False,
        connect_timeout=1.0,
        read_timeout=1.5,  # the slow fixture route waits 3 s; a loaded machine may take 0.5 s for others
        retries=1,
        backoff=0.01,
        fsync=False,
        quiet=True,
    )
    values.update(overrides)
    return CrawlOptions(**values)


def articles(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]


def expected_titles(site: str) -> set[str]:
    titles = set()
    for path in (SITES / site / "expected").glob("*.txt"):
        header = path.read_text(encoding="utf-8").split("----\n")[0]
        titles.add(dict(line.split(": ", 1) for line in header.strip().splitlines())["title"])
    return titles


def archived_ok_urls(out: Path) -> Counter:
    return Counter(p.url for p in iter_archived_pages(out) if p.status == 200)


def page_requests(server) -> Counter:
    return Counter(r.path for r in server.requests if r.path != "/robots.txt")


@pytest.fixture
def nukeviet():
    server = start_fixture_server(SITES / "nukeviet")
    yield server
    server.stop()


def test_nukeviet_crawl_follows_pagination_and_dedupes(nukeviet, tmp_path):
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path))
    found = articles(tmp_path)
    assert {a["title"] for a in found} == expected_titles("nukeviet")
    assert all(a["extractor"].startswith("profile:nukeviet/") for a in found)
    assert summary.counts == {"done": 5, "duplicate": 1, "refused": 1}
    state = CrawlState(tmp_path / "crawl.sqlite")
    duplicate = state.get(nukeviet.base_url + "/news/tin-tuc/so-ket-cchc-6-thang-dau-nam-2021-101.html")
    assert duplicate["status"] == "duplicate" and duplicate["duplicate_of"].endswith(
        "/news/cai-cach-hanh-chinh/so-ket-cchc-6-thang-dau-nam-2021-101.html"
    )
    admin = state.get(nukeviet.base_url + "/admin/bai-viet-noi-bo.html")
    assert admin["status"] == "refused" and "robots.txt" in admin["reason"]
    assert state.get(nukeviet.base_url + NUKEVIET_ARTICLES[0])["etag"]
    state.close()
    assert nukeviet.count("/admin/bai-viet-noi-bo.html") == 0
    assert page_requests(nukeviet) == Counter({path: 1 for path in NUKEVIET_PAGES})
    # the WARC holds robots.txt and every page once; listings are told apart from articles
    archived = list(iter_archived_pages(tmp_path))
    assert Counter(p.url for p in archived) == Counter(
        {nukeviet.base_url + p: 1 for p in ["/robots.txt", *NUKEVIET_PAGES]}
    )
    kinds = {p.url.replace(nukeviet.base_url, ""): is_article_page(p.body, p.url) for p in archived if p.ok}
    assert [path for path, is_article in kinds.items() if not is_article] == [
        NUKEVIET_START,
        "/news/cai-cach-hanh-chinh/page-2/",
    ]
    # Crawl-delay: 0.05 in robots.txt is honoured although --delay is 0
    times = [r.time for r in nukeviet.requests]
    assert all(b - a >= 0.045 for a, b in pairwise(times[1:]))


def test_finished_crawl_rerun_fetches_nothing_and_refresh_is_conditional(nukeviet, tmp_path):
    crawl(options(nukeviet, NUKEVIET_START, tmp_path))
    before = len(nukeviet.requests)
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path))
    assert summary.fetched == 0 and len(nukeviet.requests) == before
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path, refresh=True))
    again = [r for r in nukeviet.requests[before:] if r.path != "/robots.txt"]
    assert len(again) == 5  # the listing, its page 2 and the 3 articles, revalidated (not the duplicate)
    assert all("If-None-Match" in r.headers for r in again)
    assert Counter(p.status for p in iter_archived_pages(tmp_path))[304] == 5
    assert {a["title"] for a in articles(tmp_path)} == expected_titles("nukeviet")
    assert summary.counts["done"] == 5


def test_max_pages_counts_articles_and_max_listings_listings(nukeviet, tmp_path):
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path, max_pages=2))
    assert summary.fetched == 3 and summary.articles == 2  # the listing, then two articles
    assert len(page_requests(nukeviet)) == 3 and summary.counts["pending"] >= 1
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path, max_pages=2))
    assert summary.fetched == 0  # the limit counts the whole crawl, not one run
    before = len(nukeviet.requests)
    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path / "b", max_listings=1))
    assert "/news/cai-cach-hanh-chinh/page-2/" not in [r.path for r in nukeviet.requests[before:]]
    assert summary.articles == 2 and summary.counts["pending"] == 1  # the articles of page 1 fetched, page 2 waits


def test_since_skips_old_articles_without_fetching_them(nukeviet, tmp_path):
    from datetime import date

    summary = crawl(options(nukeviet, NUKEVIET_START, tmp_path, since=date(2021, 6, 1)))
    assert nukeviet.count(NUKEVIET_ARTICLES[2]) == 0  # dated 10/05/2021 on the listing page
    state = CrawlState(tmp_path / "crawl.sqlite")
    assert state.get(nukeviet.base_url + NUKEVIET_ARTICLES[2])["status"] == "old"
    state.close()
    assert len(articles(tmp_path)) == 2 and summary.counts["old"] == 1


def _dated_listing_site(root: Path, dated_items: bool, oldest_first: bool = False) -> list[str]:
    """/tin-tuc/ and page-2 ... page-5.html, newest first (or oldest first), 3 articles a page, every
    page linking pages 1-5 and the next; article k published 3k days before 30/06/2024 (dates on the
    listing too when `dated_items`). The article URLs, newest first."""
    from datetime import date, timedelta

    from extract_corpus import Sample

    urls, days = [], []
    for k in range(15):
        sample, day = Sample(200 + k), date(2024, 6, 30) - timedelta(days=3 * k)
        url, title = f"/tin-tuc/bai-viet-so-{k}.html", f"{sample.title} (bài {k})"
        paragraphs = "".join(f"<p>{p}</p>" for p in sample.paragraphs)
        (root / "tin-tuc").mkdir(parents=True, exist_ok=True)
        (root / url.lstrip("/")).write_text(
            f"<html><head><title>{title}</title></head><body><ul class='menu'><li><a href='/'>Trang chủ</a></li></ul>"
            f"<h1>{title}</h1><div class='date'>Ngày đăng: {day:%d/%m/%Y}</div><div class='content'>{paragraphs}"
            "</div></body></html>",
            encoding="utf-8",
        )
        urls.append(url)
        days.append(day)
    order = list(range(15))[::-1] if oldest_first else list(range(15))
    for page in range(1, 6):
        items = "".join(
            f"<div class='item'><h3><a href='{urls[k]}'>{Sample(200 + k).title} (bài {k})</a></h3>"
            + (f"<span class='date'>{days[k]:%d/%m/%Y}</span>" if dated_items else "")
            + "<p>Tin về công tác cải cách hành chính của huyện trong kỳ báo cáo, kết quả và nhiệm vụ.</p></div>"
            for k in order[3 * (page - 1) : 3 * page]
        )
        bar = " ".join(
            f"<a href='/tin-tuc/page-{n}.html'>{n}</a>" if n > 1 else "<a href='/tin-tuc/'>1</a>" for n in range(1, 6)
        )
        bar += f" <a href='/tin-tuc/page-{page + 1}.html'>Sau »</a>" if page < 5 else ""
        html = f"<html><body><div class='list'>{items}</div><div class='pager'>{bar}</div></body></html>"
        target = root / "tin-tuc" / ("index.html" if page == 1 else f"page-{page}.html")
        target.write_text(html, encoding="utf-8")
    return urls


@pytest.mark.parametrize("dated_items", [False, True])
def test_since_ends_a_pagination_chain_once_its_items_are_older(tmp_path, dated_items):
    """Page 2 lists 3 articles on both sides of --since, page 3 only older ones: pages 4 and 5
    (linked from page 1 already) are not fetched, nor are their articles. Without dates on the
    listing, the articles' own dates decide (fetched first); with them, old articles are not fetched."""
    from datetime import date

    urls = _dated_listing_site(tmp_path / "site", dated_items)
    with start_fixture_server(tmp_path / "site") as server:
        summary = crawl(options(server, "/tin-tuc/", tmp_path / "c", since=date(2024, 6, 18), quiet=False))
        requested = {r.path for r in server.requests}
    assert {"/tin-tuc/", "/tin-tuc/page-2.html", "/tin-tuc/page-3.html"} <= requested
    assert not {"/tin-tuc/page-4.html", "/tin-tuc/page-5.html"} & requested
    assert not set(urls[9:]) & requested  # the articles of pages 4 and 5
    fetched_articles = set(urls[:9] if not dated_items else urls[:5])
    assert requested & set(urls) == fetched_articles
    assert sorted(a["url"] for a in articles(tmp_path / "c")) == sorted(server.base_url + u for u in urls[:5])
    state = CrawlState(tmp_path / "c" / "crawl.sqlite")
    page4 = state.get(server.base_url + "/tin-tuc/page-4.html")
    state.close()
    assert page4["status"] == "old" and "page-3.html, whose items are all before --since 2024-06-18" in page4["reason"]
    assert summary.counts["old"] == 2 + 4  # pages 4 and 5; articles 5-8


@pytest.mark.parametrize("dated_items", [False, True])
def test_since_ends_no_chain_of_a_listing_that_runs_oldest_first(tmp_path, dated_items):
    from datetime import date

    urls = _dated_listing_site(tmp_path / "site", dated_items, oldest_first=True)
    with start_fixture_server(tmp_path / "site") as server:
        crawl(options(server, "/tin-tuc/", tmp_path / "c", since=date(2024, 6, 18)))
        requested = {r.path for r in server.requests}
    assert {"/tin-tuc/page-4.html", "/tin-tuc/page-5.html"} <= requested  # page 1 holds the oldest items
    assert sorted(a["url"] for a in articles(tmp_path / "c")) == sorted(server.base_url + u for u in urls[:5])


def test_sharepoint_crawl_windows_1258_and_tracking_parameters(tmp_path):
    with start_fixture_server(SITES / "sharepoint") as server:
        crawl(options(server, "/Pages/TinTuc.aspx", tmp_path))
        found = {a["title"]: a for a in articles(tmp_path)}
        assert set(found) == expected_titles("sharepoint")
        cp1258 = found["Sở Tư pháp công bố 24 thủ tục hành chính được sửa đổi, bổ sung"]
        assert "thẩm quyền giải quyết của Sở Tư pháp" in cp1258["lead"]
        assert server.count("/Pages/View_Detail.aspx?ItemID=215") == 1  # also linked with utm_source/zarsrc
        assert all(a["published"] >= "2022" for a in found.values())  # never the 2019 header clock


def test_liferay_crawl_reads_the_rss_feed_and_iterator_pages(tmp_path):
    with start_fixture_server(SITES / "liferay") as server:
        summary = crawl(options(server, "/web/guest/tin-tuc", tmp_path))
        assert {a["title"] for a in articles(tmp_path)} == expected_titles("liferay")
        assert server.count("/web/guest/tin-tuc/-/asset_publisher/Xk7aPq/rss") == 1
        assert server.count("/web/guest/tin-tuc?p_p_id=101_INSTANCE_Xk7aPq&_101_INSTANCE_Xk7aPq_cur=2") == 1
        assert summary.counts == {"done": 7}  # listing, its ?_cur=1 and ?_cur=2 pages, the feed, 3 articles


def test_newspaper_crawl_survives_a_misbehaving_server(tmp_path):
    with start_fixture_server(SITES / "newspaper") as server:
        summary = crawl(options(server, "/chuyen-muc/cai-cach-hanh-chinh/", tmp_path, max_bytes=200_000))
        assert {a["title"] for a in articles(tmp_path)} == expected_titles("newspaper")
        state = CrawlState(tmp_path / "crawl.sqlite")
        base = server.base_url + "/cai-cach-hanh-chinh/"

        def row(name):
            return state.get(base + name)

        assert row("cat-giam-thoi-gian-cap-phep-xay-dung-20230418.html")["status"] == "done"  # 429, Retry-After: 1
        assert row("mo-hinh-mot-cua-thong-minh-20230425.html")["status"] == "done"  # 503 then 200
        assert server.count("/cai-cach-hanh-chinh/cat-giam-thoi-gian-cap-phep-xay-dung-20230418.html") == 2
        slow, reset = row("phan-hoi-cham-20230501.html"), row("ket-noi-bi-ngat-20230502.html")
        assert slow["status"] == "failed" and "timeout" in slow["reason"]
        assert reset["status"] == "failed" and "network" in reset["reason"]
        moved = row("chuyen-huong-20230503.html")
        assert moved["status"] == "skipped" and "outside the allowed hosts" in moved["reason"]
        assert not any(r.headers.get("Host", "").startswith("localhost") for r in server.requests)
        huge = row("trang-rat-lon-20230504.html")
        assert huge["status"] == "skipped" and huge["reason"].startswith("too-large")
        # a document linked as a listing item is never requested (test_fetch: a PDF fetched is skipped)
        assert state.get(server.base_url + "/uploads/bao-cao-quy-1-2023.pdf") is None
        assert server.count("/uploads/bao-cao-quy-1-2023.pdf") == 0
        assert state.get(server.base_url + "/sitemap.xml")["status"] == "done"
        state.close()
        assert server.count("/tim-kiem") == 0
        archived = {p.url.replace(server.base_url, ""): p for p in iter_archived_pages(tmp_path)}
        assert archived["/cai-cach-hanh-chinh/trang-rat-lon-20230504.html"].truncated == "length"
        statuses = Counter(p.status for p in iter_archived_pages(tmp_path))
        assert statuses[429] == 1 and statuses[503] == 1 and statuses[302] == 1
        assert summary.counts["failed"] == 2


def test_feed_and_sitemap_parsing():
    sitemap = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.vn/b.html?utm_source=x</loc><lastmod>2023-04-12T07:15:00+07:00</lastmod></url></urlset>'
    assert parse_feed(sitemap, "http://a.vn/sitemap.xml") == ([("http://a.vn/b.html", "2023-04-12")], [])
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_feed(index, "http://a.vn/sitemap.xml") == ([], ["http://a.vn/s1.xml"])
    rss = (
        b"<rss><channel><item><link>http://a.vn/c.html</link><pubDate>Tue, 12 Jan 2021 08:00:00 "
        b"+0700</pubDate></item></channel></rss>"
    )
    assert parse_feed(rss, "http://a.vn/rss") == ([("http://a.vn/c.html", "2021-01-12")], [])


def test_cli_refuses_a_bad_start_url(tmp_path, capsys):
    assert cli_main(["crawl", "ftp://a.vn/x", "--out", str(tmp_path / "c")]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err


# --------------------------------------------------------------------------- kill and resume


def run_cli(server, out: Path, kill: str | None = None, delay: str = "0") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("CCHC_CRAWL_TEST_KILL", None)
    if kill:
        env["CCHC_CRAWL_TEST_KILL"] = kill
    command = [
        sys.executable,
        "-m",
        "cchc_nlp",
        "crawl",
        server.base_url + NUKEVIET_START,
        "--out",
        str(out),
        "--delay",
        delay,
        "--allow-private",
        "--quiet",
        "--timeout",
        "2",
        "--retries",
        "1",
    ]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["mid-batch", "after-warc", "after-commit"])
def test_sigkill_then_rerun_loses_nothing_and_fetches_no_archived_page_twice(nukeviet, tmp_path, point):
    killed = run_cli(nukeviet, tmp_path, kill=f"{point}:3")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    third = NUKEVIET_ARTICLES[1]  # the 3rd fetch: listing, article 101, article 102
    assert nukeviet.count(third) == 1
    finished = run_cli(nukeviet, tmp_path)
    assert finished.returncode == 0, finished.stderr
    requests = page_requests(nukeviet)
    # the page whose batch was cut in half was never archived, so it is fetched again
    expected = Counter({path: 1 for path in NUKEVIET_PAGES})
    if point == "mid-batch":
        expected[third] = 2
    assert requests == expected
    assert archived_ok_urls(tmp_path) == Counter(
        {nukeviet.base_url + p: 1 for p in ["/robots.txt", *NUKEVIET_PAGES]}
    ) + Counter({nukeviet.base_url + "/robots.txt": 1})
    assert {a["title"] for a in articles(tmp_path)} == expected_titles("nukeviet")
    state = CrawlState(tmp_path / "crawl.sqlite")
    assert state.counts() == {"done": 5, "duplicate": 1, "refused": 1}
    state.close()


@pytest.mark.slow
def test_external_sigkill_at_a_random_moment(nukeviet, tmp_path):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "CCHC_CRAWL_TEST_KILL"}
    command = [
        sys.executable,
        "-m",
        "cchc_nlp",
        "crawl",
        nukeviet.base_url + NUKEVIET_START,
        "--out",
        str(tmp_path),
        "--delay",
        "0.3",
        "--allow-private",
        "--quiet",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(page_requests(nukeviet)) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    finished = run_cli(nukeviet, tmp_path)
    assert finished.returncode == 0, finished.stderr
    archived = archived_ok_urls(tmp_path)
    pages = {nukeviet.base_url + p for p in NUKEVIET_PAGES}
    assert {u for u in archived if u in pages} == pages  # none lost
    assert all(archived[u] == 1 for u in pages)  # none archived twice
    requests = page_requests(nukeviet)
    assert all(1 <= requests[p] <= 2 for p in NUKEVIET_PAGES) and sum(requests.values()) <= len(NUKEVIET_PAGES) + 1
    assert {a["title"] for a in articles(tmp_path)} == expected_titles("nukeviet")
