"""Link discovery in short (`find_links`, over `cchc_nlp.crawl.discover`) and the pages of
sitemaps and RSS/Atom feeds (`parse_feed`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from cchc_nlp.crawl.discover import discover
from cchc_nlp.ingest.urls import canonicalize_url
from cchc_nlp.page import SiteProfile

__all__ = ["Links", "find_links", "parse_feed"]


@dataclass
class Links:
    """What a page leads to: article pages, listing pages (pagination), feeds/sitemaps."""

    articles: list[tuple[str, str | None]] = field(default_factory=list)  # (url, date hint)
    listings: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    dated_items: int = 0
    items_since: int = 0


def find_links(html: str | bytes, url: str, profile: SiteProfile | None = None) -> Links:
    """Article, listing (pagination) and feed links of a listing page, absolute and canonical.

    The rules are those of `cchc_nlp.crawl.discover.discover` (repeated item blocks,
    pagination, the profile's selectors added); this is its short form.
    """
    found = discover(html, url, profile)
    links = Links(
        articles=[(link.url, link.hint) for link in found.articles],
        listings=[link.url for link in found.listings],
        feeds=[link.url for link in found.feeds],
    )
    links.dated_items = sum(1 for _, hint in links.articles if hint)
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
