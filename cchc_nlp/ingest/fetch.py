"""Polite HTTP fetching of provincial portals (canonical URLs and hosts: `cchc_nlp.ingest.urls`).

`Fetcher.fetch(url)` returns a `FetchResult` holding *every* response it received
(error responses before a retry, redirect hops, the final one), so the crawler can
archive them all. The rules:

* only http/https; hosts outside `FetchPolicy.allowed_hosts` are never contacted,
  redirects included (followed by hand, each hop checked);
* private, loopback, link-local and reserved addresses are refused unless
  `allow_private` (tests and local mirrors);
* robots.txt is honoured (Disallow, and Crawl-delay when longer than our delay); a
  robots.txt answering 5xx or unreachable means "disallow all" for this run, a 4xx
  means "no rules";
* one request at a time per host (the fetcher is single-threaded) and at least
  `delay` seconds between two requests to a host;
* 429/5xx and network errors are retried `max_retries` times with exponential backoff
  (base * 2^n, capped), Retry-After honoured (seconds or HTTP date) up to
  `max_retry_after`, beyond which the fetch gives up;
* conditional requests (If-None-Match / If-Modified-Since) when validators are given;
* bodies over `max_bytes` are cut there and marked, non-HTML types are marked
  skipped (their bytes are still returned for the archive);
* connect and read timeouts, plus a total time limit per response body.

Known limit: the address check resolves the host name before requests connects, so a
DNS answer changing in between (rebinding) is not caught.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from protego import Protego

from cchc_nlp._version import __version__
from cchc_nlp.errors import FetchError
from cchc_nlp.ingest.urls import host_of

__all__ = [
    "DEFAULT_USER_AGENT",
    "user_agent",
    "HTML_TYPES",
    "FEED_TYPES",
    "FetchPolicy",
    "RawResponse",
    "FetchResult",
    "Fetcher",
]


DEFAULT_USER_AGENT = (
    f"cchc-nlp/{__version__} (research crawler of public administrative-reform news; "
    "polite: robots.txt, 1 request/s per host)"
)


def user_agent(contact: str | None = None) -> str:
    """The crawler's User-Agent, with `; contact: ...` only when a contact is given.

    >>> "contact" in user_agent(), user_agent("a@b.vn").endswith("; contact: a@b.vn)")
    (False, True)
    """
    contact = " ".join((contact or "").split())
    return DEFAULT_USER_AGENT if not contact else DEFAULT_USER_AGENT[:-1] + f"; contact: {contact})"


HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may do. `allowed_hosts` holds host_of() values."""

    allowed_hosts: frozenset[str]
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_bytes: int = 10 * 1024 * 1024
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_retry_after: float = 600.0
    max_redirects: int = 5
    allow_private: bool = False
    respect_robots: bool = True
    trust_env: bool = True  # honour HTTP(S)_PROXY / NO_PROXY from the environment

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against ("cchc-nlp")."""
        return self.user_agent.split("/")[0].strip() or "*"


class ResponseHeaders:
    """header() and content_type over a `headers` list of (name, value) pairs; shared by
    live responses and archived ones."""

    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        """An HTTP header (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class RawResponse(ResponseHeaders):
    """One HTTP response as received (body decoded from any Content-Encoding)."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool = False


@dataclass
class FetchResult:
    """The outcome of fetching one URL.

    `responses` holds every response received, in order (retried errors, redirect
    hops, the final one); `final` is the last. `skipped` says why a received page is
    not to be parsed ("too-large", "not-html: application/pdf", "redirect refused:
    ..."); `error` why nothing usable came ("robots.txt disallows ...", "network:
    ...", "gave up after 4 attempts: HTTP 503").
    """

    url: str
    responses: list[RawResponse] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def final(self) -> RawResponse | None:
        return self.responses[-1] if self.responses else None

    @property
    def status(self) -> int | None:
        return self.final.status if self.final else None

    @property
    def final_url(self) -> str:
        return self.final.url if self.final else self.url

    @property
    def ok(self) -> bool:
        """A complete 200 response of an accepted type."""
        return self.error is None and self.skipped is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    def raise_for_error(self) -> FetchResult:
        """Raise FetchError when nothing usable was fetched."""
        if self.error:
            raise FetchError(f"cannot fetch {self.url}: {self.error}")
        if self.skipped:
            raise FetchError(f"fetched {self.url} but skipped it: {self.skipped}")
        return self


def _retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """A polite HTTP client for one crawl (see the module docstring)."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolver: Callable[[str], list[str]] | None = None,
    ):
        self.policy = policy
        self.session = session or requests.Session()
        self.session.trust_env = policy.trust_env
        self.sleep = sleep
        self.clock = clock
        self.resolver = resolver or _resolve
        self._next_time: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_note: dict[str, str] = {}
        self._address_ok: dict[str, str | None] = {}
        self.robots_responses: list[RawResponse] = []  # robots.txt responses, for the archive

    # ----------------------------------------------------------------- policy checks

    def refusal(self, url: str) -> str | None:
        """Why the policy forbids fetching `url` (scheme, host, address), or None."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return f"only http and https URLs are fetched, not {parts.scheme or 'a relative URL'}"
        host = host_of(url)
        if not parts.hostname:
            return "the URL has no host"
        if host not in self.policy.allowed_hosts:
            return f"host {host} is outside the allowed hosts ({', '.join(sorted(self.policy.allowed_hosts))})"
        return self._address_refusal(parts.hostname)

    def _address_refusal(self, hostname: str) -> str | None:
        if self.policy.allow_private:
            return None
        if hostname not in self._address_ok:
            try:
                addresses = self.resolver(hostname)
            except OSError as exc:
                self._address_ok[hostname] = f"cannot resolve {hostname}: {exc}"
                return self._address_ok[hostname]
            reason = None
            for address in addresses:
                ip = ipaddress.ip_address(address.split("%")[0])
                if (
                    ip.is_private
                    or ip.is_loopback
                    or ip.is_link_local
                    or ip.is_reserved
                    or ip.is_multicast
                    or ip.is_unspecified
                ):
                    reason = (
                        f"{hostname} resolves to the private or local address {ip}; pass --allow-private for a local "
                        "mirror"
                    )
                    break
            self._address_ok[hostname] = reason
        return self._address_ok[hostname]

    def robots(self, url: str) -> Protego | None:
        """The parsed robots.txt of the URL's host (fetched once), None when there are no rules."""
        host = host_of(url)
        if host not in self._robots:
            parts = urlsplit(url)
            robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            result = self._fetch_hops(robots_url, {}, accept=None, check_robots=False)
            self.robots_responses.extend(result.responses)
            final = result.final
            if final is not None and final.status == 200 and not result.error:
                self._robots[host] = Protego.parse(final.body.decode("utf-8", errors="replace"))
            elif final is not None and 400 <= final.status < 500:
                self._robots[host] = None
            else:
                why = result.error or f"HTTP {final.status if final else '?'}"
                self._robots[host] = Protego.parse("User-agent: *\nDisallow: /\n")
                self._robots_note[host] = f"robots.txt of {host} is unavailable ({why}); nothing is fetched from it"
        return self._robots[host]

    def allowed_by_robots(self, url: str) -> str | None:
        """None when robots.txt allows the URL, else the reason it does not."""
        if not self.policy.respect_robots:
            return None
        rules = self.robots(url)
        if rules is None or rules.can_fetch(url, self.policy.robots_agent):
            return None
        return (
            self._robots_note.get(host_of(url)) or f"robots.txt of {host_of(url)} disallows {urlsplit(url).path or '/'}"
        )

    def host_delay(self, url: str) -> float:
        """Seconds between two requests to the URL's host: our delay or Crawl-delay, the longer."""
        delay = self.policy.delay
        if self.policy.respect_robots:
            rules = self._robots.get(host_of(url))
            crawl_delay = rules.crawl_delay(self.policy.robots_agent) if rules is not None else None
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        return delay

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs announced by the host's robots.txt."""
        rules = self.robots(url) if self.policy.respect_robots else None
        return list(rules.sitemaps) if rules is not None else []

    # ----------------------------------------------------------------- fetching

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: frozenset[str] | None = HTML_TYPES,
    ) -> FetchResult:
        """Fetch one URL under the policy; never raises for network or HTTP trouble.

        `accept` lists the content types to keep (others are marked skipped "not-html");
        None accepts every type. `etag` / `last_modified` make the request conditional.
        """
        refusal = self.refusal(url)
        if refusal:
            return FetchResult(url=url, error=f"refused: {refusal}")
        robots = self.allowed_by_robots(url)
        if robots:
            return FetchResult(url=url, error=f"refused: {robots}")
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        return self._fetch_hops(url, conditional, accept=accept, check_robots=True)

    def _fetch_hops(
        self, url: str, conditional: dict[str, str], *, accept: frozenset[str] | None, check_robots: bool
    ) -> FetchResult:
        result = FetchResult(url=url)
        current = url
        for _ in range(self.policy.max_redirects + 1):
            response = self._fetch_one(current, conditional if current == url else {}, result)
            if response is None:
                return result
            if response.status not in _REDIRECTS:
                if response.truncated:
                    result.skipped = f"too-large: over {self.policy.max_bytes} bytes"
                elif accept is not None and response.status == 200 and response.content_type not in accept:
                    result.skipped = f"not-html: {response.content_type or 'no content type'}"
                return result
            location = response.header("Location")
            if not location:
                result.skipped = "redirect without a Location header"
                return result
            target = urljoin(current, location)
            refusal = self.refusal(target) or (self.allowed_by_robots(target) if check_robots else None)
            if refusal:
                result.skipped = f"redirect refused: {target}: {refusal}"
                return result
            current = target
        result.error = f"more than {self.policy.max_redirects} redirects"
        return result

    def _wait_turn(self, url: str) -> None:
        host = host_of(url)
        wait = self._next_time.get(host, 0.0) - self.clock()
        if wait > 0:
            self.sleep(wait)

    def _done(self, url: str, extra_wait: float = 0.0) -> None:
        self._next_time[host_of(url)] = self.clock() + max(self.host_delay(url), extra_wait)

    def _fetch_one(self, url: str, conditional: dict[str, str], result: FetchResult) -> RawResponse | None:
        """One URL, with retries; appends every response to result; None on final failure."""
        headers = {
            "User-Agent": self.policy.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5",
            "Accept-Language": "vi,en;q=0.5",
            **conditional,
        }
        policy = self.policy
        for attempt in range(policy.max_retries + 1):
            self._wait_turn(url)
            result.attempts += 1
            try:
                response = self._get(url, headers)
            except requests.RequestException as exc:
                kind = "timeout" if isinstance(exc, requests.Timeout) else "network"
                message = f"{kind}: {type(exc).__name__}: {str(exc)[:200]}"
                backoff = min(policy.backoff_cap, policy.backoff_base * 2**attempt)
                self._done(url, backoff)
                if attempt < policy.max_retries:
                    continue
                result.error = f"gave up after {result.attempts} attempts: {message}"
                return None
            result.responses.append(response)
            if response.status not in _RETRY_STATUSES:
                self._done(url)
                return response
            wait = _retry_after_seconds(response.header("Retry-After")) if response.status in (429, 503) else None
            if wait is not None and wait > policy.max_retry_after:
                self._done(url, wait)
                result.error = (
                    f"HTTP {response.status}: the server asks to retry after {wait:.0f} s (over the "
                    f"{policy.max_retry_after:.0f} s limit)"
                )
                return None
            backoff = min(policy.backoff_cap, policy.backoff_base * 2**attempt)
            self._done(url, wait if wait is not None else backoff)
            if attempt < policy.max_retries:
                continue
            result.error = f"gave up after {result.attempts} attempts: HTTP {response.status}"
            return None
        return None

    def _get(self, url: str, headers: dict[str, str]) -> RawResponse:
        policy = self.policy
        started = time.monotonic()  # real time, whatever clock paces the requests
        with self.session.get(
            url,
            headers=headers,
            timeout=(policy.connect_timeout, policy.read_timeout),
            stream=True,
            allow_redirects=False,
        ) as response:
            header_list = list(response.headers.items())
            declared = response.headers.get("Content-Length")
            truncated = False
            chunks: list[bytes] = []
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                truncated = True
            else:
                size = 0
                for chunk in response.iter_content(chunk_size=65536):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > policy.max_bytes:
                        truncated = True
                        break
                    if time.monotonic() - started > policy.total_timeout:
                        raise requests.Timeout(f"body not received within {policy.total_timeout} s")
            body = b"".join(chunks)[: policy.max_bytes]
            return RawResponse(url, response.status_code, response.reason or "", header_list, body, truncated)


def _resolve(hostname: str) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(hostname, None)})
