"""What the metric rules work on: sentences, number mentions, cue matches, and the context a
classifier hook is called with; small text helpers shared by the rules."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cchc_nlp.metrics.lexicon import Cue, Lexicon, phrase_key
from cchc_nlp.resources import read_csv
from cchc_nlp.text.numbers import NumberMention
from cchc_nlp.text.segment import split_sentences

__all__ = ["Classifier", "Sentence", "CueMatch", "Mention", "MentionContext", "UPPER"]

# A capital letter of the Vietnamese alphabet (a character class for patterns: "À-Ỹ" would
# take in lowercase letters too).
UPPER = "[" + "".join(sorted({c for c in map(chr, range(0x41, 0x1EFA)) if c.isalpha() and c.isupper()})) + "]"


# (metric, probability) or None; see MentionContext for what it is called with.
Classifier = Callable[[Any], "tuple[str, float] | None"]


_JOIN_NAME = re.compile(r"[\s(]*")
_DATE_AFTER_NOUN = re.compile(r"\s*(?:\d|[IVX]+(?!\w))")
_TIME_NOUNS = frozenset(("năm", "tháng", "quý"))
_SKIP_BEFORE_NOUN = re.compile(r"(?:\s|\(|các\s|những\s|mỗi\s|tổng\s+số\s)*", re.IGNORECASE)


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    index: int
    tokens: list[tuple[int, int, str]] | None = None  # its words, once a figure may be in it
    token_starts: list[int] | None = None

    def words(self, start: int, end: int) -> list[tuple[int, int, str]] | None:
        """The sentence's words inside [start, end), or None when not tokenized."""
        if self.tokens is None or self.token_starts is None:
            return None
        i = bisect.bisect_left(self.token_starts, start)
        j = bisect.bisect_left(self.token_starts, end)
        return [t for t in self.tokens[i:j] if t[1] <= end]


@dataclass
class CueMatch:
    start: int
    end: int
    cues: list[Cue]


@dataclass
class Mention:
    """A number mention and what the rules made of it."""

    number: NumberMention
    sentence: Sentence
    unit: str
    family: str
    noun_end: int
    segment: tuple[int, int] = (0, 0)
    loose: tuple[int, int] = (0, 0)
    clause: tuple[int, int] = (0, 0)
    status: str = "unlabelled"  # metric | share | change | rejected | unlabelled
    reason: str = ""
    metric: str | None = None
    cue: Cue | None = None
    cue_span: tuple[int, int] | None = None
    confidence: float = 0.0
    share: float | None = None
    share_of: int | None = None  # index of the mention this percent is the share of
    scope: str | None = None  # "ranking" or "national" when the rules know it (records.SCOPES)
    subject: str | None = None  # the unit of a ranked list entry, as written
    province: str | None = None  # the province of that unit, when it is one
    antecedent: str | None = None  # the index name, in an earlier sentence, this figure refers to
    antecedent_span: tuple[int, int] | None = None
    target: bool = False  # a target by its own words ("thấp hơn mục tiêu 30% của tỉnh"), whatever the clause says

    @property
    def start(self) -> int:
        return self.number.start

    @property
    def end(self) -> int:
        return self.number.end


class MentionContext(str):
    """What the classifier hook receives: the clause around a number (a str), with the
    full text and the number's offsets as attributes `text`, `start`, `end`."""

    text: str
    start: int
    end: int

    def __new__(cls, clause: str, text: str, start: int, end: int) -> MentionContext:
        obj = super().__new__(cls, clause)
        obj.text, obj.start, obj.end = text, start, end
        return obj


WRAPPED_MIN = 50  # a line at least this long that stops mid-sentence was wrapped, not ended

_LINE_END_OPEN = re.compile(r"[^\W_]\Z|,\Z")  # a line that stops on a word, a number or a comma
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]\s")
_LAST_WORD = re.compile(r"([^\W\d_]+)\Z")


def _continues(text: str, start: int, end: int, following: int) -> bool:
    """Whether the sentence text[start:end] runs on at `following` after a line break: a hard-
    wrapped line ("… Trung tâm đã tiếp nhận" / "12.345 hồ sơ, …") stops on a word or a comma,
    is long, and the next line opens with a lowercase word, or with a figure when the line
    stops on a lowercase word (never a list number: "1. Thành phố …")."""
    gap = text[end:following]
    if "\n" not in gap or gap.strip() or end - start < WRAPPED_MIN:
        return False
    if not _LINE_END_OPEN.search(text, max(start, end - 1), end) or text[start] in "-+•*–|":
        return False
    first = text[following : following + 1]
    if first.islower():
        return True
    if not first.isdigit() or _LIST_NUMBER.match(text, following):
        return False
    last = _LAST_WORD.search(text, start, end)
    return last is not None and last.group(1).islower()


