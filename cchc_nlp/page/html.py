"""One web page (HTML or a plain-text page dump) -> a clean `Article`.

HTML goes through a *site profile* (cchc_nlp/data/site_profiles/*.json: CSS selectors
for title, date, sapo, body, author and captions, one file per CMS family or site) and
falls back to trafilatura when the profile's body selectors find nothing. Both paths
then share the line rules of cchc_nlp/data/page_chrome.json with the text-dump reader:
chrome lines dropped ("Chế độ ban đêm In trang Xuất PDF", "Protected by FormShield",
footers), the article cut at "Các tin khác" / "Tin cùng chuyên mục" / comment forms,
image captions set apart, the byline taken from the last line, a repeated lead dropped.

The publication date is never the page's "today" clock: it comes from JSON-LD, then the
article meta tags, then the profile's date element, then the dateline nearest the
headline (seed 000 shows the visit time "Thứ Ba, 19/02/2019" above the real
"Ngày 04/07/2018"), and only then from trafilatura's markup-only date search.
Date shapes are parsed by cchc_nlp.text.dates (parse_dateline / find_datelines).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from cchc_nlp._version import __version__
from cchc_nlp.article import Article
from cchc_nlp.errors import DataError, InputError
from cchc_nlp.ingest.urls import canonicalize_url, site_host
from cchc_nlp.resources import data_path, read_json
from cchc_nlp.timeutil import iso_datetime

__all__ = [
    "SiteProfile",
    "GENERIC_PROFILE",
    "article_from_html",
    "article_from_text",
    "is_article_page",
    "decode_html",
    "get_profile",
    "choose_profile",
    "site_profiles",
    "clean_paragraphs",
    "CleanedParagraphs",
]

_HEAD_SCAN_CHARS = 200_000  # markers and meta tags are looked for in the first part of a page

# --------------------------------------------------------------------------- text helpers

_WS_RE = re.compile(r"[\s\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
_BULLETS = "•·▪►»◦‣-–—*+ "
_TERMINAL = tuple('.!?…:;"”’)]»')
_TIME_RE = re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b")


def _clean(text: str) -> str:
    """NFC, whitespace runs (including no-break and zero-width spaces) to one space, stripped."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _fold(text: str) -> str:
    """A comparison key: lowercase, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.lower())


def _words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- chrome rules


@dataclass(frozen=True)
class _ChromeRules:
    stop: re.Pattern
    drop: re.Pattern
    footer: re.Pattern
    image_file: re.Pattern
    caption: re.Pattern
    caption_cue: re.Pattern
    caption_max_words: int
    byline_prefix: re.Pattern
    byline_max_words: int
    byline_max_chars: int
    source: tuple[re.Pattern, ...]
    remove_selectors: tuple[str, ...]
    clock_selectors: tuple[str, ...]
    related_selectors: tuple[str, ...]
    next_texts: frozenset[str]
    lead_source_tag: re.Pattern


def _any_line(patterns: Iterable[str], where: str) -> re.Pattern:
    try:
        return re.compile("^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")$", re.IGNORECASE)
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression ({exc}); fix the pattern") from None


@lru_cache(maxsize=1)
def chrome_rules() -> _ChromeRules:
    """The compiled rules of data/page_chrome.json."""
    data = read_json("page_chrome.json")
    where = "cchc_nlp/data/page_chrome.json"
    try:
        return _ChromeRules(
            stop=_any_line(data["stop_lines"], where),
            drop=_any_line(data["drop_lines"], where),
            footer=_any_line(data["footer_lines"], where),
            image_file=_any_line([data["image_file_line"]], where),
            caption=_any_line(data["caption_lines"], where),
            caption_cue=re.compile("|".join(f"(?:{p})" for p in data["caption_cues"]), re.IGNORECASE),
            caption_max_words=int(data["caption_max_words"]),
            byline_prefix=re.compile(r"^(?:" + "|".join(data["byline_prefixes"]) + r")\s*", re.IGNORECASE),
            byline_max_words=int(data["byline_max_words"]),
            byline_max_chars=int(data["byline_max_chars"]),
            source=tuple(re.compile(f"^(?:{p})$", re.IGNORECASE) for p in data["source_lines"]),
            remove_selectors=tuple(data["remove_selectors"]),
            clock_selectors=tuple(data["clock_selectors"]),
            related_selectors=tuple(data["related_selectors"]),
            next_texts=frozenset(t.lower() for t in data["listing_next_texts"]),
            lead_source_tag=re.compile(data["lead_source_tag"], re.IGNORECASE),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{where}: missing or malformed key {exc}; compare with data/README.md") from None


def _strip_bullets(line: str) -> str:
    return line.lstrip(_BULLETS).strip()


def _is_chrome_line(line: str) -> bool:
    rules = chrome_rules()
    return bool(rules.drop.match(line) or rules.footer.match(line))


def _source_of(line: str) -> str | None:
    core = _strip_bullets(line)
    for pattern in chrome_rules().source:
        match = pattern.match(core)
        if match:
            return match.group("source").strip(" \"“”'.")
    return None


def _byline_of(line: str) -> tuple[str | None, str | None]:
    """(author, source) when the line is a byline ("N.H", "Bài, ảnh: Huỳnh Đức", "Theo X")."""
    rules = chrome_rules()
    text = _strip_bullets(line)
    match = rules.byline_prefix.match(text)
    prefixed = bool(match)
    if match:
        prefix = match.group(0).strip().lower()
        text = text[match.end() :].strip()
        if prefix == "theo":
            return (None, text.rstrip(".")) if text and _words(text) <= rules.byline_max_words else (None, None)
    if not text or len(text) > rules.byline_max_chars or _words(text) > rules.byline_max_words:
        return None, None
    name = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip()  # "Minh Anh (Sở Nội vụ)"
    tokens = [t for t in re.split(r"[\s.]+", name) if t]
    if not tokens or name.endswith((":", ",", ";")):
        return None, None
    if name.endswith(".") and not all(len(t) <= 2 for t in tokens):  # "N.H." yes, a sentence no
        return None, None
    if not all(t[0].isupper() for t in tokens):
        return None, None
    if not prefixed and any(ch.isdigit() for ch in name):
        return None, None
    return text, None


def _is_caption(line: str, *, after_image: bool = False) -> bool:
    rules = chrome_rules()
    if rules.caption.match(line):
        return True
    if _words(line) > rules.caption_max_words:
        return False
    if after_image:
        return True
    if not line.endswith(_TERMINAL) or _words(line) <= 12:
        return bool(rules.caption_cue.search(line))
    return False


@dataclass
class CleanedParagraphs:
    """What the shared line rules make of an article's paragraphs."""

    paragraphs: list[str]
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    source: str | None = None


