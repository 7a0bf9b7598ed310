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
from cchc_nlp.crawl.links import find_links, parse_feed
from cchc_nlp.crawl.state import CrawlState
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
    decode_html,
    get_profile,
    is_article_page,
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
