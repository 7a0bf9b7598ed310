"""Page metadata: title, site name, canonical URL, author and publication date from JSON-LD,
meta tags and the profile's date element."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bs4 import BeautifulSoup

from cchc_nlp.page.blocks import _blocks, _text
from cchc_nlp.page.dating import _DATELINE_MAX_CHARS, _parse_dateline, _parse_iso, _safe_dateline
from cchc_nlp.page.lines import _clean, _fold, _words
from cchc_nlp.page.profiles import SiteProfile

__all__ = []


@dataclass
class _PageMeta:
    title: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    published: str | None = None
    published_source: str | None = None
    author: str | None = None
    is_article: bool = False


_META_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dc.date.created",
    "citation_publication_date",
)


def _json_ld_objects(soup: BeautifulSoup) -> list[dict]:
    objects: list[dict] = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _page_meta(soup: BeautifulSoup) -> _PageMeta:
    meta = _PageMeta()
    for obj in _json_ld_objects(soup):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith("Article") for k in kinds):
            continue
        meta.is_article = True
        if meta.published is None and isinstance(obj.get("datePublished"), str):
            iso = _parse_iso(obj["datePublished"]) or _safe_dateline(obj["datePublished"])
            if iso:
                meta.published, meta.published_source = iso, "json-ld"
        author = obj.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict):
            author = author.get("name")
        if isinstance(author, str) and author.strip() and meta.author is None:
            meta.author = _clean(author)
        if isinstance(obj.get("headline"), str) and meta.title is None:
            meta.title = _clean(obj["headline"])
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        value = tag.get("content") or tag.get("datetime") or ""
        if not key or not isinstance(value, str) or not value.strip():
            continue
        if key == "og:type" and value.strip().lower() == "article":
            meta.is_article = True
        elif key == "og:title" and meta.title is None:
            meta.title = _clean(value)
        elif key == "og:site_name":
            meta.site_name = _clean(value)
        elif key in ("author", "article:author", "dc.creator") and meta.author is None and not value.startswith("http"):
            meta.author = _clean(value)
        elif key in _META_DATE_KEYS and meta.published is None:
            iso = _parse_iso(value) or _safe_dateline(value)
            if iso:
                meta.published, meta.published_source = iso, "meta"
    link = soup.find("link", rel="canonical")
    if link is not None and link.get("href"):
        meta.canonical = link["href"].strip()
    return meta


def _profile_date(soup: BeautifulSoup, profile: SiteProfile) -> str | None:
    for selector in profile.published:
        for element in soup.select(selector):
            for attribute in ("datetime", "content", "title"):
                value = element.get(attribute)
                if isinstance(value, str) and _parse_iso(value):
                    return _parse_iso(value)
            text = _text(element)
            if not text:
                continue
            pieces = [m.group(1) for p in profile.published_patterns for m in [p.search(text)] if m]
            if len(text) <= _DATELINE_MAX_CHARS:
                pieces.append(text)
            parsed = [(piece, _parse_dateline(piece)) for piece in pieces]
            parsed = [(piece, iso) for piece, iso in parsed if iso]
            if parsed:  # prefer a reading that kept the time of day
                return next((iso for _, iso in parsed if "T" in iso), parsed[0][1])
    return None


def _visible_lines(soup: BeautifulSoup) -> list[str]:
    body = soup.body or soup
    return [line for line in (_clean(x) for x in _blocks(body)) if line]


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    for sep in (" | ", " - ", " – ", " :: "):
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            if site_name and _fold(tail) == _fold(site_name) or _words(tail) <= 6 and _words(head) >= 4:
                return head.strip()
    return title