def clean_paragraphs(
    paragraphs: Iterable[str],
    *,
    title: str | None = None,
    lead: str | None = None,
    guess_captions: bool = True,
) -> CleanedParagraphs:
    """Apply the chrome rules to an article's paragraphs (HTML blocks or dump lines).

    Cuts at the first stop line ("Các tin khác", "Viết bình luận", ...), drops chrome and
    footer lines, sets apart captions (after an image file name line, "Ảnh: ...", or a
    short caption-like line when `guess_captions`), takes a trailing source line
    ("Nguồn tin ...") and byline, and drops paragraphs repeating the title, the lead or
    an earlier paragraph.
    """
    rules = chrome_rules()
    lines = [_clean(p) for p in paragraphs]
    lines = [p for p in lines if p]
    for i, line in enumerate(lines):
        if i > 0 and rules.stop.match(_strip_bullets(line)):
            lines = lines[:i]
            break
    result = CleanedParagraphs(paragraphs=[])
    kept: list[str] = []
    after_image = False
    for line in lines:
        if rules.image_file.match(line):
            after_image = True
            continue
        if _source_of(line) is not None and _words(line) <= 12:
            result.source = result.source or _source_of(line)
            after_image = False
            continue
        if _is_chrome_line(line) or rules.stop.match(line):
            after_image = False
            continue
        if rules.caption.match(line) or (after_image or guess_captions) and _is_caption(line, after_image=after_image):
            result.captions.append(line)
            after_image = False
            continue
        after_image = False
        kept.append(line)
    # the byline is the last short line; a source line may follow or precede it
    while kept:
        author, source = _byline_of(kept[-1])
        if author is None and source is None:
            break
        kept.pop()
        if author and result.author is None:
            result.author = author
        if source and result.source is None:
            result.source = source
        if author:
            break
    seen = {_fold(t) for t in (title, lead) if t}
    for line in kept:
        key = _fold(line)
        if not key or key in seen:
            continue
        if lead and len(key) > 40 and key in _fold(lead):
            continue
        seen.add(key)
        result.paragraphs.append(line)
    return result


