"""cchc_nlp.ingest.fetch: the polite HTTP client against local fixture servers (no internet)."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from cchc_nlp.errors import FetchError
from cchc_nlp.ingest.fetch import Fetcher, FetchPolicy, _retry_after_seconds
from cchc_nlp.ingest.urls import canonicalize_url, host_of
from cchc_nlp.testing import start_fixture_server

SITES = Path(__file__).parent / "fixtures" / "sites"
ARTICLE = "/cai-cach-hanh-chinh/tan-phu-giai-quyet-ho-so-dung-han-20230412.html"


class FakeClock:
    """A clock that only moves when the fetcher sleeps: waits are recorded, not spent."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture(scope="module")
def newspaper():
    server = start_fixture_server(SITES / "newspaper")
    yield server
    server.stop()


def make_fetcher(server, clock=None, **overrides):
    options = dict(
        allowed_hosts=frozenset({host_of(server.base_url)}),
        delay=0.0,
        allow_private=True,
        trust_env=False,
        connect_timeout=2,
        read_timeout=2,
        backoff_base=0.01,
        max_retries=2,
    )
    options.update(overrides)
    clock = clock or FakeClock()
    return Fetcher(FetchPolicy(**options), sleep=clock.sleep, clock=clock), clock


def test_ok_page_and_conditional_refetch(newspaper):
    fetcher, _ = make_fetcher(newspaper)
    first = fetcher.fetch(newspaper.base_url + ARTICLE)
    assert first.ok and first.status == 200 and b"detail-content" in first.final.body
    etag = first.final.header("ETag")
    again = fetcher.fetch(newspaper.base_url + ARTICLE, etag=etag, last_modified=first.final.header("Last-Modified"))
    assert again.not_modified and not again.ok and again.final.body == b""
    sent = [r for r in newspaper.requests if r.path == ARTICLE][-1].headers
    assert sent["If-None-Match"] == etag
    assert sent["User-Agent"].startswith("cchc-nlp/") and "PLACEHOLDER" not in sent["User-Agent"]


def test_robots_disallow_and_crawl_delay(newspaper):
    fetcher, clock = make_fetcher(newspaper)
    refused = fetcher.fetch(newspaper.base_url + "/tim-kiem?q=cchc")
    assert refused.error.startswith("refused: robots.txt") and refused.responses == []
    assert newspaper.count("/tim-kiem") == 0
    assert fetcher.host_delay(newspaper.base_url + "/") == pytest.approx(0.1)  # Crawl-delay 0.1 > delay 0
    fetcher.fetch(newspaper.base_url + ARTICLE)
    fetcher.fetch(newspaper.base_url + ARTICLE)
    assert clock.sleeps and all(s == pytest.approx(0.1) for s in clock.sleeps)
    assert fetcher.sitemaps(newspaper.base_url + "/") == [newspaper.base_url + "/sitemap.xml"]
    assert fetcher.robots_responses[0].url == newspaper.base_url + "/robots.txt"


def test_delay_between_requests_to_one_host(newspaper):
    fetcher, clock = make_fetcher(newspaper, delay=1.5)
    for _ in range(3):
        assert fetcher.fetch(newspaper.base_url + ARTICLE).ok
    assert clock.sleeps == [1.5, 1.5, 1.5]  # robots.txt, then 3 pages: each later one waits its turn


def test_429_retry_after_is_honoured(newspaper):
    fetcher, clock = make_fetcher(newspaper)
    path = "/cai-cach-hanh-chinh/cat-giam-thoi-gian-cap-phep-xay-dung-20230418.html"
    result = fetcher.fetch(newspaper.base_url + path)
    assert result.ok and [r.status for r in result.responses] == [429, 200]
    assert 1.0 in clock.sleeps  # Retry-After: 1
    assert result.attempts == 2


def test_503_then_success_with_backoff(newspaper):
    fetcher, clock = make_fetcher(newspaper, backoff_base=0.25)
    result = fetcher.fetch(newspaper.base_url + "/cai-cach-hanh-chinh/mo-hinh-mot-cua-thong-minh-20230425.html")
    assert result.ok and [r.status for r in result.responses] == [503, 200]
    assert 0.25 in clock.sleeps


def test_connection_reset_is_retried_then_reported(newspaper):
    fetcher, clock = make_fetcher(newspaper, max_retries=2, backoff_base=0.5)
    path = "/cai-cach-hanh-chinh/ket-noi-bi-ngat-20230502.html"
    before = newspaper.count(path)
    result = fetcher.fetch(newspaper.base_url + path)
    assert result.error.startswith("gave up after 3 attempts: network") and result.responses == []
    assert newspaper.count(path) - before == 3
    assert [s for s in clock.sleeps if s >= 0.5] == [0.5, 1.0]  # exponential backoff
    with pytest.raises(FetchError, match="cannot fetch"):
        result.raise_for_error()


def test_slow_response_times_out(newspaper):
    fetcher, _ = make_fetcher(newspaper, read_timeout=0.3, max_retries=0)
    result = fetcher.fetch(newspaper.base_url + "/cai-cach-hanh-chinh/phan-hoi-cham-20230501.html")
    assert result.error.startswith("gave up after 1 attempts: timeout")


