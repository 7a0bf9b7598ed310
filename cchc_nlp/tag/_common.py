"""Helpers shared by the entity taggers: character classes, phrase regexes, records and spans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from cchc_nlp.records import add_entity

__all__ = [
    "UPPER",
    "LOWER",
    "LETTER",
    "phrase_pattern",
    "phrase_regex",
    "emit",
    "sync_spans",
    "article_date",
    "entity_index",
    "is_capitalized",
    "SPANS_KEY",
]

SPANS_KEY = "entities"

# Vietnamese letters by case, generated so no accented capital is forgotten.
_LATIN = [chr(c) for c in range(0x41, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]
UPPER = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
LOWER = "".join(c for c in _LATIN if c.isalpha() and c.islower())
LETTER = UPPER + LOWER


def is_capitalized(word: str) -> bool:
    """'Nguyễn' or 'NGUYỄN' (a proper-name syllable), not 'nguyễn'."""
    return bool(word) and word[0].isupper()


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


def phrase_regex(phrases: Iterable[str], *, ignore_case: bool = False, cap_first: bool = True) -> re.Pattern:
    """One compiled regex matching any of the phrases as whole words, longest first.

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
    return re.compile(r"(?<![\w/])(?:" + "|".join(branches) + r")(?!\w)")


def emit(doc: Doc, label: str, start: int, end: int, norm: str | None = None, **attrs: Any) -> dict[str, Any]:
    """Add an entity record (cchc_nlp.records.add_entity) for doc.text[start:end]."""
    return add_entity(doc, label, start, end, norm, **attrs)


def sync_spans(doc: Doc) -> None:
    """Rebuild doc.spans["entities"] (all records) and doc.ents (longest non-overlapping)."""
    spans: list[Span] = []
    for record in doc._.entities or []:
        span = doc.char_span(record["start"], record["end"], label=record["label"], alignment_mode="expand")
        if span is not None and len(span):
            spans.append(span)
    doc.spans[SPANS_KEY] = spans
    doc.ents = filter_spans(spans)


def article_date(doc: Doc) -> str | None:
    """The date relative expressions and place names are resolved at.

    doc._.published, else the first page-chrome dateline in the text (cchc_nlp.dates,
    when that module is available), else None. Cached in doc.user_data.
    """
    if doc._.published:
        return doc._.published
    cached = doc.user_data.get("cchc_article_date", "")
    if cached != "":
        return cached
    found = None
    try:
        from cchc_nlp.dates import find_datelines
    except ImportError:
        find_datelines = None
    if find_datelines is not None:
        candidates = find_datelines(doc.text)
        if candidates:
            found = candidates[0][2].date().isoformat()
    doc.user_data["cchc_article_date"] = found
    return found


def entity_index(doc: Doc, labels: Iterable[str]) -> dict[int, list[dict[str, Any]]]:
    """Records of the given labels keyed by start offset (longest first)."""
    wanted = set(labels)
    index: dict[int, list[dict[str, Any]]] = {}
    for record in doc._.entities or []:
        if record["label"] in wanted:
            index.setdefault(record["start"], []).append(record)
    for records in index.values():
        records.sort(key=lambda r: -r["end"])
    return index
