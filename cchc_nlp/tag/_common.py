"""Helpers shared by the entity taggers: character classes, phrase regexes, records and spans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from cchc_nlp.records import add_entities
from cchc_nlp.text.dates import find_datelines
from cchc_nlp.text.pipeline import DOC_TEXT_KEY

__all__ = [
    "UPPER",
    "LOWER",
    "LETTER",
    "phrase_pattern",
    "phrase_alternation",
    "phrase_regex",
    "emit",
    "sync_spans",
    "doc_text",
    "release_caches",
    "article_date",
    "dateline_date",
    "SPANS_KEY",
]

SPANS_KEY = "entities"

# Vietnamese letters by case, generated so no accented capital is forgotten.
_LATIN = [chr(c) for c in range(0x41, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]
UPPER = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
LOWER = "".join(c for c in _LATIN if c.isalpha() and c.islower())
LETTER = UPPER + LOWER


def phrase_pattern(phrase: str) -> str:
    """Regex for a phrase: spaces match any whitespace, hyphens any dash with optional spaces."""
    parts = []
    for token in re.split(r"(\s*[-–]\s*|\s+|,\s*)", phrase):
        if not token:
            continue
        if token.strip() in ("-", "–"):
            parts.append(r"\s*[-–]\s*")
        elif token.strip() == ",":
            parts.append(r",?\s*")
        elif token.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(token))
    return "".join(parts)


def phrase_alternation(phrases: Iterable[str], *, ignore_case: bool = False, cap_first: bool = True) -> str:
    """Regex source (a non-capturing group) matching any of the phrases, longest first.

    ignore_case: letters after the first match in any case ("Ban chỉ đạo" = "Ban Chỉ đạo",
    "SỞ NỘI VỤ"); cap_first: the first letter must be as written (else either case).
    Phrases are grouped by first character so the alternation is not re-tried phrase by
    phrase at every position of the text.
    """
    groups: dict[str, set[str]] = {}
    for phrase in phrases:
        phrase = phrase.strip()
        if not phrase:
            continue
        firsts = {phrase[0]}
        if ignore_case and not cap_first:
            firsts |= {phrase[0].upper(), phrase[0].lower()}
        for first in firsts:
            groups.setdefault(first, set()).add(phrase[1:])
    branches = []
    for first, tails in sorted(groups.items()):
        ordered = sorted(tails, key=len, reverse=True)
        alternation = "|".join(phrase_pattern(tail) if tail else "" for tail in ordered)
        scope = "(?i:" if ignore_case else "(?:"
        branches.append(re.escape(first) + scope + alternation + ")")
    return "(?:" + "|".join(branches) + ")"


def phrase_regex(phrases: Iterable[str], *, ignore_case: bool = False, cap_first: bool = True) -> re.Pattern:
    """One compiled regex matching any of the phrases as whole words (see phrase_alternation)."""
    body = phrase_alternation(phrases, ignore_case=ignore_case, cap_first=cap_first)
    return re.compile(r"(?<![\w/])" + body + r"(?!\w)")


TEXT_CACHE_KEY = DOC_TEXT_KEY  # set by the tokenizer; built here for a Doc made otherwise


def doc_text(doc: Doc) -> str:
    """doc.text, built once per Doc for all the taggers (spaCy rebuilds it on each access).

    Kept in doc.user_data for the later components too (cchc_metrics reads it and drops it).
    """
    text = doc.user_data.get(TEXT_CACHE_KEY)
    if text is None:
        text = doc.text
        doc.user_data[TEXT_CACHE_KEY] = text
    return text


def emit(doc: Doc, records: Iterable[dict[str, Any]]) -> None:
    """Append entity records (label, start, end, norm, attrs) to doc._.entities in one batch."""
    add_entities(doc, records, text=doc_text(doc))


SYNCED_KEY = "cchc_spans_synced"


def sync_spans(doc: Doc) -> None:
    """Bring doc.spans["entities"] (all records) and doc.ents (longest non-overlapping) up to date.

    Only records added since the last call are converted (the count is kept in
    doc.user_data); spans are expanded to token boundaries.
    """
    records = doc._.entities or []
    done = doc.user_data.get(SYNCED_KEY, 0)
    if done == len(records) and SPANS_KEY in doc.spans:
        return
    spans: list[Span] = list(doc.spans[SPANS_KEY]) if done and SPANS_KEY in doc.spans else []
    for record in records[done if spans else 0 :]:
        norm = record.get("norm")
        span = doc.char_span(
            record["start"],
            record["end"],
            label=record["label"],
            kb_id=norm if isinstance(norm, str) else "",  # span.kb_id_ and span._.norm
            alignment_mode="expand",
        )
        if span is not None and len(span):
            spans.append(span)
    doc.spans[SPANS_KEY] = spans
    doc.ents = filter_spans(spans)
    doc.user_data[SYNCED_KEY] = len(records)


def release_caches(doc: Doc) -> None:
    """Drop the taggers' sync count once tagging is over; the cached text stays for
    cchc_metrics, the last reader, which drops it."""
    doc.user_data.pop(SYNCED_KEY, None)


def article_date(doc: Doc) -> str | None:
    """The date relative expressions and place names are resolved at (ISO string or None).

    doc._.published; else the page-chrome dateline of a page dump (`dateline_date`);
    else None. Cached in doc.user_data["cchc_article_date"].
    """
    if doc._.published:
        return doc._.published
    if "cchc_article_date" not in doc.user_data:
        doc.user_data["cchc_article_date"] = dateline_date(doc_text(doc))
    return doc.user_data["cchc_article_date"]


BODY_LINE_CHARS = 200
CHROME_LINE_CHARS = 60
_BODY_LINE_RE = re.compile(rf"(?m)^[^\n]{{{BODY_LINE_CHARS + 1},}}")


def dateline_date(text: str) -> str | None:
    """Publication date of a page dump from its chrome datelines (cchc_nlp.text.dates.find_datelines).

    A dateline counts when it carries a clock time or stands on a short line of its own
    ("Thứ 2 Ngày 26/12/2016"); dates inside body sentences do not. Of those before the
    first body paragraph the last wins (a crawl or update stamp often comes first);
    otherwise the first one. None when there is none.

    >>> dateline_date("Thứ Ba, 19/02/2019 4:49:58 CH\\nNgày 04/07/2018 21:47:04\\nTiêu đề")
    '2018-07-04'
    >>> dateline_date("Ngày 02/7/2018, Sở Nội vụ tỉnh tổ chức hội nghị sơ kết công tác năm.") is None
    True
    """
    chrome: list[tuple[int, str]] = []
    for start, _end, stamp in find_datelines(text):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        short = len(text[line_start:line_end].strip()) <= CHROME_LINE_CHARS
        if short or (stamp.hour, stamp.minute, stamp.second) != (0, 0, 0):
            chrome.append((start, stamp.date().isoformat()))
    if not chrome:
        return None
    body = _BODY_LINE_RE.search(text)
    before = [iso for start, iso in chrome if body is None or start < body.start()]
    return before[-1] if before else chrome[0][1]
