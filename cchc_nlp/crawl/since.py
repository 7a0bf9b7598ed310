"""`--since DATE` on pagination chains: once a listing page lists only older items, its later
pages are not fetched.

A listing page is *old* when every article it brought to the crawl (the article URLs first
found on it) is dated before DATE: by the date written next to its link on the listing, or,
when the listing shows none, by the publication date read once the article was fetched
(articles are fetched before the next listing page, so the dates are known in time). An
undated article, one still pending, or none at all keeps the page from counting as old.
A pending page of the same listing (`same_listing`) with a higher page number than an old
page is then skipped with status `old`, whoever linked it: page 1 often links pages 2 to 10
at once. Listings are taken to run newest first, as news listings do: a page with a lower
number is still fetched, and a page whose items run oldest first (its first item older than
its last, in the page's order) ends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cchc_nlp.crawl.discover import page_position, same_listing
from cchc_nlp.crawl.state import CrawlState

__all__ = ["SinceChains", "newest_first"]

_LISTINGS = ("start", "listing")


class SinceChains:
    """The listing pages found old under --since, and whether a pending listing page comes after one."""

    def __init__(self, state: CrawlState, since: date | None, log: Callable[[str], None]):
        self.state = state
        self.since = since.isoformat() if since else None
        self.log = log
        self.old_pages: list[str] = []
        if self.since:  # a resumed crawl: the pages found old before
            for row in state.rows("status = 'old' AND kind = 'article' AND found_on IS NOT NULL"):
                self._check(row["found_on"], quiet=True)

    def is_old(self, day: str | None) -> bool:
        """Whether a date (ISO, any precision from the day) is before --since."""
        return bool(self.since and day and day[:10] < self.since)

    def listing_dated_old(self, url: str, dates: list[str]) -> None:
        """A listing page whose links all carry dates before --since (seen on the page itself, in its order)."""
        if self.since and url not in self.old_pages and newest_first(dates):
            self.old_pages.append(url)

    def article_resolved(self, found_on: str | None) -> None:
        """An article was fetched or skipped: is the listing page that brought it old now?"""
        if self.since and found_on:
            self._check(found_on)

    def ends(self, url: str) -> str | None:
        """Why the listing page `url` is not fetched (a later page of an old one), or None."""
        if not self.since:
            return None
        position = page_position(url)
        for page in self.old_pages:
            if page != url and same_listing(page, url) and position > page_position(page):
                return (
                    f"a later page of {page}, whose items are all before --since {self.since}: pagination chain ended"
                )
        return None

    def _check(self, page: str, quiet: bool = False) -> None:
        if page in self.old_pages:
            return
        row = self.state.get(page)
        if row is None or row["kind"] not in _LISTINGS:
            return
        items = self.state.rows("found_on = ? AND kind = 'article'", (page,))
        dated = []
        for item in items:
            if item["status"] == "pending":
                return
            if item["status"] == "old" or (item["status"] == "done" and item["is_article"] == 1):
                day = item["published"] or item["hint_date"]
                if not day:
                    return  # an undated article may be new
                dated.append(day)
        if dated and all(self.is_old(day) for day in dated) and newest_first(dated):
            self.old_pages.append(page)
            if not quiet:
                self.log(
                    f"crawl: {page}: all {len(dated)} of its articles are dated before --since {self.since}; "
                    "its later pages are not fetched"
                )


def newest_first(dates: list[str]) -> bool:
    """Whether a page's dates (in the page's order) do not run oldest first."""
    return len(dates) < 2 or dates[0][:10] >= dates[-1][:10]
