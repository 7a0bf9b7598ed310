"""Scoring the province x period panel against a gold panel (`cchc-nlp evaluate panel`).

A gold panel file (tests/gold/panel_*.jsonl; format in tests/gold/README.md, "Panel") holds
sets, one per line: documents (inline texts with url and publication date, or paths of
files such as the bundled samples, relative to the checkout) extracted together, the
metrics scored (with the value column, "value" or "share"), the period ("year") and the
cells: every (metric, province, period) whose figure is the province's own, with its value.

Per set, the documents are extracted (`cchc_nlp.dataset.extract`, the whole pipeline) and
`Dataset.panel` is compared cell by cell: a gold cell is *correct* when the panel has it
with the same value (within 1e-6 relative), *wrong* when the panel has another value,
*missing* when the panel has no figure; a panel cell of a scored metric that the gold does
not have is *spurious*. Cell accuracy = correct / gold cells; precision = correct / panel
cells.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_nlp.dataset import extract
from cchc_nlp.errors import DataError
from cchc_nlp.research.gold import gold_files
from cchc_nlp.resources import CHECKOUT_DIR, read_user_jsonl
from cchc_nlp.tag.gazetteer import province

__all__ = [
    "PANEL_GOLD_FILES",
    "PanelScores",
    "default_panel_gold",
    "load_panel_gold",
    "evaluate_panel_set",
    "panel_table",
]

PANEL_GOLD_FILES = ("panel_samples.jsonl", "panel_dev.jsonl")


@dataclass
class PanelScores:
    name: str
    documents: int = 0
    gold_cells: int = 0
    panel_cells: int = 0
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    spurious: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.gold_cells if self.gold_cells else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.panel_cells if self.panel_cells else 0.0

    def add(self, other: PanelScores) -> None:
        for name in ("documents", "gold_cells", "panel_cells", "correct", "wrong", "missing", "spurious"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "documents": self.documents,
            "gold_cells": self.gold_cells,
            "panel_cells": self.panel_cells,
            "correct": self.correct,
            "wrong": self.wrong,
            "missing": self.missing,
            "spurious": self.spurious,
            "cell_accuracy": round(self.accuracy, 4),
            "precision": round(self.precision, 4),
        }


def default_panel_gold() -> list[Path]:
    return gold_files(PANEL_GOLD_FILES)


def load_panel_gold(path: str | Path) -> list[dict[str, Any]]:
    """The sets of a gold panel file, checked (one clear DataError per bad line)."""
    path = Path(path)
    sets = []
    for number, data in read_user_jsonl(path, "gold file", "pass an existing --gold FILE"):
        missing = [
            key for key in ("id", "documents", "metrics", "cells") if not isinstance(data, dict) or key not in data
        ]
        if missing:
            raise DataError(f"{path}:{number}: a panel set needs {', '.join(missing)}; see tests/gold/README.md")
        shapes = {"documents": (list, dict), "metrics": (dict, dict), "cells": (list, dict)}
        for key, (container, item) in shapes.items():
            values = data[key].values() if isinstance(data[key], dict) else data[key]
            if not isinstance(data[key], container) or not all(isinstance(v, item) for v in values):
                what = "a list of objects" if container is list else "an object of objects"
                raise DataError(f"{path}:{number}: '{key}' must be {what}; see tests/gold/README.md")
        for cell in data["cells"]:
            if cell.get("metric") not in data["metrics"] or province(str(cell.get("province"))) is None:
                raise DataError(f"{path}:{number}: cell {cell} has an unscored metric or an unknown province")
        sets.append(data)
    return sets


def _inputs(documents: Iterable[dict[str, Any]], folder: Path) -> list[Path]:
    """The files to extract: the listed paths, and one JSON Lines file of the inline texts."""
    paths, records = [], []
    for document in documents:
        if "path" in document:
            path = Path(document["path"])
            path = path if path.is_absolute() else CHECKOUT_DIR / path
            if not path.is_file():
                raise DataError(f"panel gold document {document['path']} not found; run from the repository")
            paths.append(path)
        else:
            keep = ("url", "text", "published", "source", "province", "title")
            records.append({key: document[key] for key in keep if key in document})
    if records:
        inline = folder / "documents.jsonl"
        inline.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
        paths.append(inline)
    return paths


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def evaluate_panel_set(data: dict[str, Any], keep_errors: bool = False) -> PanelScores:
    """Extract a gold set's documents and score the panel on its cells."""
    scores = PanelScores(data["id"], documents=len(data["documents"]))
    with tempfile.TemporaryDirectory(prefix="cchc-panel-") as tmp:
        dataset = extract(_inputs(data["documents"], Path(tmp)), jobs=1)
    period = data.get("period", "year")
    gold: dict[tuple[str, str, str], float] = {}
    for cell in data["cells"]:
        ref = province(str(cell["province"]))
        gold[(cell["metric"], ref.mentioned if ref else cell["province"], str(cell["period"]))] = cell["value"]
    scores.gold_cells = len(gold)
    found: dict[tuple[str, str, str], float] = {}
    for metric, options in data["metrics"].items():
        panel = dataset.panel(metric, period, value=options.get("value", "value"), unit=options.get("unit"))
        for row in panel.to_dict("records"):
            found[(metric, row["province"], str(row["period"]))] = row["value"]
    scores.panel_cells = len(found)
    for key, value in gold.items():
        if key not in found:
            scores.missing += 1
            if keep_errors:
                scores.errors.append(f"{data['id']}: MISSING {key[0]} {key[1]} {key[2]} = {value}")
        elif _same(found[key], value):
            scores.correct += 1
        else:
            scores.wrong += 1
            if keep_errors:
                scores.errors.append(
                    f"{data['id']}: WRONG {key[0]} {key[1]} {key[2]}: gold {value}, panel {found[key]}"
                )
    for key, value in found.items():
        if key not in gold:
            scores.spurious += 1
            if keep_errors:
                scores.errors.append(f"{data['id']}: SPURIOUS {key[0]} {key[1]} {key[2]} = {value}")
    return scores


def panel_table(scores: list[PanelScores]) -> str:
    lines = [
        "set              docs  gold cells  panel cells  correct  wrong  missing  spurious | cell accuracy  precision",
        "-" * 108,
    ]
    for s in scores:
        lines.append(
            f"{s.name:<16} {s.documents:>4}  {s.gold_cells:>10}  {s.panel_cells:>11}  {s.correct:>7}  {s.wrong:>5}  "
            f"{s.missing:>7}  {s.spurious:>8} | {s.accuracy:>13.3f}  {s.precision:>9.3f}"
        )
    return "\n".join(lines)
