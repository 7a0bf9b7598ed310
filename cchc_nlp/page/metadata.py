"""Page metadata: title, site name, canonical URL, author and publication date from JSON-LD,
meta tags and the profile's date element."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from cchc_nlp.page.blocks import _blocks, _select_first, _text
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
    """The page's lines of text; a <time datetime="..."> reads as its machine value, so that a
    "Thứ sáu, 08 Tháng 7 2022 09:12" keeps its time."""
    body = copy.copy(soup.body or soup)
    for element in body.find_all("time", datetime=True):
        if _parse_iso(element["datetime"]):
            element.string = f" {element['datetime'].strip()} "
    for element in body.find_all(_SPACED_INLINE):  # "<span>14:20</span><span>1.254 lượt xem</span>"
        element.insert_before(" ")
        element.insert_after(" ")
    return [line for line in (_clean(x) for x in _blocks(body)) if line]


_SPACED_INLINE = ("span", "time", "a", "small", "label", "button")
_HIDDEN_CLASSES = ("sr-only", "hide-accessible", "visually-hidden", "screen-reader", "hidden")


def _hidden(element: Tag) -> bool:
    """Text for screen readers only (an sr-only copy of the headline), not the visible headline."""
    for node in (element, *element.parents):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            break
        classes = " ".join(node.get("class") or []).lower()
        style = (node.get("style") or "").replace(" ", "").lower()
        if any(c in classes for c in _HIDDEN_CLASSES) or "display:none" in style or node.get("aria-hidden") == "true":
            return True
    return False


_TITLE_TAGS = ("h1", "h2", "h3", "h4", "span", "div", "p", "strong", "b", "td", "a")


def _title_element(soup: BeautifulSoup, profile: SiteProfile, meta: _PageMeta) -> Tag | None:
    """The headline element: the profile's, else the visible element that repeats og:title or the
    document title (a `span.tieude` when the only <h1> is the portal's name), else an <h1> outside
    the page header. A fallback profile's selectors are guesses: they come after the element
    repeating the title. None when there is none."""
    if profile.title and not profile.fallback:
        found = _select_first(soup, profile.title)
        if found is not None and _text(found):
            return found
    body = soup.body or soup
    document_title = _text(soup.title)
    heads = [_strip_site_suffix(document_title, meta.site_name)]
    heads += [document_title.rsplit(sep, 1)[0] for sep in (" | ", " - ", " – ", " :: ") if sep in document_title]
    wanted = {_fold(t) for t in (meta.title, *heads) if t}
    wanted.discard("")
    if soup.title is not None and meta.site_name:
        wanted.discard(_fold(meta.site_name))
    for names in (("h1", "h2", "h3"), _TITLE_TAGS):
        for element in body.find_all(names):
            text = _text(element)
            if len(text) > 300 or _fold(text) not in wanted or element.find_parent(["nav", "footer"]) is not None:
                continue
            if _hidden(element):
                continue
            while True:  # the innermost element with that text
                inner = [c for c in element.find_all(_TITLE_TAGS, recursive=False) if _fold(_text(c)) == _fold(text)]
                if len(inner) != 1:
                    return element
                element = inner[0]
    if profile.title:
        found = _select_first(soup, profile.title)
        if found is not None and _text(found):
            return found
    for heading in body.find_all("h1"):
        if _text(heading) and heading.find_parent(["header", "nav", "footer"]) is None:
            return heading
    return None


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    for sep in (" | ", " - ", " – ", " :: "):
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            if site_name and _fold(tail) == _fold(site_name) or _words(tail) <= 6 and _words(head) >= 4:
                return head.strip()
    return title
