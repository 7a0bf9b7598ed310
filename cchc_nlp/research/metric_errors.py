"""Metric extraction errors by cause, so that a regression shows up as the cause it is.

For one document, after the (metric, value) matching of `cchc_nlp.research.metrics_eval`:

* wrong key: an unmatched predicted row whose value equals an unmatched gold row's value
  (the right figure under another key); each such pair is counted once, and neither side
  counts again below;
* false positive: any other unmatched predicted row, by the shape of its number in the
  text: list marker ("(3)"), threshold (a bound such as "trên 5%" that is not a target),
  change ("tăng 1,2 điểm"), else the row's unit (rank, score, percent, count);
* missed: any other unmatched gold row.

Gold documents of round 2 carry `causes` (the phenomena the text was written to test);
the counts of a document are also added to each of its causes.

>>> classify_errors("Tăng 3 điểm.", [], [{"metric": "index.par.score", "value": 3, "unit": "score",
...     "qualifier": "exact", "is_target": False, "start": 5, "end": 6}], [])
ErrorCounts(false_positives=Counter({'change': 1}), wrong_key=0, missed=0)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ErrorCounts", "value_shape", "classify_errors", "FP_SHAPES"]

FP_SHAPES = ("list_marker", "threshold", "change", "rank", "score", "percent", "count")

_LIST_MARKER_BEFORE = re.compile(r"(?:^|[\s:;,(])\(\s*$")
_LIST_MARKER_AFTER = re.compile(r"^\s*\)")
_CHANGE_BEFORE = re.compile(
    r"(?i)(?<!\w)(?:tăng|giảm|cao\s+hơn|thấp\s+hơn|nhích\s+lên|tụt|lùi|vươn\s+lên)(?:\s+\w+){0,2}\s*$"
)


@dataclass
class ErrorCounts:
    false_positives: Counter = field(default_factory=Counter)
    wrong_key: int = 0
    missed: int = 0

    def add(self, other: ErrorCounts) -> None:
        self.false_positives.update(other.false_positives)
        self.wrong_key += other.wrong_key
        self.missed += other.missed


def _same_value(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def value_shape(text: str, row: dict[str, Any]) -> str:
    """The shape of a predicted row's number (one of FP_SHAPES)."""
    start, end = row.get("start"), row.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
        before, after = text[max(0, start - 3) : start], text[end : end + 2]
        if _LIST_MARKER_BEFORE.search(before) and _LIST_MARKER_AFTER.match(after):
            return "list_marker"
        if _CHANGE_BEFORE.search(text[max(0, start - 30) : start]):
            return "change"
    if row.get("qualifier") in ("lower_bound", "upper_bound") and not row.get("is_target"):
        return "threshold"
    unit = row.get("unit")
    return unit if unit in ("rank", "score", "percent") else "count"


def classify_errors(
    text: str, gold: list[dict[str, Any]], pred: list[dict[str, Any]], pairs: list[tuple[int, int]]
) -> ErrorCounts:
    """Wrong keys, false positives by shape and misses of one document (see the module docstring)."""
    counts = ErrorCounts()
    free_gold = [i for i in range(len(gold)) if i not in {g for g, _ in pairs}]
    free_pred = [i for i in range(len(pred)) if i not in {p for _, p in pairs}]
    for pi in list(free_pred):
        partner = next((gi for gi in free_gold if _same_value(gold[gi]["value"], pred[pi]["value"])), None)
        if partner is not None:
            counts.wrong_key += 1
            free_gold.remove(partner)
            free_pred.remove(pi)
    for pi in free_pred:
        counts.false_positives[value_shape(text, pred[pi])] += 1
    counts.missed = len(free_gold)
    return counts
