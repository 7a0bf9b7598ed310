"""A local HTTP server for fixture sites (tests, notebooks, local mirrors).

`serve(root)` starts a thread on 127.0.0.1 (port 0: the OS picks one) serving the
files under `root` and returns `(base_url, stop)`. `start_fixture_server(root)` returns
the FixtureServer itself, whose `requests` log lets a test count fetches.
`crawl_fixture_site(site, out)` crawls a fixture portal that has a `site.json` manifest
(tests/fixtures/sites/README.md) and scores the crawl against it.

Files map to URL paths ("/a/" -> a/index.html). An optional `routes.json` in `root`
maps a path, or a path with its query string, to a behaviour:

    {"file": "x.html"}                       serve that file (relative to root)
    {"status": 302, "headers": {...}}        any status and headers ("{port}", "{base}" filled in)
    {"body": "text"}                         a literal body
    {"content_type": "..."}                  instead of the type guessed from the extension
    {"template": true}                       fill "{base}" and "{port}" in the body
    {"delay": 3.0}                           wait before answering (timeouts)
    {"reset": true}                          close the connection with a TCP reset
    {"generate_bytes": N}                    an HTML page of N bytes (size caps)
    {"sequence": [spec, spec, ...]}          the n-th request gets the n-th spec (the last repeats)

Every response carries an ETag and Last-Modified and honours If-None-Match with 304.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = ["FixtureServer", "RequestRecord", "serve", "start_fixture_server", "SiteCrawl", "crawl_fixture_site"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".json": "application/json",
}
_LAST_MODIFIED = "Mon, 01 May 2023 00:00:00 GMT"


@dataclass(frozen=True)
class RequestRecord:
    """One request the server received."""

    method: str
    path: str  # path and query as sent
    headers: dict[str, str]
    time: float


@dataclass
class FixtureServer:
    """A running fixture server; see the module docstring."""

    root: Path
    host: str = "127.0.0.1"
    requests: list[RequestRecord] = field(default_factory=list)
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counters: dict[str, int] = field(default_factory=dict)

    def start(self) -> FixtureServer:
        self.root = Path(self.root).resolve()
        routes_file = self.root / "routes.json"
        self.routes: dict[str, dict] = (
            json.loads(routes_file.read_text(encoding="utf-8")) if routes_file.exists() else {}
        )
        handler = type("Handler", (_Handler,), {"fixture": self})
        self._server = ThreadingHTTPServer((self.host, 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def count(self, path: str) -> int:
        """How many GET requests asked for this path (with its query, if given)."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.method == "GET" and (r.path == path or r.path.split("?")[0] == path and "?" not in path)
            )

    def _next_spec(self, key: str, route: dict) -> dict:
        sequence = route.get("sequence")
        if not sequence:
            return route
        with self._lock:
            n = self._counters.get(key, 0)
            self._counters[key] = n + 1
        return sequence[min(n, len(sequence) - 1)]

    def __enter__(self) -> FixtureServer:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fixture: FixtureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        fixture = self.fixture
        with fixture._lock:
            fixture.requests.append(RequestRecord("GET", self.path, dict(self.headers.items()), time.monotonic()))
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        key = f"{path}?{parts.query}" if parts.query else path
        route = fixture.routes.get(key) or (fixture.routes.get(path) if not parts.query else None)
        spec = fixture._next_spec(key, route) if route else {}
        if spec.get("delay"):
            time.sleep(float(spec["delay"]))
        if spec.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        status = int(spec.get("status", 200))
        headers = {k: self._fill(v) for k, v in (spec.get("headers") or {}).items()}
        body: bytes
        content_type = spec.get("content_type")
        if "generate_bytes" in spec:
            size = int(spec["generate_bytes"])
            chunk = (
                "<p>Nội dung thử nghiệm cho trang có dung lượng rất lớn, dùng để kiểm tra giới hạn kích thước.</p>\n"
            ).encode()
            body = b"<html><body>" + chunk * (size // len(chunk) + 1) + b"</body></html>"
            content_type = content_type or "text/html; charset=utf-8"
        elif "body" in spec:
            body = str(spec["body"]).encode("utf-8")
            content_type = content_type or "text/plain; charset=utf-8"
        elif status in (301, 302, 303, 307, 308, 204, 304):
            body = b""
        else:
            file = spec.get("file")
            target = (fixture.root / file) if file else self._static(path)
            if target is None or not target.is_file():
                self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"Not found")
                return
            body = target.read_bytes()
            content_type = content_type or _TYPES.get(target.suffix.lower(), "application/octet-stream")
            if spec.get("template") or target.name == "robots.txt":
                body = self._fill_bytes(body)  # bytes: a robots.txt or page in any encoding is served as it is
        if content_type and body:
            headers.setdefault("Content-Type", content_type)
        if status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", etag)
            headers.setdefault("Last-Modified", _LAST_MODIFIED)
            if self.headers.get("If-None-Match") == etag:
                self._send(304, {"ETag": etag, "Last-Modified": _LAST_MODIFIED}, b"")
                return
        self._send(status, headers, body)

    def _fill(self, text: str) -> str:
        return text.replace("{base}", self.fixture.base_url).replace("{port}", str(self.fixture.port))

    def _fill_bytes(self, body: bytes) -> bytes:
        base, port = self.fixture.base_url.encode("ascii"), str(self.fixture.port).encode("ascii")
        return body.replace(b"{base}", base).replace(b"{port}", port)

    def _static(self, path: str) -> Path | None:
        target = (self.fixture.root / path.lstrip("/")).resolve()
        if not str(target).startswith(str(self.fixture.root)):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (size cap, timeout)


