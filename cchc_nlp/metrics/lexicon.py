"""The metric lexicon: the data files that say which words report which figure.

Everything language-specific lives in cchc_nlp/data/ (see the "metric_*" sections of
cchc_nlp/data/README.md); this module only reads and compiles it, once per process:

* metric_keys.csv: the metric vocabulary (`core` keys are the 36 of the design);
* metric_lexicon.csv: cue phrases -> metric, with the nouns and units they accept, a
  priority and how far from the number they may stand;
* metric_nouns.csv: the counted nouns ("hồ sơ", "TTHC", "điểm", "đại biểu") and their
  family;
* metric_context.csv: modifiers that turn one metric into another for the figures after
  them in a clause ("bưu chính": received -> postal.received);
* metric_markers.csv: targets, change amounts, comparisons, share connectors, rank words,
  breakdowns, separators, as-of words;
* metric_holders.csv: who a figure belongs to (agencies, units, levels, the province).

Phrases match case-insensitively on word boundaries; inner spaces match any space run,
", " also matches a bare space, and "…" is a gap of up to 50 characters within a clause
without a digit (a gap never spans another figure).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import compress
from operator import itemgetter

from cchc_nlp.errors import DataError
from cchc_nlp.resources import read_csv
from cchc_nlp.text.phrases import grouped_alternation, word_start_alternation

__all__ = [
    "PhraseMatcher",
    "phrase_key",
    "Cue",
    "MetricKey",
    "Lexicon",
    "lexicon",
    "phrase_pattern",
    "remember_words",
    "UNITS",
    "NO_METRIC",
]

UNITS = ("count", "percent", "score", "rank")
NO_METRIC = "-"  # a lexicon row with this metric blocks a cue ("Hệ thống thông tin giải quyết TTHC")
_GAP = "…"
CUE_GAP = 50  # "…" in a cue: at most this many characters within a clause
# words that may stand between a change verb and its amount ("tăng thêm 3 bậc")
_FILLERS = r"(?:\s+(?:thêm|được|tới|lên|xuống|mạnh|đến|ở\s+mức))*"


@dataclass(frozen=True)
class MetricKey:
    key: str
    family: str
    core: bool
    description: str
    needs: str = ""  # "fraction": the key's figures are always n/N


@dataclass(frozen=True)
class Cue:
    """One lexicon row. `metric` may end in ".*": ".rank" for a rank, else ".score"."""

    metric: str
    phrase: str
    nouns: frozenset[str]
    units: frozenset[str]
    priority: int
    scope: str  # segment | clause | sentence
    alone_metric: str | None = None
    unless_metric: str | None = None

    def metric_for(self, unit: str) -> str:
        """The metric of a figure of `unit` (before the unless_metric check: the caller
        falls back to `metric` when a cue of `unless_metric` stands in the sentence)."""
        if self.metric.endswith(".*"):
            return self.metric[:-1] + ("rank" if unit == "rank" else "score")
        return self.alone_metric or self.metric


def phrase_pattern(phrase: str) -> str:
    """Regex source for a lexicon phrase (see the module docstring)."""
    pieces = []
    for piece in phrase.split(_GAP):
        words = piece.split()
        tokens = []
        for index, word in enumerate(words):
            last = index == len(words) - 1
            if word.endswith(",") and len(word) > 1:
                tokens.append(re.escape(word[:-1]) + (",?" if last else r"\s*,?\s*"))
            else:
                tokens.append(re.escape(word) + ("" if last else r"\s+"))
        left = r"(?<!\w)" if words[0][0].isalnum() else ""
        right = r"(?!\w)" if words[-1][-1].isalnum() else ""
        pieces.append(left + "".join(tokens) + right)
    # the gap never spans another figure: "tỷ lệ trước hạn 81,6%, đúng hạn 17,2%" is two cues
    return rf"[^;\n\d]{{0,{CUE_GAP}}}?".join(pieces)


_TOKEN = re.compile(r"[^\W_]+")
_WORD_OF = itemgetter(2)  # the lowercased word of a token
_JOINER = re.compile(r"\s*[,/-]?\s*")


def phrase_key(phrase: str) -> str:
    """The lookup key of a phrase: its words, lowercased, single-spaced ("Sửa đổi, bổ
    sung" -> "sửa đổi bổ sung"; "766/QĐ-TTg" -> "766 qđ ttg")."""
    return " ".join(t.lower() for t in _TOKEN.findall(phrase))


# The words of the text being analysed (text, words, their starts), set by `remember_words`:
# its sentences, clauses and the whole text are scanned many times by many matchers, and
# each scan slices these words instead of tokenizing the same characters again.
_remembered: tuple[str, list[tuple[int, int, str]], list[int]] | None = None


def remember_words(text: str | None) -> None:
    """Tokenize `text` once for the PhraseMatcher scans that follow (None forgets it)."""
    global _remembered
    if text is None:
        _remembered = None
        return
    words = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    _remembered = (text, words, [w[0] for w in words])


def _words_between(remembered, start: int, end: int) -> list[tuple[int, int, str]]:
    """What `_TOKEN.finditer(text, start, end)` finds, from the words of the whole text: a
    word the span's edges cut is cut the same way."""
    text, words, starts = remembered
    n = len(text)
    start, end = min(max(start, 0), n), min(max(end, 0), n)
    if end <= start:
        return []
    i = bisect.bisect_left(starts, start)
    j = bisect.bisect_left(starts, end)
    out = words[i:j]
    if i > 0 and words[i - 1][1] > start:  # a word that starts before the span
        b = min(words[i - 1][1], end)
        out.insert(0, (start, b, text[start:b].lower()))
    if out and out[-1][1] > end:  # a word that runs past the span
        a = out[-1][0]
        out[-1] = (a, end, text[a:end].lower())
    return out


class PhraseMatcher:
    """Leftmost-longest matching of many phrases by word n-grams (much faster than one
    regex alternation of hundreds of phrases). Between the words of a match only spaces
    and one comma, hyphen or slash may stand."""

    def __init__(self, phrases) -> None:
        self.keys = {phrase_key(p) for p in phrases if phrase_key(p)}
        # every word prefix of every key: a scan extends a match only along these
        self.prefixes = set()
        for key in self.keys:
            words = key.split(" ")
            for i in range(1, len(words) + 1):
                self.prefixes.add(" ".join(words[:i]))

    @staticmethod
    def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """The words of text[start:end] as (start, end, lowercased word); a slice of the
        remembered words when `text` is the text being analysed (`remember_words`)."""
        end = len(text) if end is None else end
        remembered = _remembered
        if remembered is not None and remembered[0] is text:
            return _words_between(remembered, start, end)
        return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text, start, end)]

    def match_first(self, text: str, tokens) -> tuple[int, str] | None:
        """(end, key) of the longest phrase starting at the first of `tokens`, or None."""
        if not tokens:
            return None
        key = tokens[0][2]
        best = (tokens[0][1], key) if key in self.keys else None
        j = 1
        while key in self.prefixes and j < len(tokens) and _JOINER.fullmatch(text, tokens[j - 1][1], tokens[j][0]):
            key = key + " " + tokens[j][2]
            if key in self.keys:
                best = (tokens[j][1], key)
            j += 1
        return best

    def finditer(self, text: str, start: int = 0, end: int | None = None, tokens=None):
        """(start, end, key) of each match in text[start:end], left to right; `tokens`
        (from `tokens()` for the same span) saves the tokenization when reused."""
        if tokens is None:
            tokens = self.tokens(text, start, end)
        n = len(tokens)
        prefixes, keys = self.prefixes, self.keys
        i = 0
        # only a word that opens a phrase can start a match: the others are skipped without
        # a step of this loop (the scan of the words runs in C)
        for i_start in compress(range(n), map(prefixes.__contains__, map(_WORD_OF, tokens))):
            if i_start < i:
                continue  # inside the last match
            i = i_start
            key = tokens[i][2]
            best = i + 1 if key in keys else 0
            best_key = key
            j = i + 1
            while (
                key in prefixes
                and j < n
                # one space (the usual join) or what _JOINER allows
                and (
                    (tokens[j][0] - tokens[j - 1][1] == 1 and text[tokens[j - 1][1]] == " ")
                    or _JOINER.fullmatch(text, tokens[j - 1][1], tokens[j][0])
                )
            ):
                key = key + " " + tokens[j][2]
                j += 1
                if key in keys:
                    best, best_key = j, key
            if best:
                yield tokens[i][0], tokens[best - 1][1], best_key
                i = best


