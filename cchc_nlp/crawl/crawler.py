"""`cchc-nlp crawl`: collect the article pages of provincial portals, politely and resumably.

    cchc-nlp crawl START_URL... --out corpus/NAME [--profile NAME] [--max-pages N]
                   [--since DATE] [--delay S] [--allow-private] ...

From the start URLs (category/listing pages, sitemaps or RSS feeds) the crawler follows
listing pages and their pagination inside the allowed hosts (by default the hosts of
the start URLs), fetches the article pages they link, and stops when the frontier is
empty or --max-pages fetches were made. Sitemaps announced in robots.txt and RSS feeds
linked from pages are read too. Article pages are leaves: their "Các tin khác" links
are not followed.

corpus/NAME/ holds:
  warc/*.warc.gz   every response (status, headers, body), see cchc_nlp.ingest.archive;
  crawl.sqlite     the crawl state: frontier, seen URLs, per-URL status, ETag;
  articles.jsonl   the extracted Articles (written at the end of each run).

Resuming: each fetch is appended to the WARC as its responses plus a closing metadata
record, fsynced, and only then committed to SQLite. A run killed at any moment
(SIGKILL included) is finished by re-running the same command: metadata records
newer than the state are applied from the WARC (no refetch), a partial batch at the
end is cut off (it was never archived, so its URL is fetched again).
De-duplication: canonical URLs (tracking parameters and fragments dropped) and a hash
of the extracted article text (the same article under two URLs is marked duplicate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from cchc_nlp._version import __version__
from cchc_nlp.errors import CchcError, InputError
from cchc_nlp.ingest.archive import TruncatedArchiveError, WarcWriter, scan_warc, warc_files
from cchc_nlp.ingest.fetch import (
    DEFAULT_USER_AGENT,
    FEED_TYPES,
    HTML_TYPES,
    Fetcher,
    FetchPolicy,
    FetchResult,
    RawResponse,
)
from cchc_nlp.ingest.urls import canonicalize_url, charset_from_content_type, host_of
from cchc_nlp.page import (
    SiteProfile,
    article_from_html,
    choose_profile,
    chrome_rules,
    decode_html,
    get_profile,
    is_article_page,
)

__all__ = [
    "CrawlOptions",
    "CrawlState",
    "Crawler",
    "CrawlSummary",
    "crawl",
    "configure_parser",
    "run",
    "find_links",
    "parse_feed",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,          -- canonical URL
    seq INTEGER NOT NULL,          -- discovery order
    kind TEXT NOT NULL,            -- start, listing, article, sitemap, feed
    priority INTEGER NOT NULL,     -- lower first: feeds/sitemaps 0, articles 1, listings 2
    status TEXT NOT NULL,          -- pending, done, duplicate, old, skipped, refused, failed, redirected
    http_status INTEGER,
    reason TEXT,
    found_on TEXT,
    hint_date TEXT,                -- date known before fetching (sitemap lastmod, RSS pubDate, listing)
    is_article INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    duplicate_of TEXT,
    published TEXT,
    title TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    record_id TEXT,
    fetched_at TEXT,
    generation INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS urls_frontier ON urls (status, priority, seq);
CREATE INDEX IF NOT EXISTS urls_hash ON urls (content_hash);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, applied_bytes INTEGER NOT NULL);
"""

_PRIORITY = {"sitemap": 0, "feed": 0, "article": 1, "start": 2, "listing": 2}
_PAGINATION_RE = re.compile(
    r"([?&](page|p|trang|pageindex|_cur|cur|start|offset)=\d+)|(/(page|trang)[-/]?\d+/?$)|(_cur=\d+)", re.IGNORECASE
)
_FINISHED = ("done", "duplicate", "old", "skipped", "refused", "failed", "redirected")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- state