def start_fixture_server(root: str | Path, host: str = "127.0.0.1") -> FixtureServer:
    """Start a FixtureServer for the site under `root`; call .stop() when done."""
    return FixtureServer(root=Path(root), host=host).start()


def serve(root: str | Path, host: str = "127.0.0.1") -> tuple[str, Callable[[], None]]:
    """Serve a fixture site on a free local port: returns (base_url, stop)."""
    server = start_fixture_server(root, host)
    return server.base_url, server.stop


# --------------------------------------------------------------------------- fixture portals with a manifest


def _key(url: str) -> str:
    """path?query as the manifests write them: path unquoted, query re-encoded, no fragment."""
    parts = urlsplit(url)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True), doseq=True)
    return unquote(parts.path or "/") + ("?" + query if query else "")


@dataclass
class SiteCrawl:
    """A crawl of a fixture portal scored against its manifest (site.json)."""

    site: str
    profile: str
    expected: list[str]  # article paths a GET crawl must archive
    found: list[str]
    missed: list[str]
    wrong: list[str]  # extracted records that are no article of the manifest: "path [what it is]"
    requests: int  # every request but robots.txt
    listing_requests: int  # requests to the manifest's listings (pagination chains)
    article_requests: int  # requests to articles and their aliases
    records: list[dict[str, Any]] = field(default_factory=list)
    log: str = ""

    @property
    def coverage(self) -> float:
        return len(self.found) / len(self.expected) if self.expected else 1.0


def crawl_fixture_site(site: str | Path, out: str | Path, *, profile: str | None = None, **options: Any) -> SiteCrawl:
    """Serve a fixture portal, crawl it from its start URLs into `out`, score the articles found.

    `profile`: None chooses profiles per page (profiles on), "generic" switches them off.
    Other keyword arguments go to CrawlOptions.
    """
    import contextlib
    import io

    from cchc_nlp.crawl import CrawlOptions, crawl  # the crawler is only needed here

    site = Path(site)
    manifest = json.loads((site / "site.json").read_text(encoding="utf-8"))
    kinds: dict[str, str] = {}
    for group in ("listings", "not_articles", "aliases", "redirects", "feeds", "deliberate_404"):
        for url in manifest.get(group) or []:
            kinds[_key(url)] = group
    for url in manifest["articles"] + manifest.get("unreachable_articles", []):
        kinds[_key(url)] = "articles"

    def article_of(url: str) -> str | None:
        key = _key(url)
        for article in manifest["articles"] + manifest.get("unreachable_articles", []):
            if _key(article) == key:
                return article
        for alias, info in manifest["aliases"].items():
            if _key(alias) == key:
                return info["article"]
        for source, info in manifest["redirects"].items():
            if _key(source) == key:
                return article_of(info["to"])
        return None

    server = start_fixture_server(site)
    settings: dict[str, Any] = dict(
        delay=0.0, allow_private=True, trust_env=False, retries=1, backoff=0.01, fsync=False, quiet=False
    )
    settings.update(options)
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            crawl(
                CrawlOptions(
                    start_urls=[server.base_url + u for u in manifest["start_urls"]],
                    out=Path(out),
                    profile=profile,
                    **settings,
                )
            )
        paths = [r.path for r in server.requests if r.path != "/robots.txt"]
    finally:
        server.stop()
    lines = (Path(out) / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    found: set[str] = set()
    wrong: list[str] = []
    for record in records:
        url = record.get("url") or ""
        article = article_of(url)
        if article:
            found.add(article)
        else:
            wrong.append(f"{_key(url)} [{kinds.get(_key(url), 'unclassified')}]")
    return SiteCrawl(
        site=site.name,
        profile=profile or "on",
        expected=list(manifest["articles"]),
        found=sorted(found & set(manifest["articles"])),
        missed=sorted(set(manifest["articles"]) - found),
        wrong=wrong,
        requests=len(paths),
        listing_requests=sum(1 for p in paths if kinds.get(_key(p)) == "listings"),
        article_requests=sum(1 for p in paths if kinds.get(_key(p)) in ("articles", "aliases")),
        records=records,
        log=log.getvalue(),
    )
