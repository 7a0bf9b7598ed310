"""The one place that finds the gold sets (tests/gold/, format in tests/gold/README.md).

Looked for, in order: the folder named by $CCHC_NLP_GOLD; tests/gold of the source
checkout the package runs from; tests/gold of the working directory or one of its
parents; the copy setup.cfg's data_files installs (<prefix>/share/cchc-nlp/gold), so an
installed package evaluates without a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from cchc_nlp.resources import CHECKOUT_DIR, shipped_dir

__all__ = ["GOLD_ENV", "gold_dir", "gold_path", "gold_files", "split_of", "relative_to_checkout"]

GOLD_ENV = "CCHC_NLP_GOLD"
_CHECKOUT_GOLD = Path("tests") / "gold"


def gold_dir() -> Path | None:
    """The gold folder (see the module docstring), or None when there is none."""
    if os.environ.get(GOLD_ENV):
        return Path(os.environ[GOLD_ENV])
    cwd = Path.cwd()
    for root in (CHECKOUT_DIR, cwd, *cwd.parents):
        if (root / _CHECKOUT_GOLD).is_dir():
            return root / _CHECKOUT_GOLD
    installed = shipped_dir("gold", env=GOLD_ENV, checkout=str(_CHECKOUT_GOLD))
    return installed if installed.is_dir() else None


def gold_path(name: str) -> Path:
    """The path of a gold file by name ("metrics_dev.jsonl"); where it would be in a
    checkout when no gold folder is found (the error then names that path)."""
    return (gold_dir() or CHECKOUT_DIR / _CHECKOUT_GOLD) / name


def gold_files(names: tuple[str, ...]) -> list[Path]:
    """The files of `names` that exist in the gold folder."""
    folder = gold_dir()
    return [folder / name for name in names if (folder / name).is_file()] if folder else []


def split_of(path: Path) -> str:
    """ "dev" for *_dev.jsonl (written by the rule authors), "heldout" for *_heldout.jsonl
    (written by someone else; never tuned on), else "custom"."""
    name = path.name
    if name.endswith("_dev.jsonl"):
        return "dev"
    if name.endswith("_heldout.jsonl"):
        return "heldout"
    return "custom"


def relative_to_checkout(path: Path) -> str:
    """`path` relative to the checkout root ("tests/gold/metrics_dev.jsonl") when inside it."""
    try:
        return path.resolve().relative_to(CHECKOUT_DIR).as_posix()
    except ValueError:
        return str(path)
