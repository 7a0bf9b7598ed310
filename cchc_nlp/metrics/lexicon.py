"""The metric lexicon: the data files that say which words report which figure.

Everything language-specific lives in cchc_nlp/data/ (see the "metric_*" sections of
cchc_nlp/data/README.md); this module only reads and compiles it, once per process:

* metric_keys.csv: the metric vocabulary (`core` keys are the ones of TEAM.md);
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
", " also matches a bare space, and "…" is a gap of up to 50 characters within a clause.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from cchc_nlp.errors import DataError
from cchc_nlp.resources import read_csv

__all__ = [
    "Cue",
    "MetricKey",
    "Lexicon",
    "lexicon",
    "phrase_pattern",
    "UNITS",
    "NO_METRIC",
]

UNITS = ("count", "percent", "score", "rank")
NO_METRIC = "-"  # a lexicon row with this metric blocks a cue ("Hệ thống thông tin giải quyết TTHC")
_GAP = "…"


@dataclass(frozen=True)
class MetricKey:
    key: str
    family: str
    core: bool
    description: str


@dataclass(frozen=True)
class Cue:
    """One lexicon row. `metric` may end in ".*": ".rank" for a rank, else ".score"."""

    metric: str
    phrase: str
    nouns: frozenset[str]
    units: frozenset[str]
    priority: int
    scope: str  # segment | clause | sentence
    percent_metric: str | None = None
    unless_metric: str | None = None

    def metric_for(self, unit: str) -> str:
        if self.metric.endswith(".*"):
            return self.metric[:-1] + ("rank" if unit == "rank" else "score")
        if unit == "percent" and self.percent_metric:
            return self.percent_metric
        return self.metric


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
    return r"[^;\n]{0,50}?".join(pieces)


def _alternation(phrases) -> str:
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(f"(?:{phrase_pattern(p)})" for p in ordered)


def _split(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split("|") if v.strip())


@dataclass
class Lexicon:
    keys: dict[str, MetricKey]
    cues_by_phrase: dict[str, list[Cue]]
    cue_re: re.Pattern  # literal phrases, one alternation
    gap_cues: list[tuple[re.Pattern, Cue]]
    noun_family: dict[str, str]
    noun_lookback: frozenset[str]  # nouns that give their family to a figure after them
    noun_re: re.Pattern
    contexts: dict[str, dict[str, str]]  # cue phrase -> {from_metric: to_metric}
    context_re: re.Pattern | None
    markers: dict[str, tuple[str, ...]]
    marker_re: dict[str, re.Pattern]
    holders: list[dict[str, str]]

    def cues_for(self, matched: str) -> list[Cue]:
        """The cues of a literal match (the matched text, any case or spacing)."""
        return self.cues_by_phrase.get(_key(matched), [])

    @property
    def core_keys(self) -> frozenset[str]:
        return frozenset(k for k, v in self.keys.items() if v.core)


def _key(text: str) -> str:
    return " ".join(text.replace(",", " ").lower().split())


def _marker_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(_alternation(phrases), re.IGNORECASE)


@lru_cache(maxsize=None)
def lexicon() -> Lexicon:
    """The compiled lexicon (cached)."""
    keys = {}
    for row in read_csv("metric_keys.csv"):
        keys[row["key"]] = MetricKey(row["key"], row["family"], row["core"] == "true", row["description"])
    cues_by_phrase: dict[str, list[Cue]] = defaultdict(list)
    literal: list[str] = []
    gap_cues: list[tuple[re.Pattern, Cue]] = []
    for number, row in enumerate(read_csv("metric_lexicon.csv"), 2):
        metric = row["metric"].strip()
        base = metric[:-2] if metric.endswith(".*") else metric
        if metric != NO_METRIC and base not in keys and not any(k.startswith(base + ".") for k in keys):
            raise DataError(f"metric_lexicon.csv line {number}: unknown metric {metric!r}; add it to metric_keys.csv")
        units = _split(row["units"])
        if not units <= set(UNITS):
            raise DataError(f"metric_lexicon.csv line {number}: units {row['units']!r} must be among {', '.join(UNITS)}")
        if row["scope"] not in ("segment", "clause", "sentence"):
            raise DataError(f"metric_lexicon.csv line {number}: scope must be segment, clause or sentence")
        cue = Cue(
            metric=metric,
            phrase=row["cue"].strip(),
            nouns=_split(row["nouns"]),
            units=units,
            priority=int(row["priority"]),
            scope=row["scope"],
            percent_metric=row.get("percent_metric") or None,
            unless_metric=row.get("unless_metric") or None,
        )
        if _GAP in cue.phrase:
            gap_cues.append((re.compile(phrase_pattern(cue.phrase), re.IGNORECASE), cue))
        else:
            cues_by_phrase[_key(cue.phrase)].append(cue)
            literal.append(cue.phrase)
    noun_family = {_key(row["phrase"]): row["family"] for row in read_csv("metric_nouns.csv")}
    noun_lookback = frozenset(_key(row["phrase"]) for row in read_csv("metric_nouns.csv") if row["lookback"] == "true")
    contexts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in read_csv("metric_context.csv"):
        contexts[_key(row["cue"])][row["from_metric"]] = row["to_metric"]
    markers: dict[str, list[str]] = defaultdict(list)
    for row in read_csv("metric_markers.csv"):
        markers[row["kind"]].append(row["phrase"])
    frozen_markers = {kind: tuple(phrases) for kind, phrases in markers.items()}
    return Lexicon(
        keys=keys,
        cues_by_phrase=dict(cues_by_phrase),
        cue_re=re.compile(_alternation(literal), re.IGNORECASE),
        gap_cues=gap_cues,
        noun_family=noun_family,
        noun_lookback=noun_lookback,
        noun_re=re.compile(_alternation(row["phrase"] for row in read_csv("metric_nouns.csv")), re.IGNORECASE),
        contexts=dict(contexts),
        context_re=re.compile(_alternation(r["cue"] for r in read_csv("metric_context.csv")), re.IGNORECASE)
        if contexts
        else None,
        markers=frozen_markers,
        marker_re={kind: _marker_pattern(phrases) for kind, phrases in frozen_markers.items()},
        holders=[dict(row) for row in read_csv("metric_holders.csv")],
    )
