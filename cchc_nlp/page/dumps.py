"""Plain-text page dumps (one paragraph per line, chrome included) -> Article."""

from __future__ import annotations

import re
from pathlib import Path

from cchc_nlp._version import __version__
from cchc_nlp.article import Article
from cchc_nlp.errors import InputError
from cchc_nlp.ingest.urls import canonicalize_url, site_host
from cchc_nlp.page.chrome import _is_chrome_line, _source_of, chrome_rules, clean_paragraphs
from cchc_nlp.page.compose import _make_article
from cchc_nlp.page.dating import _dateline_of, _nearest_dateline
from cchc_nlp.page.lines import _clean, _strip_bullets, _words

__all__ = ["article_from_text"]

_CRUMB_SEPARATOR = re.compile(r"\s+(?:>|»|›|>>|/|\|)\s+")
_LEAD_TAG = re.compile(r"^\(?[A-ZĐ][A-Za-zĐ.]{1,12}\)?\s*[-–—]\s")  # "(BTN) -", "STO -", "BDK.VN -"
SECTION_MAX_WORDS = 6  # a section name above the headline is short
HEADLINE_MAX_WORDS = 40


def _is_breadcrumb(line: str) -> bool:
    """ "Trang chủ > Tin tức - Sự kiện > Cải cách hành chính": short parts joined by > » / |."""
    parts = _CRUMB_SEPARATOR.split(line)
    return len(parts) >= 2 and all(0 < _words(part) <= SECTION_MAX_WORDS for part in parts)


def _headline_like(line: str) -> bool:
    return 4 <= _words(line) <= HEADLINE_MAX_WORDS and not line.rstrip().endswith((".", ":", ";"))


def _is_section_name(lines: list[str], i: int) -> bool:
    """A short line (the site's section: "Thời sự Thái Nguyên", "Thông tin cải cách hành chính")
    above the real headline: after it, past the page's datelines and chrome, comes a longer
    headline-like line, itself followed by a dateline, the tagged lead or a paragraph."""
    line = lines[i]
    if _words(line) > SECTION_MAX_WORDS or any(c.isdigit() for c in line) or line.rstrip().endswith((".", ":")):
        return False
    j = i + 1
    while j < len(lines) and (_is_chrome_line(lines[j]) or _dateline_of(lines[j]) or _source_of(lines[j])):
        j += 1
    if j + 1 >= len(lines):
        return False
    headline, after = lines[j], lines[j + 1]
    if not _headline_like(headline) or _words(headline) <= _words(line):
        return False
    return bool(_dateline_of(after) or _LEAD_TAG.match(after) or _source_of(after) is not None or _words(after) >= 20)


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
        if _is_breadcrumb(core) or _is_section_name(lines, i):
            continue  # "Trang chủ > Tin tức > Cải cách hành chính", "Thời sự Thái Nguyên" above the headline
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