def test_redirect_to_another_host_is_not_followed(newspaper):
    fetcher, _ = make_fetcher(newspaper)
    result = fetcher.fetch(newspaper.base_url + "/cai-cach-hanh-chinh/chuyen-huong-20230503.html")
    assert result.status == 302 and result.skipped.startswith("redirect refused: http://localhost:")
    assert "outside the allowed hosts" in result.skipped
    assert len(result.responses) == 1


def test_redirect_inside_the_site_is_followed(tmp_path):
    (tmp_path / "moi.html").write_text("<html><body><p>Trang mới</p></body></html>", encoding="utf-8")
    (tmp_path / "routes.json").write_text(
        json.dumps({"/cu.html": {"status": 301, "headers": {"Location": "/moi.html"}}}), encoding="utf-8"
    )
    with start_fixture_server(tmp_path) as server:
        fetcher, _ = make_fetcher(server)
        result = fetcher.fetch(server.base_url + "/cu.html")
        assert result.ok and [r.status for r in result.responses] == [301, 200]
        assert result.final_url == server.base_url + "/moi.html"


def test_huge_page_is_cut_at_the_cap(newspaper):
    fetcher, _ = make_fetcher(newspaper, max_bytes=100_000)
    result = fetcher.fetch(newspaper.base_url + "/cai-cach-hanh-chinh/trang-rat-lon-20230504.html")
    assert result.skipped.startswith("too-large") and result.final.truncated
    assert len(result.final.body) <= 100_000


def test_pdf_is_recorded_and_skipped(newspaper):
    fetcher, _ = make_fetcher(newspaper)
    result = fetcher.fetch(newspaper.base_url + "/uploads/bao-cao-quy-1-2023.pdf")
    assert result.skipped == "not-html: application/pdf"
    assert result.final.body.startswith(b"%PDF")


def test_refusals_before_any_request(newspaper):
    fetcher, _ = make_fetcher(newspaper, allow_private=False)
    assert "private or local address 127.0.0.1" in fetcher.fetch(newspaper.base_url + ARTICLE).error
    fetcher, _ = make_fetcher(newspaper)
    assert "only http and https" in fetcher.fetch("ftp://127.0.0.1/a").error
    assert "outside the allowed hosts" in fetcher.fetch("http://example.org/a").error
    public, _ = make_fetcher(newspaper, allow_private=False, allowed_hosts=frozenset({"cong.example.gov.vn"}))
    public.resolver = lambda host: (
        ["14.225.10.20", "2402:800:6313::1"] if host == "cong.example.gov.vn" else ["10.0.0.2"]
    )
    assert public.refusal("https://cong.example.gov.vn/tin/1") is None
    public.policy = FetchPolicy(allowed_hosts=frozenset({"noi-bo.example.gov.vn"}))
    public.resolver = lambda host: ["10.0.0.2"]
    assert "private or local address 10.0.0.2" in public.refusal("http://noi-bo.example.gov.vn/")


def test_robots_unavailable_means_disallow_all_and_404_means_no_rules(tmp_path):
    (tmp_path / "a.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "routes.json").write_text(
        json.dumps({"/robots.txt": {"status": 503, "body": "down"}}), encoding="utf-8"
    )
    with start_fixture_server(tmp_path) as server:
        fetcher, _ = make_fetcher(server, max_retries=1)
        result = fetcher.fetch(server.base_url + "/a.html")
        assert "robots.txt of" in result.error and "unavailable" in result.error
        assert server.count("/a.html") == 0
    (tmp_path / "routes.json").write_text("{}", encoding="utf-8")
    with start_fixture_server(tmp_path) as server:
        fetcher, _ = make_fetcher(server)
        assert fetcher.fetch(server.base_url + "/a.html").ok


def test_retry_after_beyond_the_limit_gives_up(tmp_path):
    (tmp_path / "routes.json").write_text(
        json.dumps({"/a.html": {"status": 429, "headers": {"Retry-After": "7200"}, "body": "later"}}), encoding="utf-8"
    )
    with start_fixture_server(tmp_path) as server:
        fetcher, clock = make_fetcher(server, max_retry_after=60)
        result = fetcher.fetch(server.base_url + "/a.html")
        assert "retry after 7200 s" in result.error and server.count("/a.html") == 1


def test_retry_after_http_date():
    from datetime import datetime

    now = datetime(2023, 5, 1, 0, 0, 0, tzinfo=UTC)
    assert _retry_after_seconds("Mon, 01 May 2023 00:00:30 GMT", now) == 30
    assert _retry_after_seconds("120") == 120
    assert _retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    "url,canonical",
    [
        ("HTTP://WWW.Tinh.gov.vn:80/Tin/A.html#binh-luan", "http://www.tinh.gov.vn/Tin/A.html"),
        ("https://tinh.gov.vn:443", "https://tinh.gov.vn/"),
        (
            "http://tinh.gov.vn/View_Detail.aspx?utm_source=zalo&ItemID=12&zarsrc=30",
            "http://tinh.gov.vn/View_Detail.aspx?ItemID=12",
        ),
        ("http://tinh.gov.vn/list?page=2&cat=5&fbclid=abc", "http://tinh.gov.vn/list?page=2&cat=5"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"),
    ],
)
def test_canonicalize_url(url, canonical):
    assert canonicalize_url(url) == canonical