# --------------------------------------------------------------------------- dates


def _dates_module():
    from cchc_nlp.text import dates  # owned by NUM; imported when a date shape must be read

    return dates


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _parse_iso(value: str) -> str | None:
    """An ISO 8601 date or time as `iso_datetime` writes it; None for anything else."""
    value = value.strip()
    if not _ISO_RE.match(value):
        return None
    try:
        return iso_datetime(value)
    except ValueError:
        return None


def _parse_dateline(text: str) -> str | None:
    """A chrome date ("Thứ năm 20/08/2020 16:00") as ISO, via cchc_nlp.text.dates."""
    text = _clean(text)
    if not text:
        return None
    iso = _parse_iso(text)
    if iso:
        return iso
    moment = _dates_module().parse_dateline(text)
    if moment is None:
        return None
    return iso_datetime(moment if _TIME_RE.search(text) else moment.date())


_DATELINE_MAX_CHARS = 70


def _dateline_of(line: str) -> str | None:
    """The date of a line that is only a dateline (weekday, date, time, GMT, 'Cập nhật')."""
    core = _strip_bullets(line)
    if not core or len(core) > _DATELINE_MAX_CHARS or core.endswith(".") or not re.search(r"\d", core):
        return None
    return _parse_dateline(core)


def _nearest_dateline(lines: list[str], title_index: int, before: int = 4, after: int = 8) -> str | None:
    """The dateline nearest the headline; ties go to the one after it."""
    best: tuple[int, int, str] | None = None
    low, high = max(0, title_index - before), min(len(lines), title_index + after + 1)
    for i in range(low, high):
        if i == title_index:
            continue
        iso = _dateline_of(lines[i])
        if iso is None:
            continue
        rank = (abs(i - title_index), 0 if i > title_index else 1)
        if best is None or rank < best[:2]:
            best = (*rank, iso)
    return best[2] if best else None


# --------------------------------------------------------------------------- site profiles


def _compile_all(patterns: Iterable[str], where: str) -> tuple[re.Pattern, ...]:
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression ({exc}); fix the profile") from None


