"""The part files of an output directory: one finished task each, written atomically
(DIR/parts/<task>/: a Parquet file per table and task.json).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cchc_nlp.dataset.tables import (
    TABLES,
)
from cchc_nlp.dataset.tasks import InputState, Task, ranges
from cchc_nlp.errors import InputError

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None

PARTS = "parts"

__all__ = ["PARTS", "PartStore"]


class PartStore:
    """The parts of an output directory (DIR/parts/<task>/), written atomically."""

    def __init__(self, out: Path):
        self.out = out
        self.parts = out / PARTS
        self._lock_handle = None

    def open(self) -> None:
        """Create the folders, take the directory lock, remove leftovers of killed runs."""
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output directory {self.out}: {exc.strerror}") from None
        self._lock()
        for leftover in self.parts.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in self.out.glob(".tmp-*"):
            leftover.unlink(missing_ok=True)

    def _lock(self) -> None:
        if fcntl is None:  # Windows: no advisory lock, one run at a time is up to the user
            return
        handle = open(self.out / ".lock", "w")  # noqa: SIM115 - held (locked) until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise InputError(
                f"another cchc-nlp extract is writing to {self.out}; wait for it or choose another --out"
            ) from None
        self._lock_handle = handle

    def close(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def tasks(self) -> list[tuple[Path, dict[str, Any]]]:
        """(folder, task.json) of every finished part, oldest first."""
        found = []
        for folder in self.parts.iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            try:
                meta = json.loads((folder / "task.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # not a part of ours
            found.append((folder, meta))
        return sorted(found, key=lambda pair: (pair[1]["created"], pair[0].name))

    def state(self) -> dict[tuple[str, str], InputState]:
        """Per (input, version): the documents covered, and their number when known."""
        state: dict[tuple[str, str], InputState] = {}
        for _, meta in self.tasks():
            for entry in meta["coverage"]:
                known = state.setdefault((entry["input"], entry["key"]), InputState())
                for start, end in entry["ranges"]:
                    known.covered.update(range(start, end))
                if entry.get("total") is not None:
                    known.total = entry["total"]
        return state

    def forget(self, folder: Path, meta: dict[str, Any], inputs: set[str]) -> None:
        """Drop the coverage of `inputs` from a part (its rows of them are never read again)."""
        meta = {**meta, "coverage": [entry for entry in meta["coverage"] if entry["input"] not in inputs]}
        tmp = folder / ".tmp-task.json"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / "task.json")

    def write(self, task: Task, result: dict[str, Any]) -> None:
        """Write one finished task as a part, atomically (temporary folder, then rename)."""
        name = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
        tmp = self.parts / f".tmp-{name}"
        tmp.mkdir()
        for table in TABLES:
            pq.write_table(result["tables"][table], tmp / f"{table}.parquet")
        coverage = []
        for entry in task.coverage.values():
            entry = dict(entry)
            entry["ranges"] = ranges(entry.pop("items"))
            entry["skipped"] = result["skipped"].get(entry["input"], 0)
            coverage.append(entry)
        meta = {"created": time.time_ns(), "coverage": coverage}
        (tmp / "task.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.rename(tmp, self.parts / name)
