"""Scope of a metric row: who the figure is about (records.SCOPES)."""

from __future__ import annotations

from typing import Any

from cchc_nlp.metrics.mentions import Sentence
from cchc_nlp.tag.gazetteer import province_columns

__all__ = ["assign_scopes"]


def assign_scopes(
    text: str,
    rows: list[dict[str, Any]],
    sentences: list[Sentence],
    entities: list[dict[str, Any]] | None = None,
    published: str | None = None,
) -> None:
    """Fill `scope` (when not set yet) and the province code columns of metric rows, in place."""
    for row in rows:
        if row.get("scope") is None:
            if row.get("subject"):
                row["scope"] = "unit" if row.get("scope_level") in ("huyện", "xã") else "agency"
            elif row.get("scope_level"):
                row["scope"] = "level"
            else:
                row["scope"] = "province"
        row.update(province_columns(row.get("province"), published))