def _sentences(text: str) -> list[Sentence]:
    paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]
    spans = split_sentences(text)
    if "\n" in text:
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and _continues(text, merged[-1][0], merged[-1][1], start):
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        spans = merged
    out = []
    for index, (start, end) in enumerate(spans):
        paragraph = bisect.bisect_right(paragraph_starts, start) - 1
        out.append(Sentence(start, end, paragraph, index))
    return out


def _cue_matches(lex: Lexicon, text: str, start: int, end: int, tokens=None) -> list[CueMatch]:
    found = [CueMatch(a, b, lex.cues_for(key)) for a, b, key in lex.cue_matcher.finditer(text, start, end, tokens)]
    first = lex.gap_first.search(text, start, end) if lex.gap_first is not None else None
    if first is not None or lex.gap_first is None:
        # every gap cue's match opens with one of the first words: none starts before the first of them
        at = start if first is None else first.start()
        for pattern, cue in lex.gap_cues:
            for m in pattern.finditer(text, at, end):
                found.append(CueMatch(m.start(), m.end(), [cue]))
    found.sort(key=lambda c: (c.start, -c.end))
    # "Chỉ số PCI", "Chỉ số năng lực cạnh tranh": the blocker "chỉ số" (a component index)
    # right before an index name is part of that name
    out: list[CueMatch] = []
    for c in found:
        previous = out[-1] if out else None
        if (
            previous is not None
            and all(cue.metric == "-" for cue in previous.cues)
            and any(cue.metric.startswith("index.") for cue in c.cues)
            and _JOIN_NAME.fullmatch(text, previous.end, c.start)
        ):
            out[-1] = CueMatch(previous.start, c.end, c.cues)
        else:
            out.append(c)
    return out


def _covered(sorted_spans: list[tuple[int, int]], pos: int) -> bool:
    """True when pos falls in one of the (start-sorted, non-nested) spans."""
    i = bisect.bisect_right(sorted_spans, (pos, float("inf"))) - 1
    return i >= 0 and sorted_spans[i][0] <= pos < sorted_spans[i][1]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s < pos < e for s, e in spans)


def _ends_with(lex: Lexicon, kind: str, text: str) -> re.Match | None:
    """The marker of `kind` that ends `text` (only spaces after it), if any."""
    pattern = lex.marker_tail_re.get(kind)
    if pattern is None:
        return None
    words = text.split()
    if not words or words[-1].lstrip("([\"'“").lower() not in lex.marker_last_words[kind]:
        return None  # the quick pre-check: the last word must end a marker
    return pattern.search(text)


@cache
def _comma_nouns() -> frozenset[str]:
    """The keys of the nouns written with a comma ("xã, phường"): only they may span one."""
    return frozenset(phrase_key(row["phrase"]) for row in read_csv("metrics/metric_nouns.csv") if "," in row["phrase"])


def _counted_noun(
    lex: Lexicon, text: str, pos: int, limit: int, sentence: Sentence | None = None
) -> tuple[str | None, int]:
    """(family, end) of the noun right after a number, or (None, pos)."""
    skip = _SKIP_BEFORE_NOUN.match(text, pos, limit)
    at = skip.end() if skip else pos
    tokens = sentence.words(at, limit) if sentence is not None else None
    if tokens is None:
        tokens = lex.noun_matcher.tokens(text, at, limit)
    if not tokens or tokens[0][0] != at:  # the noun must follow the number directly
        return None, pos
    found = lex.noun_matcher.match_first(text, tokens)
    if found is not None and "," in text[at : found[0]] and found[1] not in _comma_nouns():
        # "350 hồ sơ, ngày 16/10 …": the comma ends the noun ("hồ sơ/ngày" is another one)
        cut = text.index(",", at)
        found = lex.noun_matcher.match_first(text, [t for t in tokens if t[1] <= cut])
    if found is None:
        return None, pos
    end, key = found
    if _DATE_AFTER_NOUN.match(text, end) and key.lower() in _TIME_NOUNS:
        return None, pos  # "đạt 65,2% (năm 2022 là 48,1%)", "đạt 85% năm 2023": a date, not what is counted
    return lex.noun_family.get(key), end


def _noun_before(lex: Lexicon, text: str, start: int, pos: int, sentence: Sentence | None = None) -> str | None:
    """The family of the nearest metric noun before `pos` in text[start:pos]."""
    family = None
    tokens = sentence.words(start, pos) if sentence is not None else None
    for _, _, key in lex.noun_matcher.finditer(text, start, pos, tokens):
        if key in lex.noun_lookback:
            family = lex.noun_family.get(key)
    return family
