"""Where the package's files are, and loading the bundled language data (cchc_nlp/data/) once per process."""

from __future__ import annotations

import csv
import json
import os
import sysconfig
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cchc_nlp.errors import DataError, InputError

__all__ = [
    "PACKAGE_DIR",
    "CHECKOUT_DIR",
    "shipped_dir",
    "data_path",
    "read_csv",
    "read_json",
    "read_user_text",
    "abbreviations",
    "dotted_abbreviations",
]


# The folder of the installed (or checked-out) package.
PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout, the repository root (models/, tests/ beside the package).
CHECKOUT_DIR = PACKAGE_DIR.parent


def shipped_dir(name: str, *, env: str, checkout: str) -> Path:
    """A folder shipped beside the package rather than inside it: `$env` when set, else
    <checkout>/ of a source checkout, else <prefix>/share/cchc-nlp/<name>, where
    setup.cfg's data_files installs it."""
    override = os.environ.get(env)
    if override:
        return Path(override)
    local = CHECKOUT_DIR / checkout
    if local.is_dir():
        return local
    return Path(sysconfig.get_path("data")) / "share" / "cchc-nlp" / name


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


def read_user_jsonl(path: str | Path, what: str, fix: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank line of a JSON Lines file a user names;
    a line that is not JSON is one DataError naming the file and line."""
    for number, line in enumerate(read_user_text(path, what, fix).splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not valid JSON ({exc.msg}); fix the line") from None


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


def read_user_text(path: str | Path, what: str, fix: str = "pass an existing file") -> str:
    """The text of a UTF-8 file a user names (gold file, site profile): a missing file, a folder,
    an unreadable file or one that is not UTF-8 is one InputError line saying what to do.

    A byte-order mark is dropped (Notepad's "UTF-8 with BOM")."""
    path = Path(path)
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        raise InputError(f"{what} {path} {state}; {fix}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{what} {path} is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8 "
            "(e.g. iconv -f WINDOWS-1258 -t UTF-8)"
        ) from None


@cache
def abbreviations() -> dict[str, str]:
    """Abbreviation -> expansion, from data/text/abbreviations.csv."""
    return {row["abbr"]: row["expansion"] for row in read_csv("text/abbreviations.csv")}


@cache
def dotted_abbreviations() -> frozenset[str]:
    """Abbreviations written with a dot that never ends a sentence ("TP.", "TS.")."""
    return frozenset(row["abbr"] for row in read_csv("text/abbreviations.csv") if row["no_sentence_end"] == "true")
