"""Scores shared by the entity and metric evaluations."""

from __future__ import annotations

__all__ = ["precision_recall_f1"]


def precision_recall_f1(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of `hits` correct predictions out of `predicted`, against `gold`.

    >>> precision_recall_f1(8, 10, 16)
    (0.8, 0.5, 0.6153846153846154)
    """
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
