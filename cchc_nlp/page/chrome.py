"""The chrome rules (data/page/page_chrome.json) shared by the HTML and text-dump readers: stop lines,
toolbars and footers, captions, bylines and source lines, repeated leads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from cchc_nlp.errors import DataError
from cchc_nlp.page.lines import _TERMINAL, _clean, _fold, _strip_bullets, _words
from cchc_nlp.resources import read_json

__all__ = ["chrome_rules", "CleanedParagraphs", "clean_paragraphs"]


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
    not_authors: re.Pattern
    byline_max_words: int
    byline_max_chars: int
    source: tuple[re.Pattern, ...]
    remove_selectors: tuple[str, ...]
    clock_selectors: tuple[str, ...]
    related_selectors: tuple[str, ...]
    author_selectors: tuple[str, ...]
    caption_selectors: tuple[str, ...]
    inline_counters: re.Pattern
    lead_source_tag: re.Pattern


def _any_line(patterns: Iterable[str], where: str) -> re.Pattern:
    try:
        return re.compile("^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")$", re.IGNORECASE)
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression ({exc}); fix the pattern") from None


@lru_cache(maxsize=1)
def chrome_rules() -> _ChromeRules:
    """The compiled rules of data/page/page_chrome.json."""
    data = read_json("page/page_chrome.json")
    where = "cchc_nlp/data/page/page_chrome.json"
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
            not_authors=_any_line(data["not_authors"], where),
            byline_max_words=int(data["byline_max_words"]),
            byline_max_chars=int(data["byline_max_chars"]),
            source=tuple(re.compile(f"^(?:{p})$", re.IGNORECASE) for p in data["source_lines"]),
            remove_selectors=tuple(data["remove_selectors"]),
            clock_selectors=tuple(data["clock_selectors"]),
            related_selectors=tuple(data["related_selectors"]),
            author_selectors=tuple(data["author_selectors"]),
            caption_selectors=tuple(data["caption_selectors"]),
            inline_counters=re.compile("|".join(f"(?:{p})" for p in data["inline_counters"]), re.IGNORECASE),
            lead_source_tag=re.compile(data["lead_source_tag"], re.IGNORECASE),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{where}: missing or malformed key {exc}; compare with data/README.md") from None


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
