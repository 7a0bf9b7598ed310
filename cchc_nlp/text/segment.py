"""Sentence splitting and word segmentation of normalized text.

Sentences break at every line break and after sentence punctuation followed by
whitespace and a likely sentence start. Because a break needs whitespace after the
punctuation, URLs, e-mail addresses, file names, decimals (57,41), thousands (1.937),
dates (02/7/2018) and document numbers (09/2015/QĐ-TTg) are never split; dotted
abbreviations (TP., TS.) and initials (N. H.) are checked against the abbreviation table.

Words come from underthesea's bundled CRF segmenter (`word_tokenize`), run one
sentence at a time, and are aligned back to exact character offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cchc_nlp.resources import dotted_abbreviations

__all__ = ["Token", "split_sentences", "segment_words", "tokenize"]

# Punctuation that can end a sentence, closing quotes/brackets allowed after it.
_BOUNDARY_RE = re.compile(r"([.!?…]+[\"'”’»)\]]*)([ \t]+)(?=[\"'“‘«(\[]?[-–•*]?\s*[A-ZĐÀ-ỸẠ-Ỹ0-9])")
_LAST_WORD_RE = re.compile(r"(\S+)$")
_INITIAL_RE = re.compile(r"^(?:[A-ZĐ][a-zđ]?\.)+$")


@dataclass(frozen=True, slots=True)
class Token:
    """A word with its exact span in the normalized text."""

    text: str
    start: int
    end: int
    tag: str = ""


def _is_abbreviation(text: str, dot_end: int) -> bool:
    """True when the dot ending at `dot_end` belongs to an abbreviation or an initial."""
    # Look back a short window only: abbreviations are short, and texts can be megabytes.
    match = _LAST_WORD_RE.search(text, max(0, dot_end - 40), dot_end)
    if match is None:
        return False
    word = match.group(1).lstrip("(\"'“")
    dotted = dotted_abbreviations()
    if word in dotted or all(part + "." in dotted for part in word[:-1].split(".")):
        return True
    # "N.", "H.", "Th." and chains like "N.H." are initials, not sentence ends.
    return bool(_INITIAL_RE.match(word))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans [start, end) of a normalized text, in order, without surrounding spaces.

    >>> t = "Đạt 57,41%. TP. Phủ Lý có 1.937 thủ tục.\\nXem www.hanam.gov.vn"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Đạt 57,41%.', 'TP. Phủ Lý có 1.937 thủ tục.', 'Xem www.hanam.gov.vn']
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for match in _BOUNDARY_RE.finditer(text, line_start, line_end):
            if match.group(1) == "." and _is_abbreviation(text, match.start(1) + 1):
                continue
            end = match.end(1)
            _append(text, spans, start, end)
            start = match.end()
        _append(text, spans, start, line_end)
        line_start = line_end + 1
    return spans


def _append(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    if end > start:
        spans.append((start, end))


def _underthesea_words(sentence: str, with_pos: bool) -> list[tuple[str, str]]:
    if with_pos:
        from underthesea import pos_tag  # underthesea (about 1 s) loads with the first segmented text

        return [(word, tag) for word, tag in pos_tag(sentence)]
    from underthesea import word_tokenize  # underthesea (about 1 s) loads with the first segmented text

    return [(word, "") for word in word_tokenize(sentence)]


def _align(sentence: str, offset: int, words: list[tuple[str, str]]) -> Iterator[Token]:
    """Place underthesea's words on the sentence's characters.

    underthesea may alter characters (tone placement, odd spaces), so a word that is not
    found verbatim is placed by counting its non-space characters instead.
    """
    cursor = 0
    length = len(sentence)
    for word, tag in words:
        while cursor < length and sentence[cursor].isspace():
            cursor += 1
        if cursor >= length:
            break
        if sentence.startswith(word, cursor):
            end = cursor + len(word)
        else:
            needed = sum(1 for c in word if not c.isspace())
            end = cursor
            while end < length and needed > 0:
                if not sentence[end].isspace():
                    needed -= 1
                end += 1
        yield Token(sentence[cursor:end], offset + cursor, offset + end, tag)
        cursor = end
    # Anything underthesea dropped still becomes tokens, so no character is lost.
    for match in re.finditer(r"\S+", sentence[cursor:]):
        yield Token(match.group(), offset + cursor + match.start(), offset + cursor + match.end(), "")


def segment_words(text: str, start: int, end: int, with_pos: bool = False) -> list[Token]:
    """Words of text[start:end] with exact offsets; POS tags only when `with_pos`."""
    sentence = text[start:end]
    if not sentence.strip():
        return []
    return list(_align(sentence, start, _underthesea_words(sentence, with_pos)))


def tokenize(text: str, with_pos: bool = False) -> list[list[Token]]:
    """Sentences of a normalized text, each a list of word Tokens."""
    return [segment_words(text, s, e, with_pos) for s, e in split_sentences(text)]
