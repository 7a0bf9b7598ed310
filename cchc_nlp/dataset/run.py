"""Running the extraction: tasks, workers, engines, part files and consolidation.

The pieces: `tasks` (what is left to do), `worker` (one task), `engines` (where tasks run),
`parts` (finished tasks on disk), `consolidate` (parts -> tables), `manifest` (versions).

A run reads the inputs in the main process (`cchc_nlp.dataset.readers`), groups the documents
into tasks of `chunk_size` documents, and hands each task to `process_items` (page
extraction, pipeline, rows) on one of three engines:

* ``jobs=1``: in this process;
* ``jobs=N``: N worker processes (the tagging holds the GIL, so threads would not help;
  no more workers than tasks); each worker loads the pipeline once; if a worker dies (a
  crash in a component, out of memory), its tasks are retried one document at a time and
  the document that kills a worker again becomes an errors row;
* ``jobs=None`` (the command line's default): one worker per CPU this process may use,
  but this process alone for a run of fewer than `POOL_MIN_DOCUMENTS` documents;
* ``engine="dask"``: the same function on a Dask cluster (a LocalCluster of `jobs`
  workers, or the scheduler at `scheduler`).

Each finished task is written by this process as a part: ``DIR/parts/<task>/`` with one
Parquet file per table and ``task.json`` (which documents of which input version it
covers). The part is written under a temporary name and renamed, so it exists whole or
not at all. At the end the parts are consolidated into ``DIR/<table>.<format>`` and
``DIR/manifest.json``, each replaced atomically. Re-running on the same DIR skips
inputs (and documents of large inputs) already covered by parts of the same version
(path, size and mtime); a changed input replaces its old rows. Inputs of earlier runs that
are not among this run's (deleted, or not named) are *gone*: their rows are kept and the
summary and manifest say so, or they are dropped with ``prune=True``. Paths under the
inputs that cannot be looked at (`cchc_nlp.dataset.inputs`) are errors rows of this run. A run stopped by Ctrl-C or
`kill` still writes the tables of the documents finished so far; one killed hard
(kill -9, power cut) leaves the previous tables. Either way the finished parts stay and
the next run goes on from there, without duplicates.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cchc_nlp.dataset.consolidate import consolidate
from cchc_nlp.dataset.engines import (
    POOL_MIN_DOCUMENTS,
    StopRequest,
    available_cpus,
    run_dask,
    run_in_process,
    run_pool,
)
from cchc_nlp.dataset.inputs import InputFile, InputProblem, scan_inputs
from cchc_nlp.dataset.manifest import environment
from cchc_nlp.dataset.parts import PartStore
from cchc_nlp.dataset.tables import (
    FORMATS,
    TABLES,
    error_row,
    table_file,
)
from cchc_nlp.dataset.tasks import InputState, Task, plan_tasks
from cchc_nlp.dataset.worker import cpu_seconds, peak_rss_mb
from cchc_nlp.errors import InputError

__all__ = [
    "CHUNK_SIZE",
    "ENGINES",
    "MANIFEST",
    "RunReport",
    "RunInterrupted",
    "processes_for",
    "run_extract",
    "gone_message",
]

CHUNK_SIZE = 16  # documents per task: large enough to amortize a round trip, small enough to balance 2 workers
ENGINES = ("local", "dask")
MANIFEST = "manifest.json"


@dataclass
class RunReport:
    """What a run did: counts over the whole output directory, and this run's share."""

    out: Path
    format: str
    counts: dict[str, int]
    processed: int  # documents processed by this run
    seconds: float
    tables: dict[str, Path]
    incomplete: list[str]  # inputs not fully processed (e.g. --limit)
    failed_inputs: list[str]  # inputs of this run with at least one failed document
    manifest: dict[str, Any]
    problems: list[InputProblem] = field(default_factory=list)  # paths that could not be looked at
    gone: list[str] = field(default_factory=list)  # inputs of earlier runs not among this run's
    pruned: bool = False  # whether the rows of the gone inputs were dropped
    processes: int = 1  # processes that worked on the documents (local engine; Dask: workers asked for)

    @property
    def exit_code(self) -> int:
        """0: every document of this run's inputs processed; 1: some failed, or some paths
        could not be looked at (see errors)."""
        return 1 if self.failed_inputs or self.problems else 0

    def summary(self) -> str:
        """A few lines for the terminal: counts, this run's speed, where the tables are."""
        c = self.counts
        rate = self.processed / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{c['articles']:,} articles, {c['entities']:,} entities, {c['metrics']:,} metrics "
            f"({c['warnings']:,} warnings), {c['errors']:,} errors"
            + (f", {c['skipped']:,} archived pages skipped (not articles)" if c.get("skipped") else "")
            + (f", {c['duplicates']:,} duplicate documents kept once" if c.get("duplicates") else ""),
            f"this run: {self.processed:,} documents in {self.seconds:.1f} s ({rate:.1f}/s, "
            f"{self.processes} process{'es' if self.processes > 1 else ''})",
            f"tables in {self.out}: {', '.join(p.name for p in self.tables.values())} and {MANIFEST}",
        ]
        if self.problems:
            lines.append(
                f"{len(self.problems):,} paths under the inputs could not be read (dangling or looping links, "
                "unreadable folders or files): errors rows with stage input"
            )
        if self.failed_inputs or self.problems:
            lines.append(f"failed documents (path, stage, message): {table_file(self.out, 'errors', self.format)}")
        if self.gone:
            lines.append(gone_message(len(self.gone), self.pruned))
        if self.incomplete:
            lines.append(f"{len(self.incomplete):,} inputs not finished (--limit); run the same command again to go on")
        return "\n".join(lines)