class CrawlState:
    """The SQLite crawl state (one file per corpus)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{self.path} is not a crawl state database ({exc}); remove it or use another --out"
            ) from None
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        return _Transaction(self.db)

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def add(
        self,
        url: str,
        kind: str,
        *,
        found_on: str | None = None,
        hint_date: str | None = None,
        status: str = "pending",
        reason: str | None = None,
    ) -> bool:
        """Insert a URL if unseen; True when it was new."""
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM urls").fetchone()[0]
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO urls (url, seq, kind, priority, status, found_on, hint_date, reason) VALUES (?, "
            "?, ?, ?, ?, ?, ?, ?)",
            (url, seq, kind, _PRIORITY.get(kind, 2), status, found_on, hint_date, reason),
        )
        return cursor.rowcount == 1

    def get(self, url: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()

    def next_pending(self) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM urls WHERE status = 'pending' ORDER BY priority, seq LIMIT 1").fetchone()

    def update(self, url: str, **fields) -> None:
        names = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE urls SET {names} WHERE url = ?", (*fields.values(), url))

    def first_with_hash(self, content_hash: str, other_than: str) -> str | None:
        row = self.db.execute(
            "SELECT url FROM urls WHERE content_hash = ? AND url != ? AND status IN ('done', 'old') ORDER BY seq "
            "LIMIT 1",
            (content_hash, other_than),
        ).fetchone()
        return row["url"] if row else None

    def fetched_count(self, generation: int) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM urls WHERE generation = ? AND fetched_at IS NOT NULL", (generation,)
        ).fetchone()[0]

    def counts(self) -> dict[str, int]:
        return {
            row[0]: row[1]
            for row in self.db.execute("SELECT status, COUNT(*) FROM urls GROUP BY status ORDER BY status")
        }

    def rows(self, where: str = "1", params: tuple = ()) -> list[sqlite3.Row]:
        return self.db.execute(f"SELECT * FROM urls WHERE {where} ORDER BY seq", params).fetchall()

    def applied_bytes(self, name: str) -> int:
        row = self.db.execute("SELECT applied_bytes FROM warc_files WHERE name = ?", (name,)).fetchone()
        return row["applied_bytes"] if row else 0

    def set_applied_bytes(self, name: str, size: int) -> None:
        self.db.execute(
            "INSERT INTO warc_files (name, applied_bytes) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET "
            "applied_bytes = excluded.applied_bytes",
            (name, size),
        )


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


# --------------------------------------------------------------------------- links


@dataclass
class Links:
    """What a page leads to: article pages, listing pages (pagination), feeds/sitemaps."""

    articles: list[tuple[str, str | None]] = field(default_factory=list)  # (url, date hint)
    listings: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    dated_items: int = 0
    items_since: int = 0


def _item_date(anchor) -> str | None:
    """A date written in the listing item around a link ("02/07/2021"), ISO, or None."""
    from cchc_nlp.text.dates import find_datelines

    holder = anchor
    for _ in range(3):
        if holder.parent is None:
            break
        holder = holder.parent
        text = holder.get_text(" ", strip=True)
        if len(text) > 400:
            break
        found = find_datelines(text)
        if found:
            return found[0][2].date().isoformat()
    return None


def find_links(html: str | bytes, url: str, profile: SiteProfile) -> Links:
    """Article, listing (pagination) and feed links of a listing page, absolute and canonical.

    Articles: links matched by the profile's listing.article_links selectors or
    article_url_patterns, else headline-like links (five words or more) outside
    menus, headers and footers. Pagination: the profile's next_page selectors,
    rel="next", "Trang sau"/"»"-style texts and page numbers whose URL looks like a
    page of a listing. Feeds: <link rel="alternate"> RSS/Atom.
    """
    soup = BeautifulSoup(decode_html(html), "lxml")
    base = url
    base_tag = soup.find("base", href=True)
    if base_tag is not None:
        base = urljoin(url, base_tag["href"])
    links = Links()
    seen: set[str] = set()

    def absolute(href: str | None) -> str | None:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        target = canonicalize_url(urljoin(base, href.strip()))
        return target if urlsplit(target).scheme in ("http", "https") else None

    for link in soup.find_all("link", href=True):
        rel = " ".join(link.get("rel") or []).lower()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in kind or "atom" in kind):
            target = absolute(link["href"])
            if target and target not in seen:
                seen.add(target)
                links.feeds.append(target)
        if "next" in rel.split():
            target = absolute(link["href"])
            if target and target not in seen:
                seen.add(target)
                links.listings.append(target)
    for chrome in soup.select("nav, header, footer, [class*=menu], [id*=menu]"):
        chrome.decompose()

    def add_article(anchor) -> None:
        target = absolute(anchor.get("href"))
        if target and target not in seen:
            seen.add(target)
            hint = _item_date(anchor)
            links.articles.append((target, hint))

    for selector in profile.article_links:
        for anchor in soup.select(selector):
            add_article(anchor)
    next_texts = chrome_rules().next_texts
    for selector in profile.next_page:
        for anchor in soup.select(selector):
            target = absolute(anchor.get("href"))
            if target and target not in seen:
                seen.add(target)
                links.listings.append(target)
    for anchor in soup.find_all("a", href=True):
        target = absolute(anchor["href"])
        if not target or target in seen or target == canonicalize_url(url):
            continue
        text = " ".join(anchor.get_text(" ").split())
        rel = " ".join(anchor.get("rel") or []).lower()
        if profile.is_article_url(target):
            add_article(anchor)
        elif "next" in rel.split() or text.lower() in next_texts or (text.isdigit() and _PAGINATION_RE.search(target)):
            seen.add(target)
            links.listings.append(target)
        elif not profile.article_links and not profile.is_listing_url(target) and len(text.split()) >= 5:
            add_article(anchor)
    for _, hint in links.articles:
        if hint:
            links.dated_items += 1
    return links


def parse_feed(data: bytes, url: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(page URLs with their dates, nested sitemap URLs) of a sitemap, sitemap index, RSS or Atom feed."""
    soup = BeautifulSoup(data, "xml")
    pages: list[tuple[str, str | None]] = []
    nested: list[str] = []

    def when(text: str | None) -> str | None:
        if not text:
            return None
        text = text.strip()
        match = re.match(r"\d{4}-\d{2}-\d{2}", text)
        if match:
            return match.group(0)
        try:
            from email.utils import parsedate_to_datetime

            return parsedate_to_datetime(text).date().isoformat()
        except (TypeError, ValueError):
            return None

    for entry in soup.find_all("sitemap"):
        loc = entry.find("loc")
        if loc and loc.text.strip():
            nested.append(canonicalize_url(urljoin(url, loc.text.strip())))
    for entry in soup.find_all("url"):
        loc = entry.find("loc")
        if loc and loc.text.strip():
            lastmod = entry.find("lastmod")
            pages.append((canonicalize_url(urljoin(url, loc.text.strip())), when(lastmod.text if lastmod else None)))
    for item in soup.find_all(["item", "entry"]):
        link = item.find("link")
        href = (link.get("href") or link.text or "").strip() if link else ""
        if href:
            stamp = item.find(["pubDate", "published", "updated", "dc:date", "date"])
            pages.append((canonicalize_url(urljoin(url, href)), when(stamp.text if stamp else None)))
    return pages, nested