_WORD_START = r"(?<!\w)"


def at_word_start(phrases) -> str:
    """The phrases' alternation at a word start: (?<!\\w)(?:…), or the alternation alone when
    it checks the word start itself (it then opens with a class: a fast scan)."""
    alternation = _alternation(phrases)
    if alternation.startswith("(?-i:["):
        return f"(?:{alternation})"
    return f"{_WORD_START}(?:{alternation})"


def finditer_at_words(pattern: re.Pattern, text: str, start: int, end: int, first_words: frozenset[str]):
    """What pattern.finditer(text, start, end) yields, for a pattern whose every match starts
    at a word (`PhraseMatcher.tokens`) whose lowercased form is one of `first_words`: the
    pattern is tried at those words only (they are found by a scan that runs in C)."""
    tokens = PhraseMatcher.tokens(text, start, end)
    last = start
    for i in compress(range(len(tokens)), map(first_words.__contains__, map(_WORD_OF, tokens))):
        at = tokens[i][0]
        if at < last:
            continue  # inside the last match
        m = pattern.match(text, at, end)
        if m is not None:
            yield m
            last = m.end()


def _alternation(phrases) -> str:
    """The phrases' alternation, longest first, for case-insensitive patterns only (every
    lexicon pattern is)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    if ordered and all(phrase_pattern(p).startswith(_WORD_START) for p in ordered):
        # every phrase opens at a word start: a class of their first letters, then the phrases
        return word_start_alternation(
            [(p, "") for p in ordered], lambda p: phrase_pattern(p)[len(_WORD_START) :], _WORD_START, ignorecase=True
        )
    return grouped_alternation(ordered, phrase_pattern, ignorecase=True)


def _split(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split("|") if v.strip())


@dataclass
class Lexicon:
    keys: dict[str, MetricKey]
    cues_by_phrase: dict[str, list[Cue]]
    cue_matcher: PhraseMatcher  # the literal phrases
    gap_cues: list[tuple[re.Pattern, Cue]]
    noun_family: dict[str, str]
    noun_lookback: frozenset[str]  # nouns that give their family to a figure after them
    metric_noun_matcher: PhraseMatcher  # nouns of the metric families (dossier, tthc, ...)
    noun_matcher: PhraseMatcher
    contexts: dict[str, dict[str, str]]  # cue phrase -> {from_metric: to_metric}
    context_re: re.Pattern | None
    markers: dict[str, tuple[str, ...]]
    marker_re: Mapping[str, re.Pattern]
    marker_tail_re: Mapping[str, re.Pattern]  # a marker ending a text (spaces after it only)
    marker_matcher: dict[str, PhraseMatcher]  # the same phrases, matched by words
    marker_last_words: dict[str, frozenset[str]]  # last words of each kind's phrases (a quick pre-check)
    holders: list[dict[str, str]]
    # the first words of the gap cues: a text without one has no gap cue (a quick check)
    gap_first: re.Pattern | None = None

    def cues_for(self, key: str) -> list[Cue]:
        """The cues of a literal match (its phrase_key)."""
        return self.cues_by_phrase.get(key, [])

    @property
    def core_keys(self) -> frozenset[str]:
        return frozenset(k for k, v in self.keys.items() if v.core)


def _key(text: str) -> str:
    return " ".join(text.replace(",", " ").lower().split())


class _CompiledOnUse(Mapping[str, re.Pattern]):
    """kind -> a pattern (source, compiled with re.IGNORECASE) compiled on first use: a
    document needs a few of the marker kinds, and compiling all of them took 30 ms of the
    start-up of a run."""

    def __init__(self, sources: dict[str, str]):
        self._sources = sources
        self._compiled: dict[str, re.Pattern] = {}

    def __getitem__(self, kind: str) -> re.Pattern:
        pattern = self._compiled.get(kind)
        if pattern is None:
            pattern = self._compiled[kind] = re.compile(self._sources[kind], re.IGNORECASE)
        return pattern

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


@cache
def lexicon() -> Lexicon:
    """The compiled lexicon (cached)."""
    keys = {}
    for row in read_csv("metrics/metric_keys.csv"):
        keys[row["key"]] = MetricKey(
            row["key"], row["family"], row["core"] == "true", row["description"], row.get("needs") or ""
        )
    cues_by_phrase: dict[str, list[Cue]] = defaultdict(list)
    literal: list[str] = []
    gap_cues: list[tuple[re.Pattern, Cue]] = []
    for number, row in enumerate(read_csv("metrics/metric_lexicon.csv"), 2):
        metric = row["metric"].strip()
        base = metric[:-2] if metric.endswith(".*") else metric
        if metric != NO_METRIC and base not in keys and not any(k.startswith(base + ".") for k in keys):
            raise DataError(f"metric_lexicon.csv line {number}: unknown metric {metric!r}; add it to metric_keys.csv")
        units = _split(row["units"])
        if not units <= set(UNITS):
            raise DataError(
                f"metric_lexicon.csv line {number}: units {row['units']!r} must be among {', '.join(UNITS)}"
            )
        if row["scope"] not in ("segment", "clause", "sentence"):
            raise DataError(f"metric_lexicon.csv line {number}: scope must be segment, clause or sentence")
        cue = Cue(
            metric=metric,
            phrase=row["cue"].strip(),
            nouns=_split(row["nouns"]),
            units=units,
            priority=int(row["priority"]),
            scope=row["scope"],
            alone_metric=row.get("alone_metric") or None,
            unless_metric=row.get("unless_metric") or None,
        )
        if _GAP in cue.phrase:
            gap_cues.append((_gap_regex(cue.phrase), cue))
        else:
            cues_by_phrase[phrase_key(cue.phrase)].append(cue)
            literal.append(cue.phrase)
    noun_family = {phrase_key(row["phrase"]): row["family"] for row in read_csv("metrics/metric_nouns.csv")}
    noun_lookback = frozenset(
        phrase_key(row["phrase"]) for row in read_csv("metrics/metric_nouns.csv") if row["lookback"] == "true"
    )
    contexts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in read_csv("metrics/metric_context.csv"):
        contexts[_key(row["cue"])][row["from_metric"]] = row["to_metric"]
    markers: dict[str, list[str]] = defaultdict(list)
    for row in read_csv("metrics/metric_markers.csv"):
        markers[row["kind"]].append(row["phrase"])
    frozen_markers = {kind: tuple(phrases) for kind, phrases in markers.items()}
    return Lexicon(
        keys=keys,
        cues_by_phrase=dict(cues_by_phrase),
        cue_matcher=PhraseMatcher(literal),
        gap_cues=gap_cues,
        noun_family=noun_family,
        noun_lookback=noun_lookback,
        metric_noun_matcher=PhraseMatcher(
            row["phrase"]
            for row in read_csv("metrics/metric_nouns.csv")
            if row["family"] in ("dossier", "tthc", "dvctt", "plan", "edoc", "staff", "decision", "person")
        ),
        noun_matcher=PhraseMatcher(row["phrase"] for row in read_csv("metrics/metric_nouns.csv")),
        contexts=dict(contexts),
        context_re=re.compile(_alternation(r["cue"] for r in read_csv("metrics/metric_context.csv")), re.IGNORECASE)
        if contexts
        else None,
        markers=frozen_markers,
        marker_re=_CompiledOnUse({kind: _alternation(phrases) for kind, phrases in frozen_markers.items()}),
        marker_matcher={kind: PhraseMatcher(phrases) for kind, phrases in frozen_markers.items()},
        marker_last_words={
            kind: frozenset(p.split()[-1].lower() for p in phrases)
            | (frozenset(re.findall(r"[^\W\d_]+", _FILLERS)) if kind == "change" else frozenset())
            for kind, phrases in frozen_markers.items()
        },
        marker_tail_re=_CompiledOnUse(
            {
                kind: f"(?:{_alternation(phrases)})" + (_FILLERS if kind == "change" else "") + r"\s*\Z"
                for kind, phrases in frozen_markers.items()
            }
        ),
        holders=[dict(row) for row in read_csv("metrics/metric_holders.csv")],
        gap_first=_gap_first([cue.phrase for _, cue in gap_cues]),
    )


def _gap_regex(phrase: str) -> re.Pattern:
    """A gap cue's regex, opening with a character class of its first letter (the engine's
    fast scan stops only there; text.phrases.word_start_alternation)."""
    source = phrase_pattern(phrase)
    lead = r"(?<!\w)"
    if source.startswith(lead):
        rest = source[len(lead) :]
        source = word_start_alternation([(phrase, "")], lambda _: rest, lead)
    return re.compile(source, re.IGNORECASE)


def _gap_first(phrases: list[str]) -> re.Pattern | None:
    """Any first word of the gap cues, case-insensitively: every match of a gap cue starts
    with its first word as written (phrase_pattern), so where this finds nothing, no gap
    cue matches."""
    firsts = set()
    for phrase in phrases:
        words = phrase.split(_GAP)[0].split()
        if not words or not words[0].rstrip(","):
            return None  # no literal first word: no quick check
        firsts.add(words[0].rstrip(",") if len(words[0]) > 1 else words[0])
    if not firsts:
        return None
    return re.compile(grouped_alternation(sorted(firsts, key=lambda w: (-len(w), w)), ignorecase=True), re.IGNORECASE)
