"""Consolidation: the live parts of an output directory merged into its tables, streamed."""

from __future__ import annotations

import bisect
import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cchc_nlp.dataset.columns import column
from cchc_nlp.dataset.dedup import dup_groups
from cchc_nlp.dataset.parts import PartStore
from cchc_nlp.dataset.readers import InputFile
from cchc_nlp.dataset.tables import (
    FORMATS,
    PART_SCHEMAS,
    SCHEMAS,
    TABLES,
    TableWriter,
    public_table,
    table_file,
    to_table,
)

__all__ = ["consolidate"]


def _read_part(folder: Path, table: str) -> pa.Table:
    path = folder / f"{table}.parquet"
    with pq.ParquetFile(path) as part:
        if part.schema_arrow.equals(PART_SCHEMAS[table]):  # written by this version: read as it is (fast)
            return part.read()
    return pq.read_table(path, schema=PART_SCHEMAS[table])  # an older part: missing columns become nulls


def consolidate(
    store: PartStore,
    current: dict[str, InputFile],
    fmt: str,
    *,
    prune: bool = False,
    extra_errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Merge the live parts into the output tables; return counts per table and input.

    Live rows: for each input, those of its current version (this run's, else the latest
    seen). An input of earlier runs that is not among this run's inputs (`current`) is
    *gone*: its rows are kept, or dropped with `prune` (its parts are deleted). Rows are
    ordered by input and position within it; a document found twice (same doc_id) is kept
    once, at its first place. `extra_errors` (rows of the errors table, e.g. this run's
    input problems) are written after the others. The tables are streamed part by part,
    so memory does not grow with the size of the dataset.
    """
    tasks = store.tasks()
    live: dict[str, str] = {}
    for _, meta in tasks:  # oldest first: the latest version of each input wins
        for entry in meta["coverage"]:
            live[entry["input"]] = entry["key"]
    for real, source in current.items():
        live[real] = source.key
    gone = sorted(real for real in live if real not in current)
    if prune:
        for real in gone:
            del live[real]
    # A segment: the rows of one range of documents of one input, in one part.
    segments: list[tuple[str, int, int, Path]] = []
    stale: list[Path] = []
    pruned = set(gone) if prune else set()
    for folder, meta in tasks:
        entries = [e for e in meta["coverage"] if live.get(e["input"]) == e["key"]]
        if not entries:
            stale.append(folder)
        elif any(e["input"] in pruned for e in meta["coverage"]):  # forget them, or the next run finds them again
            store.forget(folder, meta, pruned)
        segments += [(e["input"], start, end, folder) for e in entries for start, end in e["ranges"]]
    segments.sort(key=lambda segment: (segment[0], segment[1]))
    counts = _input_counts(tasks, live)
    totals: dict[str, int] = {"articles": 0, "entities": 0, "metrics": 0, "warnings": 0, "errors": 0}
    seen: set[str] = set()
    dropped: set[tuple[str, int]] = set()
    error_inputs: set[str] = set()
    groups = _dup_groups(segments)

    def rows_of(table: str, rows: pa.Table) -> pa.Table:
        """Drop duplicate documents from a slice, count what it holds."""
        if table == "articles":
            rows = rows.set_column(
                rows.schema.get_field_index("dup_group"),
                "dup_group",
                column([groups.get(d) for d in rows["doc_id"].to_pylist()], pa.string()),
            )
            keep = []
            for doc_id, source, index in zip(
                rows["doc_id"].to_pylist(), rows["_input"].to_pylist(), rows["_item"].to_pylist(), strict=True
            ):
                first = doc_id not in seen
                keep.append(first)
                seen.add(doc_id)
                if first and source in counts:
                    counts[source]["articles"] += 1
                elif not first:
                    dropped.add((source, index))
            if not all(keep):
                rows = rows.filter(column(keep, pa.bool_()))
        elif dropped and table != "errors":
            pairs = zip(rows["_input"].to_pylist(), rows["_item"].to_pylist(), strict=True)
            keep = [pair not in dropped for pair in pairs]
            if not all(keep):
                rows = rows.filter(column(keep, pa.bool_()))
        if table == "metrics":
            totals["warnings"] += _list_items(rows["warnings"])
        if table == "errors":
            for source in rows["_input"].to_pylist():
                error_inputs.add(source)
                if source in counts:
                    counts[source]["errors"] += 1
        totals[table] += rows.num_rows
        return public_table(table, rows)

    for table in TABLES:
        part: _Part | None = None
        run: tuple[int, int] | None = None  # rows of `part` to write as one slice
        with TableWriter(table_file(store.out, table, fmt), SCHEMAS[table], fmt) as writer:
            for source, start, end, folder in segments:
                if part is None or part.folder != folder:  # the segments of one part mostly follow each other
                    if run is not None:
                        writer.write(rows_of(table, part.data.slice(run[0], run[1] - run[0])))
                        run = None
                    part = _Part(folder, _read_part(folder, table))
                low, high = part.rows(source, start, end)
                if run is not None and run[1] == low:
                    run = (run[0], high)
                else:
                    if run is not None:
                        writer.write(rows_of(table, part.data.slice(run[0], run[1] - run[0])))
                    run = (low, high)
            if run is not None:
                writer.write(rows_of(table, part.data.slice(run[0], run[1] - run[0])))
            if table == "errors" and extra_errors:
                writer.write(to_table("errors", extra_errors, internal=False))
                totals["errors"] += len(extra_errors)
        for other in FORMATS:
            if other != fmt:
                table_file(store.out, table, other).unlink(missing_ok=True)
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    for real, info in counts.items():
        info["gone"] = real not in current
    return {
        "counts": {**totals, "skipped": sum(c["skipped"] for c in counts.values()), "duplicates": len(dropped)},
        "inputs": counts,
        "error_inputs": error_inputs,
        "gone": _gone_paths(tasks, gone),  # kept in the tables, or dropped with prune
    }


def _list_items(data: pa.ChunkedArray) -> int:
    """How many items the lists of a list column hold, from their offsets (as
    pyarrow.compute's sum of list_value_length, without loading pyarrow.compute).

    >>> _list_items(pa.chunked_array([[["a", "b"], None, []], [["c"]]]).slice(1))
    1
    """
    total = 0
    for chunk in data.chunks:
        if chunk.null_count:  # a null list may still span items: count the others one by one
            total += sum(len(value) for value in chunk.to_pylist() if value is not None)
        elif len(chunk):
            offsets = chunk.offsets
            total += offsets[len(chunk)].as_py() - offsets[0].as_py()
    return total


def _dup_groups(segments: list[tuple[str, int, int, Path]]) -> dict[str, str]:
    """doc_id -> dup_group of the live articles (cchc_nlp.dataset.dedup), from the MinHash
    signatures the workers stored (parts of older versions: from the text)."""
    doc_ids: list[str] = []
    signatures: list[bytes | None] = []
    texts: list[str | None] = []
    published: list[str | None] = []
    part: _Part | None = None
    for source, start, end, folder in segments:
        if part is None or part.folder != folder:
            # ParquetFile, not pq.read_table: that one goes through pyarrow.dataset, which loads pandas
            with pq.ParquetFile(folder / "articles.parquet") as file:
                has_minhash = "_minhash" in file.schema_arrow.names
                columns = ["doc_id", "published", "_input", "_item", "_minhash" if has_minhash else "text"]
                part = _Part(folder, file.read(columns=columns))
        low, high = part.rows(source, start, end)
        rows = part.data.slice(low, high - low).to_pydict()
        for i, doc_id in enumerate(rows["doc_id"]):
            doc_ids.append(doc_id)
            signatures.append(rows["_minhash"][i] if "_minhash" in rows else None)
            texts.append(rows["text"][i] if "text" in rows else None)
            published.append(rows["published"][i])
    unique = {d: i for i, d in reversed(list(enumerate(doc_ids)))}  # a doc_id found twice: its first place
    keep = sorted(unique.values())
    return dup_groups(
        [doc_ids[i] for i in keep],
        texts=[texts[i] for i in keep],
        signatures=[signatures[i] for i in keep],
        order=[published[i] for i in keep],
    )


def _gone_paths(tasks: list[tuple[Path, dict[str, Any]]], gone: list[str]) -> list[str]:
    """The paths (as the user wrote them) of gone inputs, from the parts that covered them."""
    paths = {}
    for _, meta in tasks:
        for entry in meta["coverage"]:
            paths[entry["input"]] = entry["path"]
    return [paths[real] for real in gone]


class _Part:
    """One table of a part, with the row ranges of its inputs (a part holds the rows of each
    input together, in document order)."""

    def __init__(self, folder: Path, data: pa.Table):
        self.folder = folder
        self.data = data
        self.items = data["_item"].to_pylist()
        self.blocks: dict[str, tuple[int, int]] = {}
        for row, source in enumerate(data["_input"].to_pylist()):
            first, _ = self.blocks.get(source, (row, row))
            self.blocks[source] = (first, row + 1)

    def rows(self, source: str, start: int, end: int) -> tuple[int, int]:
        """The row positions [low, high) of documents start <= item < end of `source`."""
        first, last = self.blocks.get(source, (0, 0))
        low = bisect.bisect_left(self.items, start, first, last)
        return low, bisect.bisect_left(self.items, end, low, last)


def _input_counts(tasks: list[tuple[Path, dict[str, Any]]], live: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per live input: path, kind, size, mtime, documents covered, total, complete, skipped
    (articles and errors are counted by the caller)."""
    counts: dict[str, dict[str, Any]] = {}
    covered: dict[str, set[int]] = defaultdict(set)
    for _, meta in tasks:
        for entry in meta["coverage"]:
            if live.get(entry["input"]) != entry["key"]:
                continue
            info = counts.setdefault(
                entry["input"],
                {
                    "path": entry["path"],
                    "kind": entry["kind"],
                    "size": entry["size"],
                    "mtime": _mtime(entry["mtime_ns"]),
                    "documents": 0,
                    "articles": 0,
                    "errors": 0,
                    "skipped": 0,
                    "total": None,
                },
            )
            for start, end in entry["ranges"]:
                covered[entry["input"]].update(range(start, end))
            info["skipped"] += entry.get("skipped", 0)
            if entry.get("total") is not None:
                info["total"] = entry["total"]
    for source, info in counts.items():
        info["documents"] = len(covered[source])
        info["complete"] = info["total"] is not None and info["documents"] >= info["total"]
    return counts


def _mtime(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9, dt.UTC).isoformat(timespec="seconds")