def _progress_bar(**options: Any) -> Any:
    """A tqdm bar without tqdm's monitor thread, so worker processes can be forked safely."""

    class ProgressBar(tqdm):
        monitor_interval = 0

    return ProgressBar(**options)


# For choosing the number of processes only: an archived page takes about this many bytes.
ARCHIVE_BYTES_PER_PAGE = 30_000


def _document_count(
    inputs: list[InputFile], state: dict[tuple[str, str], InputState], limit: int | None
) -> tuple[int, bool]:
    """How many documents the run will process, and whether that is exact: the pages of
    an archive are not counted in advance (too slow) but estimated from its size."""
    total, exact = 0, True
    for source in inputs:
        known = state.get((source.real, source.key))
        if known is not None and known.complete:
            continue
        if source.kind == "warc":
            exact = False
            count = max(1, source.size // ARCHIVE_BYTES_PER_PAGE)
        elif source.kind == "jsonl":
            try:
                with open(source.real, "rb") as handle:
                    count = sum(1 for line in handle if line.strip())
            except OSError:  # gone or unreadable since it was listed: reading it will say so
                exact, count = False, 1
        else:
            count = 1
        total += max(0, count - len(known.covered) if known else count)
    return (total if limit is None else min(total, limit)), exact


def processes_for(jobs: int | None, documents: int, chunk_size: int) -> int:
    """How many processes a local run uses for about `documents` documents: `jobs`, or by
    default (None) one per available CPU, but one for fewer than POOL_MIN_DOCUMENTS
    documents; never more than there are tasks."""
    if jobs is None:
        if documents < POOL_MIN_DOCUMENTS:
            return 1
        jobs = available_cpus()
    return min(jobs, max(1, -(-documents // chunk_size)))


def run_extract(
    paths: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    fmt: str = "parquet",
    jobs: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    limit: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = True,
    prune: bool = False,
) -> RunReport:
    """Extract the documents of `paths` into the output directory `out` (see module doc).

    `jobs`: processes, None for one per available CPU (fewer for a small run).
    `prune`: drop the rows of inputs of earlier runs that are not among this run's."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be 1 or more, not {jobs}")
    if chunk_size < 1:
        raise InputError(f"chunk size must be 1 or more, not {chunk_size}")
    if limit is not None and limit < 0:
        raise InputError(f"--limit must be 0 or more, not {limit}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a directory")
    paths = list(paths)
    scan = scan_inputs(paths, exclude=[out])
    inputs = scan.files
    started = time.time()
    store = PartStore(out)
    store.open()
    try:
        state = store.state()
        processed = 0
        documents, exact = _document_count(inputs, state, limit)
        processes = processes_for(jobs, documents, chunk_size) if engine == "local" else jobs or available_cpus()
        tasks = plan_tasks(inputs, state, chunk_size, limit, workers=processes, total=documents if exact else None)
        bar = _progress_bar(
            total=documents if exact else None,
            unit=" articles",
            disable=not progress,
            file=sys.stderr,
            mininterval=0.5,
            dynamic_ncols=True,
        )

        worker_rss: dict[int, float] = {}
        worker_cpu: dict[int, float] = {}
        cpu_at_start = cpu_seconds()

        def done(task: Task, result: dict[str, Any]) -> None:
            nonlocal processed
            store.write(task, result)
            processed += len(task.items)
            if result.get("peak_rss_mb") is not None:
                worker_rss[result["pid"]] = max(worker_rss.get(result["pid"], 0.0), result["peak_rss_mb"])
            if result.get("pid") is not None:
                worker_cpu[result["pid"]] = max(worker_cpu.get(result["pid"], 0.0), result.get("cpu_seconds") or 0.0)
            bar.update(len(task.items))

        interrupted = False
        with contextlib.closing(bar), StopRequest() as stop:
            try:
                if engine == "dask":
                    run_dask(tasks, done, processes, scheduler, stop)
                elif processes == 1 and jobs in (1, None):  # an explicit --jobs N >= 2 keeps its workers' isolation
                    run_in_process(tasks, done, stop)
                else:
                    run_pool(tasks, done, processes, stop)
            except KeyboardInterrupt:
                # Ctrl-C or kill (TERM): the finished parts become the tables; the next run goes on.
                # (A second Ctrl-C during consolidation leaves the previous tables, also fine.)
                interrupted = True
        current = {source.real: source for source in inputs}
        _release_free_memory()
        problems = [error_row(p.path, p.given, "input", p.error, p.message) for p in scan.problems]
        merged = consolidate(store, current, fmt, prune=prune, extra_errors=problems)
        seconds = time.time() - started
        incomplete = [info["path"] for info in merged["inputs"].values() if not info["complete"]]
        incomplete += [s.path for s in inputs if s.real not in merged["inputs"]]
        manifest = {
            "format": fmt,
            "tables": {table: table_file(out, table, fmt).name for table in TABLES},
            "counts": merged["counts"],
            "inputs": list(merged["inputs"].values()),
            "input_problems": [{"path": p.path, "error": p.error, "message": p.message} for p in scan.problems],
            "gone_inputs": {
                "count": len(merged["gone"]),
                "rows": "dropped" if prune else "kept",
                "paths": merged["gone"],
                "note": gone_message(len(merged["gone"]), prune) if merged["gone"] else None,
            },
            **environment(),
            "run": {
                "started": dt.datetime.fromtimestamp(started).astimezone().isoformat(timespec="seconds"),
                "seconds": round(seconds, 3),
                "documents": processed,
                "documents_per_second": round(processed / seconds, 2) if seconds > 0 else None,
                "engine": engine,
                "jobs": processes,
                "workers": len(worker_rss),
                "peak_rss_mb": {"main": peak_rss_mb(), "worker_max": max(worker_rss.values(), default=None)},
                # CPU of this run: the main process, plus the worker processes (their whole life)
                "cpu_seconds": round(
                    cpu_seconds() - cpu_at_start + sum(t for pid, t in worker_cpu.items() if pid != os.getpid()), 2
                ),
                "chunk_size": chunk_size,
                "limit": limit,
                "inputs": [str(p) for p in paths],
                "interrupted": interrupted,
            },
        }
        _write_json(out / MANIFEST, manifest)
    finally:
        store.close()
    failed = sorted(current[real].path for real in merged["error_inputs"] if real in current)
    report = RunReport(
        out=out,
        format=fmt,
        counts=merged["counts"],
        processed=processed,
        seconds=seconds,
        tables={table: table_file(out, table, fmt) for table in TABLES},
        incomplete=incomplete,
        failed_inputs=failed,
        manifest=manifest,
        problems=scan.problems,
        gone=merged["gone"],
        pruned=prune,
        processes=processes,
    )
    if interrupted:
        raise RunInterrupted(report)
    return report


def gone_message(count: int, pruned: bool) -> str:
    """The summary line about the inputs of earlier runs that this run does not have."""
    what = f"{count:,} input{'s' if count != 1 else ''} of previous runs {'are' if count != 1 else 'is'} gone"
    if pruned:
        return f"{what} (deleted, or not named in this run); their rows were dropped (--prune)"
    return f"{what} (deleted, or not named in this run); their rows are kept (use --prune to drop them)"


def _release_free_memory() -> None:
    """Collect the run's garbage and hand freed heap pages back to the OS (glibc), so that
    consolidation does not add its memory on top of the processing peak."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or kill after writing the tables of the documents done so far;
    `report` describes them. Running the same extraction again finishes the job."""

    def __init__(self, report: RunReport):
        super().__init__("interrupted")
        self.report = report


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