# --------------------------------------------------------------------------- crawler


@dataclass
class CrawlOptions:
    """Everything `cchc-nlp crawl` can be told."""

    start_urls: list[str]
    out: Path
    profile: str | None = None
    max_pages: int | None = None
    since: date | None = None
    delay: float = 1.0
    allow_hosts: list[str] = field(default_factory=list)
    allow_private: bool = False
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    user_agent: str = DEFAULT_USER_AGENT
    refresh: bool = False
    retry_failed: bool = False
    trust_env: bool = True
    fsync: bool = True
    quiet: bool = False


@dataclass
class CrawlSummary:
    """What a run did."""

    fetched: int
    counts: dict[str, int]
    articles: int
    recovered: int
    out: Path


class Crawler:
    """One crawl run over a corpus folder (see the module docstring)."""

    def __init__(self, options: CrawlOptions, *, fetcher: Fetcher | None = None):
        self.options = options
        self.out = Path(options.out)
        self.state = CrawlState(self.out / "crawl.sqlite")
        self.profile = get_profile(options.profile) if options.profile else None
        hosts = {host_of(u) for u in options.start_urls} | {h.lower() for h in options.allow_hosts}
        stored = self.state.meta("allowed_hosts")
        if stored:
            hosts |= set(json.loads(stored))
        self.allowed_hosts = frozenset(hosts)
        policy = FetchPolicy(
            allowed_hosts=self.allowed_hosts,
            user_agent=options.user_agent,
            delay=options.delay,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_bytes=options.max_bytes,
            max_retries=options.retries,
            backoff_base=options.backoff,
            allow_private=options.allow_private,
            trust_env=options.trust_env,
        )
        self.fetcher = fetcher or Fetcher(policy)
        self.writer = WarcWriter(
            self.out / "warc", fsync=options.fsync, description=f"cchc-nlp crawl of {', '.join(options.start_urls)}"
        )
        self._kill_at = _test_kill_point()
        self._fetches_this_run = 0
        self._robots_archived = 0

    def log(self, message: str) -> None:
        if not self.options.quiet:
            print(message, file=sys.stderr, flush=True)

    # ----------------------------------------------------------------- setup

    def _prepare(self) -> int:
        state = self.state
        self.generation = int(state.meta("generation", "1"))
        recovered = self._recover()
        with state.transaction():
            state.set_meta("allowed_hosts", json.dumps(sorted(self.allowed_hosts)))
            state.set_meta("software", f"cchc-nlp/{__version__}")
            generation = self.generation
            if self.options.refresh:
                generation += 1
                state.db.execute("UPDATE urls SET status = 'pending' WHERE status IN ('done', 'old')")
            if self.options.retry_failed:
                state.db.execute("UPDATE urls SET status = 'pending' WHERE status = 'failed'")
            state.set_meta("generation", str(generation))
            for url in self.options.start_urls:
                canonical = canonicalize_url(url)
                kind = (
                    "sitemap"
                    if re.search(r"sitemap[^/]*\.xml", canonical, re.IGNORECASE)
                    else "feed"
                    if re.search(r"(rss|atom|feed)", canonical, re.IGNORECASE) and not self._looks_like_page(canonical)
                    else "start"
                )
                if not state.add(canonical, kind) and self.options.refresh:
                    state.update(canonical, status="pending")
        self.generation = generation
        return recovered

    def _looks_like_page(self, url: str) -> bool:
        return url.endswith((".html", ".htm", ".aspx", ".php", "/"))

    def _recover(self) -> int:
        """Apply fetches archived after the last committed state; cut a partial batch."""
        state = self.state
        recovered = 0
        folder = self.out / "warc"
        if not folder.is_dir():
            return 0
        for file in warc_files(folder):
            applied = state.applied_bytes(file.name)
            size = file.stat().st_size
            if applied >= size:
                continue
            pages: dict[str, tuple[RawResponse, int]] = {}
            good_end = applied
            truncated_at = None
            try:
                for entry in scan_warc(file, applied):
                    if entry.page is not None:
                        page = entry.page
                        pages[page.record_id] = (
                            RawResponse(page.url, page.status, "", page.headers, page.body, page.truncated is not None),
                            entry.offset,
                        )
                    elif entry.record_type == "metadata" and entry.metadata is not None:
                        info = entry.metadata
                        if info.get("kind") == "fetch":
                            row = state.get(entry.target)
                            if row is not None and row["status"] == "pending":
                                found = [(r, pages[r]) for r in info["records"] if r in pages]
                                result = FetchResult(
                                    url=entry.target,
                                    responses=[f[1][0] for f in found],
                                    skipped=info.get("skipped"),
                                    error=info.get("error"),
                                    attempts=info.get("attempts", 1),
                                )
                                self._apply(row, result, file, [f[1][1] for f in found], [f[0] for f in found])
                                recovered += 1
                        good_end = entry.end
                        pages.clear()
                    elif entry.record_type == "warcinfo":
                        good_end = entry.end
            except TruncatedArchiveError as exc:
                truncated_at = exc.offset
            # responses after the last metadata record belong to an unfinished fetch: drop them
            if good_end < size:
                with open(file, "r+b") as handle:
                    handle.truncate(good_end)
                self.log(
                    f"crawl: cut an unfinished fetch off {file.name} at byte {good_end}"
                    + (f" (partial record at {truncated_at})" if truncated_at is not None else "")
                )
            with state.transaction():
                state.set_applied_bytes(file.name, good_end)
        return recovered

    # ----------------------------------------------------------------- main loop

    def run(self) -> CrawlSummary:
        recovered = self._prepare()
        if recovered:
            self.log(f"crawl: recovered {recovered} fetch(es) archived before the previous run stopped")
        try:
            while True:
                if (
                    self.options.max_pages is not None
                    and self.state.fetched_count(self.generation) >= self.options.max_pages
                ):
                    self.log(f"crawl: reached --max-pages {self.options.max_pages}")
                    break
                row = self.state.next_pending()
                if row is None:
                    break
                self._visit(row)
        finally:
            self.writer.close()
        articles = export_articles(self.out, self.state, profile=self.profile)
        counts = self.state.counts()
        summary = CrawlSummary(self._fetches_this_run, counts, articles, recovered, self.out)
        self.state.close()
        return summary

    def _hint_is_old(self, hint: str | None) -> bool:
        return bool(self.options.since and hint and hint < self.options.since.isoformat())

    def _visit(self, row: sqlite3.Row) -> None:
        url = row["url"]
        if row["kind"] == "article" and self._hint_is_old(row["hint_date"]):
            with self.state.transaction():
                self.state.update(url, status="old", reason=f"dated {row['hint_date']}, before --since")
            return
        accept = (
            None
            if row["kind"] in ("sitemap", "feed")
            else HTML_TYPES | FEED_TYPES
            if row["kind"] == "start"
            else HTML_TYPES
        )
        result = self.fetcher.fetch(url, etag=row["etag"], last_modified=row["last_modified"], accept=accept)
        self._archive_robots()
        if not result.responses:  # refused before any request, or network failure
            with self.state.transaction():
                status = "refused" if (result.error or "").startswith("refused") else "failed"
                self.state.update(
                    url,
                    status=status,
                    reason=result.error,
                    attempts=row["attempts"] + result.attempts,
                    generation=self.generation,
                    fetched_at=_now() if status == "failed" else None,
                )
            if status == "failed":
                self._fetches_this_run += 1
            self.log(f"crawl: {status} {url}: {result.error}")
            return
        self._fetches_this_run += 1
        info = {
            "kind": "fetch",
            "url": url,
            "error": result.error,
            "skipped": result.skipped,
            "attempts": result.attempts,
            "software": f"cchc-nlp/{__version__}",
        }
        responses = [
            {
                "url": r.url,
                "status": r.status,
                "reason": r.reason,
                "headers": r.headers,
                "body": r.body,
                "truncated": r.truncated,
            }
            for r in result.responses
        ]
        self._maybe_kill("before-warc")
        written, metadata = self.writer.write_fetch(url, responses, info, before_write=self._mid_batch_hook)
        self._maybe_kill("after-warc")
        self._apply(
            row,
            result,
            self.writer.path,
            [r.offset for r in written],
            [r.record_id for r in written],
            applied_end=metadata.offset + metadata.length,
        )
        self._maybe_kill("after-commit")

    def _archive_robots(self) -> None:
        pending = self.fetcher.robots_responses[self._robots_archived :]
        for response in pending:
            info = {"kind": "robots", "url": response.url, "software": f"cchc-nlp/{__version__}"}
            _, metadata = self.writer.write_fetch(
                response.url,
                [
                    {
                        "url": response.url,
                        "status": response.status,
                        "reason": response.reason,
                        "headers": response.headers,
                        "body": response.body,
                    }
                ],
                info,
            )
            with self.state.transaction():
                self.state.set_applied_bytes(self.writer.path.name, metadata.offset + metadata.length)
        self._robots_archived = len(self.fetcher.robots_responses)

    # ----------------------------------------------------------------- applying a fetch

    def _apply(
        self,
        row: sqlite3.Row,
        result: FetchResult,
        warc_file: Path,
        offsets: list[int],
        record_ids: list[str],
        applied_end: int | None = None,
    ) -> None:
        """Record a fetch in the state and queue what it leads to (one transaction)."""
        url = row["url"]
        final = result.final
        fields: dict = {
            "http_status": final.status if final else None,
            "attempts": row["attempts"] + result.attempts,
            "fetched_at": _now(),
            "generation": self.generation,
            "warc_file": warc_file.name,
            "warc_offset": offsets[-1] if offsets else None,
            "record_id": record_ids[-1] if record_ids else None,
            "reason": result.error or result.skipped,
        }
        discovered: list[tuple[str, str, str | None]] = []  # (url, kind, hint)
        if result.error:
            fields["status"] = "failed"
        elif result.skipped:
            fields["status"] = "skipped"
        elif result.not_modified:
            fields["status"] = "done"
            fields["reason"] = "not modified"
            fields["warc_file"], fields["warc_offset"], fields["record_id"] = (
                row["warc_file"],
                row["warc_offset"],
                row["record_id"],
            )
            if not row["is_article"] and row["kind"] != "article":
                pass  # an unchanged listing leads nowhere new
        elif final is not None and final.status == 200:
            fields["status"] = "done"
            fields["etag"] = final.header("ETag")
            fields["last_modified"] = final.header("Last-Modified")
            fields.update(self._analyse(row, result, discovered))
        else:
            fields["status"] = "failed"
            fields["reason"] = f"HTTP {final.status if final else '?'}"
        with self.state.transaction():
            self.state.update(url, **fields)
            final_url = canonicalize_url(result.final_url)
            if final_url != url:
                self.state.add(
                    final_url, row["kind"], found_on=url, status="redirected", reason=f"reached through {url}"
                )
            for target, kind, hint in discovered:
                if host_of(target) in self.allowed_hosts:
                    self.state.add(target, kind, found_on=url, hint_date=hint)
            if applied_end is not None:
                self.state.set_applied_bytes(warc_file.name, applied_end)
        self.log(f"crawl: {fields['status']} {url}" + (f" ({fields['reason']})" if fields.get("reason") else ""))

    def _analyse(self, row: sqlite3.Row, result: FetchResult, discovered: list) -> dict:
        final = result.final
        assert final is not None
        page_url = result.final_url
        if (
            final.content_type in FEED_TYPES
            or row["kind"] in ("sitemap", "feed")
            and final.content_type not in HTML_TYPES
        ):
            pages, nested = parse_feed(final.body, page_url)
            discovered.extend((u, "sitemap", None) for u in nested)
            discovered.extend((u, "article", hint) for u, hint in pages)
            return {"is_article": 0, "kind": row["kind"] if row["kind"] != "start" else "feed"}
        html = decode_html(final.body, charset_from_content_type(final.header("Content-Type")))
        profile = self.profile or choose_profile(page_url, html)
        kind_hint = row["kind"]
        article_like = (
            is_article_page(html, page_url, profile=profile)
            if kind_hint != "listing"
            else profile.is_article_url(page_url)
        )
        if article_like and kind_hint != "listing":
            try:
                article = article_from_html(html, page_url, profile=profile)
            except CchcError as exc:
                return {"is_article": 0, "reason": f"no article extracted: {exc}"}
            content_hash = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
            fields = {
                "is_article": 1,
                "kind": "article",
                "content_hash": content_hash,
                "published": article.published,
                "title": article.title,
            }
            original = self.state.first_with_hash(content_hash, row["url"])
            if original:
                fields.update(status="duplicate", duplicate_of=original, reason=f"same text as {original}")
            elif self._hint_is_old((article.published or "")[:10]):
                fields.update(status="old", reason=f"published {article.published}, before --since")
            return fields
        links = find_links(html, page_url, profile)
        discovered.extend((u, "article", hint) for u, hint in links.articles)
        discovered.extend((u, "feed", None) for u in links.feeds)
        all_old = links.dated_items > 0 and all(self._hint_is_old(h) for _, h in links.articles if h)
        if not all_old:
            discovered.extend((u, "listing", None) for u in links.listings)
        for sitemap in self.fetcher.sitemaps(page_url):
            discovered.append((canonicalize_url(sitemap), "sitemap", None))
        return {
            "is_article": 0,
            "kind": "listing" if row["kind"] != "start" else "start",
            "reason": "every dated item is before --since: pagination not followed" if all_old else None,
        }

    # ----------------------------------------------------------------- test hooks

    def _maybe_kill(self, point: str) -> None:
        if self._kill_at and self._kill_at == (point, self._fetches_this_run):
            os.kill(os.getpid(), signal.SIGKILL)

    def _mid_batch_hook(self, data: bytes) -> None:
        if self._kill_at and self._kill_at == ("mid-batch", self._fetches_this_run):
            handle = self.writer._handle
            assert handle is not None
            handle.write(data[: len(data) // 2])
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def _test_kill_point() -> tuple[str, int] | None:
    """CCHC_CRAWL_TEST_KILL="after-warc:3" kills the process at that point of the 3rd fetch.

    Points: before-warc, mid-batch (half the batch written), after-warc (archived, state
    not committed), after-commit. Used by the resumability tests only.
    """
    value = os.environ.get("CCHC_CRAWL_TEST_KILL")
    if not value:
        return None
    point, _, count = value.partition(":")
    return point, int(count or 1)


# --------------------------------------------------------------------------- articles export


def export_articles(out: Path, state: CrawlState, *, profile: SiteProfile | None = None) -> int:
    """Write out/articles.jsonl from the archived article pages (duplicates and old ones left out)."""
    rows = state.rows("status = 'done' AND is_article = 1 AND warc_file IS NOT NULL")
    target = Path(out) / "articles.jsonl"
    temporary = target.with_suffix(".jsonl.tmp")
    count = 0
    with open(temporary, "w", encoding="utf-8") as handle:
        for row in rows:
            file = Path(out) / "warc" / row["warc_file"]
            try:
                entry = next(e for e in scan_warc(file, row["warc_offset"]) if e.page is not None)
            except (StopIteration, CchcError, OSError) as exc:
                print(f"crawl: cannot re-read {row['url']} from {file.name}: {exc}", file=sys.stderr)
                continue
            page = entry.page
            try:
                article = article_from_html(page.body, page.url, profile=profile, encoding=page.charset)
            except CchcError as exc:
                print(f"crawl: no article in {page.url}: {exc}", file=sys.stderr)
                continue
            record = article.to_dict()
            record["crawl"] = {
                "frontier_url": row["url"],
                "record_id": page.record_id,
                "warc_file": row["warc_file"],
                "offset": page.offset,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    os.replace(temporary, target)
    return count


# --------------------------------------------------------------------------- CLI


def crawl(options: CrawlOptions) -> CrawlSummary:
    """Run (or resume) a crawl; see the module docstring."""
    for url in options.start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise InputError(
                f"start URL {url!r} is not an http(s) URL; give a full URL such as https://sonoivu.example.gov.vn/tin-tuc/"
            )
    if options.delay < 0:
        raise InputError(f"--delay must be 0 or more seconds, got {options.delay}")
    return Crawler(options).run()


def _since(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since wants a date YYYY-MM-DD, got {text!r}") from None


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "start_urls", nargs="+", metavar="START_URL", help="listing/category pages, sitemaps or RSS feeds to start from"
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="corpus folder (corpus/NAME): warc/, crawl.sqlite, articles.jsonl"
    )
    parser.add_argument(
        "--profile",
        help=(
            "site profile: a bundled name (nukeviet, sharepoint, liferay, newspaper, generic) or a .json file; "
            "default: chosen per page"
        ),
    )
    parser.add_argument("--max-pages", type=int, help="stop after this many fetches (this crawl generation)")
    parser.add_argument("--since", type=_since, help="skip articles published before this date (YYYY-MM-DD)")
    parser.add_argument(
        "--delay",
        type=float,
        default=1.0,
        help=(
            "seconds between two requests to a host (default 1; robots.txt Crawl-delay wins when longer; 0 for local "
            "mirrors)"
        ),
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        dest="allow_hosts",
        metavar="HOST",
        help="also crawl this host (repeatable); default: the hosts of the start URLs",
    )
    parser.add_argument(
        "--allow-private", action="store_true", help="allow private and loopback addresses (tests, local mirrors)"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=10 * 1024 * 1024,
        help="responses over this size are recorded and skipped (default 10 MB)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="read timeout in seconds (default 30; connect timeout 10)"
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="retries on 429/5xx/network errors, with exponential backoff (default 3)"
    )
    parser.add_argument("--contact", help="your e-mail or URL, put in the User-Agent so site owners can reach you")
    parser.add_argument(
        "--refresh", action="store_true", help="re-visit every page with conditional requests (ETag / Last-Modified)"
    )
    parser.add_argument("--retry-failed", action="store_true", help="try again the URLs that failed in earlier runs")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    user_agent = (
        DEFAULT_USER_AGENT.replace("CONTACT-EMAIL-PLACEHOLDER", args.contact) if args.contact else DEFAULT_USER_AGENT
    )
    options = CrawlOptions(
        start_urls=list(args.start_urls),
        out=args.out,
        profile=args.profile,
        max_pages=args.max_pages,
        since=args.since,
        delay=args.delay,
        allow_hosts=list(args.allow_hosts),
        allow_private=args.allow_private,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        retries=args.retries,
        user_agent=user_agent,
        refresh=args.refresh,
        retry_failed=args.retry_failed,
        quiet=args.quiet,
    )
    summary = crawl(options)
    counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items())
    print(
        f"crawl: {summary.fetched} fetched this run; URLs: {counts}; {summary.articles} articles in "
        f"{summary.out / 'articles.jsonl'}"
    )
    return 1 if summary.counts.get("failed") else 0
