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
from urllib.parse import urlsplit

from cchc_nlp._version import __version__
from cchc_nlp.crawl.discover import discover
from cchc_nlp.crawl.links import parse_feed
from cchc_nlp.crawl.shapes import SiteShapes
from cchc_nlp.crawl.since import SinceChains, newest_first
from cchc_nlp.crawl.state import LISTING_KINDS, CrawlState
from cchc_nlp.errors import CchcError, FetchError, InputError
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
    decode_html,
    get_profile,
    page_kind,
)

__all__ = ["CrawlOptions", "CrawlSummary", "Crawler", "crawl", "export_articles"]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- crawler


@dataclass
class CrawlOptions:
    """Everything `cchc-nlp crawl` can be told."""

    start_urls: list[str]
    out: Path
    profile: str | None = None
    max_pages: int | None = None  # article fetches
    max_listings: int | None = None  # listing, start, feed and sitemap fetches
    max_empty_listings: int = 3  # a pagination chain ends after this many pages without new article links
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
        self._shapes: dict[str, SiteShapes] = {}
        self.since = SinceChains(self.state, options.since, self.log)
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
            self._loop()
        finally:
            self.writer.close()
        try:
            self._check_start_urls()
            articles = export_articles(self.out, self.state, profile=self.profile)
            counts = self.state.counts()
        finally:
            self.state.close()
        return CrawlSummary(self._fetches_this_run, counts, articles, recovered, self.out)

    def _loop(self) -> None:
        """Fetch until the frontier is empty or the budgets are spent (articles first, see CrawlState)."""
        options, listings_closed = self.options, False
        while True:
            if options.max_pages is not None and self._fetched(("article",)) >= options.max_pages:
                self.log(f"crawl: reached --max-pages {options.max_pages} (article pages)")
                return
            budget = options.max_listings
            if not listings_closed and budget is not None and self._fetched(LISTING_KINDS) >= budget:
                self.log(f"crawl: reached --max-listings {budget}; fetching the articles found")
                listings_closed = True
            row = self.state.next_pending(("article",) if listings_closed else None)
            if row is None:
                return
            self._visit(row)

    def _fetched(self, kinds: tuple[str, ...]) -> int:
        return self.state.fetched_count(self.generation, kinds)

    def _check_start_urls(self) -> None:
        """One clear error when not a single start URL could be fetched (refused, unreachable, HTTP error)."""
        rows = [self.state.get(canonicalize_url(url)) for url in self.options.start_urls]
        failed = [row for row in rows if row is not None and row["status"] in ("refused", "failed", "skipped")]
        if not rows or len(failed) < len(rows):
            return
        details = "; ".join(f"{row['url']}: {row['reason'] or row['status']}" for row in failed[:3])
        raise FetchError(
            f"no start URL could be crawled ({details}); check the address, robots.txt, your network, or "
            "--allow-private for a local mirror"
        )

    def _visit(self, row: sqlite3.Row) -> None:
        url = row["url"]
        if row["kind"] == "article" and self.since.is_old(row["hint_date"]):
            with self.state.transaction():
                self.state.update(url, status="old", reason=f"dated {row['hint_date']}, before --since")
            self.since.article_resolved(row["found_on"])
            return
        ended = self.since.ends(url) if row["kind"] == "listing" else None
        if ended:
            with self.state.transaction():
                self.state.update(url, status="old", reason=ended)
            self.log(f"crawl: old {url} ({ended})")
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
                    fetched_as=row["kind"],
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
            "fetched_as": row["kind"],
        }
        discovered: list[tuple[str, str, str | None]] = []  # (url, kind, hint)
        analysed = False
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
            analysed = True
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
            self._queue(row, discovered, fields if analysed else {})
            if applied_end is not None:
                self.state.set_applied_bytes(warc_file.name, applied_end)
        if row["kind"] == "article":
            self.since.article_resolved(row["found_on"])
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
            if b"<urlset" in final.body[:4096]:
                pages = self._sitemap_articles(page_url, pages)
            discovered.extend((u, "article", hint) for u, hint in pages)
            return {"is_article": 0, "kind": row["kind"] if row["kind"] != "start" else "feed"}
        html = decode_html(final.body, charset_from_content_type(final.header("Content-Type")))
        profile = self.profile or choose_profile(page_url, html)
        kind_hint = row["kind"]
        verdict = None if kind_hint == "listing" else page_kind(html, page_url, profile=profile)
        if kind_hint == "article" and verdict is not None:
            self._shapes_of(row["url"]).fetched(row["url"], verdict.is_article)
        if verdict is not None and verdict.is_article:
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
            elif self.since.is_old(article.published):
                fields.update(status="old", reason=f"published {article.published}, before --since")
            return fields
        found = discover(html, page_url, profile, shapes=self._shapes_of(page_url), allowed_hosts=self.allowed_hosts)
        for note in found.notes:
            self.log(f"crawl: {page_url}: {note}")
        discovered.extend((link.url, "article", link.hint) for link in found.articles)
        discovered.extend((link.url, "feed", None) for link in found.feeds)
        dated = [link.hint for link in found.articles if link.hint]
        all_old = bool(dated) and all(self.since.is_old(h) for h in dated) and newest_first(dated)
        if not all_old:
            discovered.extend((link.url, "listing", None) for link in found.listings)
        elif kind_hint in ("start", "listing"):
            self.since.listing_dated_old(row["url"], dated)
        for sitemap in self.fetcher.sitemaps(page_url):
            discovered.append((canonicalize_url(sitemap), "sitemap", None))
        reason = "every dated item is before --since: pagination not followed" if all_old else None
        if kind_hint == "article" and verdict is not None:
            reason = f"not an article ({verdict.reason}): read as a listing"
        return {"is_article": 0, "kind": "listing" if kind_hint != "start" else "start", "reason": reason}

    def _queue(self, row: sqlite3.Row, discovered: list[tuple[str, str, str | None]], fields: dict) -> None:
        """Add what a page leads to; a listing without new article links counts toward ending its chain."""
        url = row["url"]
        new_articles, listings = 0, []
        for target, kind, hint in discovered:
            if host_of(target) not in self.allowed_hosts:
                continue
            if kind == "listing":
                listings.append(target)
            elif self.state.add(target, kind, found_on=url, hint_date=hint) and kind == "article":
                new_articles += 1
        barren = 0
        if fields.get("kind") in ("listing", "start") and fields.get("status") == "done":
            barren = 0 if new_articles else (row["barren"] or 0) + 1
            self.state.update(url, barren=barren)
            if barren >= self.options.max_empty_listings and listings:
                self.log(
                    f"crawl: {url}: {barren} listing pages in a row without new article links; this pagination "
                    "chain ends here"
                )
                listings = []
        for target in listings:
            self.state.add(target, "listing", found_on=url, barren=barren)
        for host, shapes in self._shapes.items():
            self.state.set_meta(f"shapes:{host}", shapes.to_json())

    def _shapes_of(self, url: str) -> SiteShapes:
        host = host_of(url)
        if host not in self._shapes:
            self._shapes[host] = SiteShapes.from_json(self.state.meta(f"shapes:{host}"))
        return self._shapes[host]

    def _sitemap_articles(self, url: str, pages: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        """The entries of a sitemap to fetch as articles: all of them, unless the site's article URL shape is
        known and most entries lack it (a sitemap of pages, categories, tags or authors)."""
        shapes = self._shapes_of(url)
        known = shapes.article_shapes()
        if not known or not pages:
            return pages
        shaped = [(u, hint) for u, hint in pages if shapes.trusted(u)]
        if len(shaped) * 2 >= len(pages):
            return pages
        self.log(
            f"crawl: sitemap {url}: {len(pages) - len(shaped)} of {len(pages)} URLs are not shaped like this site's "
            f"articles ({', '.join(known[:2])}); left out"
        )
        return shaped

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
