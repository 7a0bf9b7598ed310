"""Link discovery: the article and listing links of a page (profile selectors, pagination),
sitemaps and RSS/Atom feeds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from cchc_nlp.ingest.urls import canonicalize_url
from cchc_nlp.page import (
    SiteProfile,
    chrome_rules,
    decode_html,
)
from cchc_nlp.text.dates import find_datelines

__all__ = ["Links", "find_links", "parse_feed"]


_PAGINATION_RE = re.compile(
    r"([?&](page|p|trang|pageindex|_cur|cur|start|offset)=\d+)|(/(page|trang)[-/]?\d+/?$)|(_cur=\d+)", re.IGNORECASE
)


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
