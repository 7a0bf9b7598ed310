"""The crawl state: one SQLite file per corpus holding the frontier, the URLs seen, their
status, HTTP validators (ETag, Last-Modified) and how much of each WARC file was applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cchc_nlp.errors import InputError

__all__ = ["CrawlState", "LISTING_KINDS"]


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
    attempts INTEGER NOT NULL DEFAULT 0,
    fetched_as TEXT,               -- the kind the URL had when it was fetched (budgets: --max-pages, --max-listings)
    barren INTEGER NOT NULL DEFAULT 0  -- listings: pages in a row without new article links, ending at this one
);
CREATE INDEX IF NOT EXISTS urls_frontier ON urls (status, priority, seq);
CREATE INDEX IF NOT EXISTS urls_hash ON urls (content_hash);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, applied_bytes INTEGER NOT NULL);
"""


_PRIORITY = {"sitemap": 0, "feed": 0, "article": 1, "start": 2, "listing": 2}
# columns added after the first release: a state file written before them gets them on opening
_ADDED_COLUMNS = {"fetched_as": "TEXT", "barren": "INTEGER NOT NULL DEFAULT 0"}
LISTING_KINDS = ("start", "listing", "sitemap", "feed")


_FINISHED = ("done", "duplicate", "old", "skipped", "refused", "failed", "redirected")


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
            present = {row[1] for row in self.db.execute("PRAGMA table_info(urls)")}
            for name, declaration in _ADDED_COLUMNS.items():
                if name not in present:
                    self.db.execute(f"ALTER TABLE urls ADD COLUMN {name} {declaration}")
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
        barren: int = 0,
    ) -> bool:
        """Insert a URL if unseen; True when it was new."""
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM urls").fetchone()[0]
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO urls (url, seq, kind, priority, status, found_on, hint_date, reason, barren) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, seq, kind, _PRIORITY.get(kind, 2), status, found_on, hint_date, reason, barren),
        )
        return cursor.rowcount == 1

    def get(self, url: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()

    def next_pending(self, kinds: tuple[str, ...] | None = None) -> sqlite3.Row | None:
        """The next URL to fetch (feeds and sitemaps, then articles, then listings), of `kinds` if given."""
        if kinds is None:
            return self.db.execute(
                "SELECT * FROM urls WHERE status = 'pending' ORDER BY priority, seq LIMIT 1"
            ).fetchone()
        marks = ", ".join("?" for _ in kinds)
        return self.db.execute(
            f"SELECT * FROM urls WHERE status = 'pending' AND kind IN ({marks}) ORDER BY priority, seq LIMIT 1", kinds
        ).fetchone()

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

    def fetched_count(self, generation: int, kinds: tuple[str, ...] | None = None) -> int:
        """URLs fetched in this crawl generation (of the kinds they had when fetched, if given)."""
        if kinds is None:
            return self.db.execute(
                "SELECT COUNT(*) FROM urls WHERE generation = ? AND fetched_at IS NOT NULL", (generation,)
            ).fetchone()[0]
        marks = ", ".join("?" for _ in kinds)
        return self.db.execute(
            f"SELECT COUNT(*) FROM urls WHERE generation = ? AND fetched_at IS NOT NULL AND "
            f"COALESCE(fetched_as, kind) IN ({marks})",
            (generation, *kinds),
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