@dataclass(frozen=True)
class SiteProfile:
    """How to read one CMS family or site: selectors and URL patterns (a JSON file)."""

    name: str
    version: int = 1
    family: str = "generic"
    description: str = ""
    source_name: str | None = None
    fallback: bool = False
    hosts: tuple[str, ...] = ()
    html_markers: tuple[re.Pattern, ...] = ()
    url_patterns: tuple[re.Pattern, ...] = ()
    article_url_patterns: tuple[re.Pattern, ...] = ()
    listing_url_patterns: tuple[re.Pattern, ...] = ()
    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    published_patterns: tuple[re.Pattern, ...] = ()
    lead: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    article_links: tuple[str, ...] = ()
    next_page: tuple[str, ...] = ()
    listing_items: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> SiteProfile:
        """Build a profile from its JSON object; DataError names the file and the key."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise DataError(f'{where}: a site profile must be a JSON object with a "name"; see data/README.md')
        match = data.get("match") or {}
        listing = data.get("listing") or {}

        def strings(value: Any, key: str) -> tuple[str, ...]:
            if value is None:
                return ()
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DataError(f'{where}: "{key}" must be a list of strings')
            return tuple(value)

        return cls(
            name=data["name"],
            version=int(data.get("version", 1)),
            family=data.get("family", data["name"]),
            description=data.get("description", ""),
            source_name=data.get("source_name"),
            fallback=bool(data.get("fallback", False)),
            hosts=tuple(h.lower() for h in strings(match.get("hosts"), "match.hosts")),
            html_markers=_compile_all(strings(match.get("html_markers"), "match.html_markers"), where),
            url_patterns=_compile_all(strings(match.get("url_patterns"), "match.url_patterns"), where),
            article_url_patterns=_compile_all(strings(data.get("article_url_patterns"), "article_url_patterns"), where),
            listing_url_patterns=_compile_all(strings(data.get("listing_url_patterns"), "listing_url_patterns"), where),
            title=strings(data.get("title"), "title"),
            published=strings(data.get("published"), "published"),
            published_patterns=_compile_all(strings(data.get("published_patterns"), "published_patterns"), where),
            lead=strings(data.get("lead"), "lead"),
            body=strings(data.get("body"), "body"),
            author=strings(data.get("author"), "author"),
            captions=strings(data.get("captions"), "captions"),
            remove=strings(data.get("remove"), "remove"),
            article_links=strings(listing.get("article_links"), "listing.article_links"),
            next_page=strings(listing.get("next_page"), "listing.next_page"),
            listing_items=strings(listing.get("item"), "listing.item"),
        )

    def is_article_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_url_patterns)

    def is_listing_url(self, url: str) -> bool:
        return not self.is_article_url(url) and any(p.search(url) for p in self.listing_url_patterns)

    def matches(self, url: str | None, html: str) -> bool:
        """Whether this family/site profile claims the page (host, URL shape or HTML marker)."""
        if url:
            host = (urlsplit(url).hostname or "").lower()
            if any(host == h or host.endswith("." + h) for h in self.hosts):
                return True
            if any(p.search(url) for p in self.url_patterns):
                return True
        head = html[:_HEAD_SCAN_CHARS]
        return any(p.search(head) for p in self.html_markers)


GENERIC_PROFILE = SiteProfile(name="generic", family="generic", description="trafilatura alone")


@lru_cache(maxsize=1)
def site_profiles() -> dict[str, SiteProfile]:
    """The bundled profiles (data/site_profiles/*.json) by name."""
    folder = data_path("site_profiles")
    profiles: dict[str, SiteProfile] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        where = f"cchc_nlp/data/site_profiles/{entry.name}"
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{where} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
        profile = SiteProfile.from_dict(data, where)
        profiles[profile.name] = profile
    return profiles


def get_profile(name_or_path: str | Path | SiteProfile) -> SiteProfile:
    """A bundled profile by name ("nukeviet"), or a profile JSON file by path."""
    if isinstance(name_or_path, SiteProfile):
        return name_or_path
    text = str(name_or_path)
    if text == "generic":
        return GENERIC_PROFILE
    if text in site_profiles():
        return site_profiles()[text]
    path = Path(text)
    if path.suffix == ".json" and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
        return SiteProfile.from_dict(data, str(path))
    names = ", ".join(["generic", *site_profiles()])
    raise DataError(f"unknown site profile {text!r}; use one of {names} or the path of a profile .json file")


def choose_profile(url: str | None, html: str) -> SiteProfile:
    """The profile for a page: a site profile by host, a CMS family by URL/markers, else a fallback."""
    profiles = list(site_profiles().values())
    for profile in profiles:  # site-specific profiles first
        if profile.hosts and profile.matches(url, ""):
            return profile
    for profile in profiles:
        if not profile.fallback and profile.matches(url, html):
            return profile
    for profile in profiles:
        if profile.fallback:
            return profile
    return GENERIC_PROFILE


# --------------------------------------------------------------------------- HTML decoding

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """HTML bytes -> NFC text: BOM, then the HTTP charset, the <meta> charset, UTF-8, windows-1258.

    Windows-1258 (the legacy Vietnamese code page) writes tones as combining marks;
    the NFC step composes them, as it does for pages typed in decomposed Unicode.
    """
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if data.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8", errors="replace"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", data.decode("utf-16", errors="replace"))
    candidates = [_codec(encoding)]
    meta = _META_CHARSET_RE.search(data[:4096])
    candidates.append(_codec(meta.group(1).decode("ascii")) if meta else None)
    candidates += ["utf-8", "cp1258"]
    for name in candidates:
        if not name:
            continue
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


# --------------------------------------------------------------------------- HTML -> blocks

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "pre",
        "hr",
        "center",
        "address",
        "details",
        "summary",
    ]
)


def _blocks(element: Tag) -> list[str]:
    """The text of an element as paragraphs: one per block element or <br>-separated line."""
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(text)

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "br":
                flush()
            elif child.name in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(element)
    flush()
    return blocks


def _text(element: Tag | None) -> str:
    return _clean(element.get_text(" ")) if element is not None else ""


def _select_first(root: Tag, selectors: Iterable[str]) -> Tag | None:
    for selector in selectors:
        try:
            found = root.select_one(selector)
        except (ValueError, NotImplementedError) as exc:
            raise DataError(f"bad CSS selector {selector!r} in a site profile: {exc}") from None
        if found is not None:
            return found
    return None


def _decompose_all(root: Tag, selectors: Iterable[str]) -> None:
    for selector in selectors:
        try:
            found = root.select(selector)
        except (ValueError, NotImplementedError) as exc:
            raise DataError(f"bad CSS selector {selector!r}: {exc}") from None
        for element in found:
            if element is not root and not element.decomposed:
                element.decompose()


def _pull_captions(container: Tag, selectors: Iterable[str]) -> list[str]:
    """Remove figure captions from the container and return their text.

    Besides the profile's selectors: a block holding only an image followed by a short
    block that is entirely italic (the common "<p><em>caption</em></p>" of VN portals).
    """
    captions: list[str] = []
    for selector in ("figcaption", *selectors):
        for element in container.select(selector):
            if element.decomposed:
                continue
            text = _text(element)
            if text:
                captions.append(text)
            element.decompose()
    for image in container.find_all("img"):
        holder = image
        while holder.parent is not None and holder.parent is not container and not _text(holder.parent):
            holder = holder.parent
        sibling = holder.find_next_sibling()
        if sibling is None or sibling.name not in ("p", "div", "em", "i", "span"):
            continue
        text = _text(sibling)
        italic = sibling if sibling.name in ("em", "i") else sibling.find(["em", "i"])
        if text and italic is not None and _text(italic) == text and _words(text) <= 40:
            captions.append(text)
            sibling.decompose()
    return captions


# --------------------------------------------------------------------------- page metadata


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


def _safe_dateline(value: str) -> str | None:
    try:
        return _parse_dateline(value)
    except ImportError:
        return None


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


_DOMAIN_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org)$", re.IGNORECASE)


def _province(url: str | None) -> str | None:
    if not url:
        return None
    from cchc_nlp.tag.gazetteer import province_for_url  # owned by TAG

    return province_for_url(url)


def _make_article(
    *,
    title: str | None,
    paragraphs: list[str],
    lead: str | None,
    url: str | None,
    canonical: str | None,
    source: str | None,
    published: str | None,
    published_source: str | None,
    author: str | None,
    captions: list[str],
    extractor: str,
    path: str | None,
    where: str,
) -> Article:
    if lead is None and paragraphs:
        lead, paragraphs = paragraphs[0], paragraphs[1:]
    if source is None and lead:  # "(Vinhlong.gov.vn) - Ngày 02/7/2018, ..."
        tag = chrome_rules().lead_source_tag.match(lead)
        source = tag.group("source") if tag else None
    if not lead and not paragraphs:
        raise InputError(f"no article text found in {where}; is it a listing or an empty page?")
    body = "\n\n".join(paragraphs) or None
    text = "\n\n".join(part for part in (title, lead, body) if part)
    return Article(
        text=text,
        title=title,
        lead=lead,
        body=body,
        url=url,
        canonical_url=canonical,
        source=source,
        published=published,
        published_source=published_source if published else None,
        province=_province(url or canonical or (source if source and _DOMAIN_RE.match(source) else None)),
        author=author,
        captions=captions,
        extractor=extractor,
        path=path,
    )


def _resolve_profile(profile: str | Path | SiteProfile | None, url: str | None, text: str) -> SiteProfile:
    return get_profile(profile) if profile is not None else choose_profile(url, text)


def article_from_html(
    html: bytes | str,
    url: str | None = None,
    *,
    profile: str | Path | SiteProfile | None = None,
    encoding: str | None = None,
) -> Article:
    """Extract the article of one HTML page.

    `profile` is a bundled profile name, a profile .json path or a SiteProfile; by default
    one is chosen from the URL and the page (see choose_profile). `encoding` is the HTTP
    charset when known. Raises InputError when the page holds no article text.
    """
    text = decode_html(html, encoding)
    soup = BeautifulSoup(text, "lxml")
    chosen = _resolve_profile(profile, url, text)
    meta = _page_meta(soup)
    rules = chrome_rules()
    _decompose_all(soup, ("script", "style", "noscript", "template"))
    _decompose_all(soup, rules.clock_selectors)
    # related-news lists carry other articles' dates and titles; profile chrome never holds the article
    _decompose_all(soup, (*rules.related_selectors, *chosen.remove))

    title_element = _select_first(soup, chosen.title) if chosen.title else None
    title = _text(title_element) or meta.title or _text(soup.find("h1"))
    if not title and soup.title is not None:
        title = _strip_site_suffix(_text(soup.title), meta.site_name)
    title = title or None

    published, published_source = meta.published, meta.published_source
    if published is None and chosen.published:
        published = _profile_date(soup, chosen)
        published_source = "profile" if published else None
    if published is None and title:
        lines = _visible_lines(soup)
        index = next((i for i, line in enumerate(lines) if _fold(line) == _fold(title)), None)
        if index is not None:
            published = _nearest_dateline(lines, index)
            published_source = "text" if published else None

    container = _select_first(soup, chosen.body) if chosen.body else None
    lead: str | None = None
    author: str | None = None
    captions: list[str] = []
    if container is not None and len(_text(container)) >= 40:
        lead_element = _select_first(soup, chosen.lead) if chosen.lead else None
        lead = _text(lead_element) or None
        author_element = _select_first(soup, chosen.author) if chosen.author else None
        author = _text(author_element) or None
        if author:
            author = chrome_rules().byline_prefix.sub("", author).strip() or None
        for element in (lead_element, author_element):
            if element is not None and not element.decomposed and any(p is container for p in element.parents):
                element.decompose()
        _decompose_all(container, (*rules.remove_selectors, *chosen.remove))
        captions = _pull_captions(container, chosen.captions)
        raw_paragraphs = _blocks(container)
        extractor = f"profile:{chosen.name}/{chosen.version} cchc_nlp/{__version__}"
    else:
        raw_paragraphs = _trafilatura_paragraphs(text, url)
        captions = [_text(f) for f in soup.find_all("figcaption") if _text(f)]
        extractor = _generic_extractor_name()
        if published is None:
            published = _trafilatura_date(text, url)
            published_source = "htmldate" if published else None
    # datelines and the title repeated at the top of the body are chrome
    while raw_paragraphs and (_dateline_of(raw_paragraphs[0]) or (title and _fold(raw_paragraphs[0]) == _fold(title))):
        raw_paragraphs = raw_paragraphs[1:]
    cleaned = clean_paragraphs(raw_paragraphs, title=title, lead=lead, guess_captions=False)
    if lead and _fold(lead) in {_fold(p) for p in cleaned.paragraphs}:
        cleaned.paragraphs = [p for p in cleaned.paragraphs if _fold(p) != _fold(lead)]
    author = author or meta.author or cleaned.author

    canonical = None
    if meta.canonical and url:
        absolute = urljoin(url, meta.canonical)
        if urlsplit(absolute).hostname == urlsplit(url).hostname:
            canonical = canonicalize_url(absolute)
    if canonical is None and url:
        canonical = canonicalize_url(url)
    source = chosen.source_name or meta.site_name or site_host(url) or cleaned.source
    return _make_article(
        title=title,
        paragraphs=cleaned.paragraphs,
        lead=lead,
        url=url,
        canonical=canonical,
        source=source,
        published=published,
        published_source=published_source,
        author=author,
        captions=captions + cleaned.captions,
        extractor=extractor,
        path=None,
        where=url or "the HTML page",
    )


# trafilatura warns "discarding data" for every page without an article; the caller turns
# an empty result into an InputError that is recorded, so the warning is noise (on stderr
# through logging's last-resort handler, once per listing page of a crawl). Set once here:
# trafilatura's module logger is this same object whenever it is imported.
logging.getLogger("trafilatura.core").setLevel(logging.ERROR)


def _trafilatura_paragraphs(html: str, url: str | None) -> list[str]:
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=True,
    )
    if document is None or not getattr(document, "text", None):
        return []
    return [line for line in document.text.split("\n") if line.strip()]


def _trafilatura_date(html: str, url: str | None) -> str | None:
    """htmldate through trafilatura, markup only (no search of the visible text's dates)."""
    from htmldate import find_date

    value = find_date(html, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    return _parse_iso(value) if value else None


@lru_cache(maxsize=1)
def _generic_extractor_name() -> str:
    import trafilatura

    return f"generic:trafilatura/{trafilatura.__version__} cchc_nlp/{__version__}"


# --------------------------------------------------------------------------- page kind


def is_article_page(
    html: bytes | str, url: str | None = None, *, profile: str | Path | SiteProfile | None = None
) -> bool:
    """Whether a page is one article (True) rather than a listing, index or form page.

    In order: the profile's article / listing URL patterns; og:type "article" or a
    JSON-LD *Article; the profile's body element; else whether one element holds at
    least 400 characters of paragraph text outside links in two or more paragraphs.
    """
    text = decode_html(html)
    chosen = _resolve_profile(profile, url, text)
    if url:
        if chosen.is_article_url(url):
            return True
        if chosen.is_listing_url(url):
            return False
    soup = BeautifulSoup(text, "lxml")
    if _page_meta(soup).is_article:
        return True
    _decompose_all(soup, ("script", "style", "noscript", "nav", "header", "footer"))
    if chosen.body:
        container = _select_first(soup, chosen.body)
        if container is not None and len(_text(container)) >= 100:
            return True
    per_parent: dict[int, list[int]] = {}
    for paragraph in soup.find_all("p"):
        link_text = sum(len(_text(a)) for a in paragraph.find_all("a"))
        own = len(_text(paragraph)) - link_text
        if own >= 40 and paragraph.parent is not None:
            per_parent.setdefault(id(paragraph.parent), []).append(own)
    return any(len(sizes) >= 2 and sum(sizes) >= 400 for sizes in per_parent.values())


# --------------------------------------------------------------------------- text dumps


def article_from_text(text: str | bytes, *, path: str | Path | None = None, url: str | None = None) -> Article:
    """Read a plain-text page dump (one paragraph per line, chrome included).

    title = the first headline-like line (not chrome, not a dateline); published = the
    dateline nearest that line (never the visit-time clock further away); lead = the
    first paragraph after it; author = the byline line at the end; chrome, captions and
    a repeated lead are dropped (captions are kept in Article.captions).
    """
    where = str(path) if path is not None else (url or "the text")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{where} is not UTF-8 text; convert it (e.g. iconv -f windows-1258) first") from None
    if not isinstance(text, str):
        raise InputError(f"expected the page dump as text, got {type(text).__name__}")
    rules = chrome_rules()
    lines = [_clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    title_index = None
    source = None
    for i, line in enumerate(lines):
        core = _strip_bullets(line)
        if _source_of(line) is not None and _words(line) <= 12:
            continue
        if core != line and _words(core) <= 6:  # "• Huyện Mỹ Xuyên": a breadcrumb
            continue
        if _is_chrome_line(line) or rules.stop.match(core) or _dateline_of(line):
            continue
        if _words(core) >= 4:
            title_index = i
            break
    if title_index is None:
        raise InputError(f"no headline found in {where}; is it an article page dump?")
    title = lines[title_index]
    published = _nearest_dateline(lines, title_index)
    start = title_index + 1
    while start < len(lines):  # the meta block under the headline: datelines, source, bullets
        line = lines[start]
        if _dateline_of(line):
            start += 1
        elif _source_of(line) is not None and _words(line) <= 12:
            source = source or _source_of(line)
            start += 1
        elif _is_chrome_line(line) or (_strip_bullets(line) != line and _words(line) <= 6):
            start += 1
        else:
            break
    cleaned = clean_paragraphs(lines[start:], title=title)
    source = cleaned.source or source or site_host(url)
    return _make_article(
        title=title,
        paragraphs=cleaned.paragraphs,
        lead=None,
        url=url,
        canonical=canonicalize_url(url) if url else None,
        source=source,
        published=published,
        published_source="text" if published else None,
        author=cleaned.author,
        captions=cleaned.captions,
        extractor=f"text cchc_nlp/{__version__}",
        path=str(path) if path is not None else None,
        where=where,
    )
