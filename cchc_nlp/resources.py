"""Loading the bundled language data files (cchc_nlp/data/) once per process."""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cchc_nlp.errors import DataError

__all__ = ["PACKAGE_DIR", "data_path", "read_csv", "read_json", "abbreviations", "dotted_abbreviations"]


# The folder of the installed (or checked-out) package.
PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(name: str):
    """A Traversable for a file under cchc_nlp/data/."""
    return resources.files("cchc_nlp").joinpath("data").joinpath(name)


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled CSV file as dicts (cached; treat as read-only)."""
    path = data_path(name)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return tuple(csv.DictReader(handle))
    except FileNotFoundError:
        raise DataError(f"bundled data file {name} is missing; reinstall cchc-nlp") from None


@cache
def read_json(name: str) -> Any:
    """A bundled JSON file (cached; treat as read-only)."""
    path = data_path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise DataError(f"bundled data file {name} is missing; reinstall cchc-nlp") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"bundled data file {name} is not valid JSON (line {exc.lineno}): {exc.msg}") from None


@cache
def abbreviations() -> dict[str, str]:
    """Abbreviation -> expansion, from data/abbreviations.csv."""
    return {row["abbr"]: row["expansion"] for row in read_csv("abbreviations.csv")}


@cache
def dotted_abbreviations() -> frozenset[str]:
    """Abbreviations written with a dot that never ends a sentence ("TP.", "TS.")."""
    return frozenset(row["abbr"] for row in read_csv("abbreviations.csv") if row["no_sentence_end"] == "true")
