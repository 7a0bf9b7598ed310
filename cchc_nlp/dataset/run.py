"""Running the extraction: tasks, workers, engines, part files and consolidation.

A run reads the inputs in the main process (`cchc_nlp.dataset.readers`), groups the documents
into tasks of `chunk_size` documents, and hands each task to `process_items` (page
extraction, pipeline, rows) on one of three engines:

* ``jobs=1``: in this process;
* ``jobs=N``: N worker processes (the tagging holds the GIL, so threads would not help);
  each worker loads the pipeline once; if a worker dies (a crash in a component, out of
  memory), its tasks are retried one document at a time and the document that kills a
  worker again becomes an errors row;
* ``engine="dask"``: the same function on a Dask cluster (a LocalCluster of `jobs`
  workers, or the scheduler at `scheduler`).

Each finished task is written by this process as a part: ``DIR/parts/<task>/`` with one
Parquet file per table and ``task.json`` (which documents of which input version it
covers). The part is written under a temporary name and renamed, so it exists whole or
not at all. At the end the parts are consolidated into ``DIR/<table>.<format>`` and
``DIR/manifest.json``, each replaced atomically. Re-running on the same DIR skips
inputs (and documents of large inputs) already covered by parts of the same version
(path, size and mtime); a changed input replaces its old rows. A run stopped by Ctrl-C or
`kill` still writes the tables of the documents finished so far; one killed hard
(kill -9, power cut) leaves the previous tables. Either way the finished parts stay and
the next run goes on from there, without duplicates.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import datetime as dt
import functools
import gc
import hashlib
import importlib
import json
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cchc_nlp._version import __version__
from cchc_nlp.dataset.readers import DocumentError, InputFile, RawItem, find_inputs, iter_items, to_article
from cchc_nlp.dataset.tables import (
    FORMATS,
    PART_SCHEMAS,
    SCHEMAS,
    TABLES,
    TableWriter,
    article_row,
    entity_rows,
    error_row,
    metric_rows,
    public_table,
    table_file,
    to_table,
)
from cchc_nlp.errors import CchcError, InputError
from cchc_nlp.resources import PACKAGE_DIR

__all__ = ["CHUNK_SIZE", "ENGINES", "RunReport", "RunInterrupted", "run_extract", "process_items"]

CHUNK_SIZE = 16  # documents per task: large enough to amortize a round trip, small enough to balance 2 workers
ENGINES = ("local", "dask")
PARTS = "parts"
MANIFEST = "manifest.json"


# --- the worker ---------------------------------------------------------------------------

_NLP = None


def _pipeline():
    """The pipeline of this process, loaded on first use (once per worker)."""
    global _NLP
    if _NLP is None:
        from cchc_nlp.text.pipeline import load

        try:
            _NLP = load()
        except CchcError:
            raise
        except Exception as exc:  # a broken component stops the run with one clear line
            raise CchcError(
                f"the pipeline cannot be loaded ({type(exc).__name__}: {exc}); check the components in "
                "cchc_nlp.text.pipeline.DEFAULT_COMPONENTS"
            ) from exc
    return _NLP


def process_items(items: list[RawItem]) -> dict[str, Any]:
    """Page extraction, pipeline and table rows for a list of documents.

    Returns {"tables": {table: pyarrow.Table with the internal columns}, "skipped":
    {input: number of archived pages that are not articles}}. A document that fails is an
    errors row; only a pipeline that cannot be loaded raises.
    """
    from cchc_nlp.records import entities, metrics

    nlp = _pipeline() if items else None
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    skipped: dict[str, int] = defaultdict(int)
    for item in items:
        where = {"_input": item.input, "_key": item.key, "_item": item.index}
        try:
            article = to_article(item)
        except DocumentError as exc:
            rows["errors"].append(_failure(item, exc.stage, exc))
            continue
        except Exception as exc:  # a page the extractor chokes on is one failed document, not a failed run
            rows["errors"].append(_failure(item, "record" if item.kind == "jsonl" else "page", exc))
            continue
        if article is None:
            skipped[item.input] += 1
            continue
        try:
            published = article.published[:10] if article.published else None
            doc = nlp.parse(
                article.text, published=published, url=article.url, source=article.source, doc_id=article.doc_id
            )
            entity_records = entity_rows(article.doc_id, entities(doc))
            metric_records = metric_rows(article.doc_id, metrics(doc))
            article_record = article_row(
                article, doc, len(entity_records), len(metric_records), from_input=item.kind == "jsonl"
            )
        except Exception as exc:  # a document the pipeline fails on is recorded, the others go on
            rows["errors"].append(_failure(item, "nlp", exc, article.doc_id))
            continue
        rows["articles"].append({**article_record, **where})
        rows["entities"].extend({**r, **where} for r in entity_records)
        rows["metrics"].extend({**r, **where} for r in metric_records)
    return {
        "tables": {table: to_table(table, rows[table]) for table in TABLES},
        "skipped": dict(skipped),
        "pid": os.getpid(),
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": cpu_seconds(),
    }


def _failure(item: RawItem, stage: str, exc: BaseException, doc_id: str | None = None) -> dict[str, Any]:
    """The errors row of a document that failed at `stage`."""
    kind = item.error[1] if item.error else "InputError" if isinstance(exc, DocumentError) else type(exc).__name__
    message = str(exc) if isinstance(exc, CchcError) else f"{type(exc).__name__}: {exc}"
    where = {"_input": item.input, "_key": item.key, "_item": item.index}
    return {**error_row(item.label, item.input_path, stage, kind, message, doc_id), **where}


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    times = os.times()
    return times.user + times.system


def peak_rss_mb() -> float | None:
    """Peak resident memory of this process in MB (None where the OS does not tell)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


# --- tasks --------------------------------------------------------------------------------


@dataclass
class Task:
    """Documents to process together, and what they cover of each input."""

    items: list[RawItem] = field(default_factory=list)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)  # input real path -> entry

    def entry(self, source: InputFile) -> dict[str, Any]:
        if source.real not in self.coverage:
            self.coverage[source.real] = {
                "input": source.real,
                "key": source.key,
                "path": source.path,
                "kind": source.kind,
                "size": source.size,
                "mtime_ns": source.mtime_ns,
                "items": [],
                "total": None,
            }
        return self.coverage[source.real]


@dataclass
class InputState:
    """What the parts in DIR cover of one version of one input."""

    covered: set[int] = field(default_factory=set)
    total: int | None = None

    @property
    def complete(self) -> bool:
        return (
            self.total is not None
            and len(self.covered) >= self.total
            and all(i in self.covered for i in range(self.total))
        )


def _ranges(indexes: list[int]) -> list[list[int]]:
    """[0, 1, 2, 5] -> [[0, 3], [5, 6]] (half-open ranges)."""
    ranges: list[list[int]] = []
    for index in sorted(indexes):
        if ranges and ranges[-1][1] == index:
            ranges[-1][1] = index + 1
        else:
            ranges.append([index, index + 1])
    return ranges


def plan_tasks(
    inputs: list[InputFile],
    state: dict[tuple[str, str], InputState],
    chunk_size: int,
    limit: int | None,
) -> Iterator[Task]:
    """Tasks for every document not yet covered, in input order; at most `limit` documents."""
    task = Task()
    planned = 0
    for source in inputs:
        known = state.get((source.real, source.key))
        if known is not None and known.complete:
            continue
        reader = iter_items(source, skip=known.covered if known else ())
        for item in reader:
            if limit is not None and planned >= limit:
                break
            task.entry(source)["items"].append(item.index)
            task.items.append(item)
            planned += 1
            if len(task.items) >= chunk_size:
                yield task
                task = Task()
        else:
            task.entry(source)["total"] = reader.total
            continue
        break  # the limit was reached
    if task.coverage:
        yield task


# --- part files ---------------------------------------------------------------------------


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
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock, one run at a time is up to the user
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
            entry["ranges"] = _ranges(entry.pop("items"))
            entry["skipped"] = result["skipped"].get(entry["input"], 0)
            coverage.append(entry)
        meta = {"created": time.time_ns(), "coverage": coverage}
        (tmp / "task.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.rename(tmp, self.parts / name)


# --- engines ------------------------------------------------------------------------------


def _init_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the main process, which stops them, and exit by themselves
    when the main process is killed (otherwise they would wait for tasks forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not keep the main process's handler

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
                os._exit(1)

    threading.Thread(target=watch, name="cchc-parent-watch", daemon=True).start()


class _StopRequest:
    """Ctrl-C or `kill` (TERM) during a run: the first one stops the run at the next safe
    point (between tasks), so the finished work is written; a second one stops at once.

    A signal turned straight into an exception can land anywhere, even in a __del__ where
    Python ignores it; the engines call `check()` instead.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():  # signals only reach the main thread
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\ncchc-nlp extract: stopping after the current tasks (again to stop at once)", file=sys.stderr)

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def _run_in_process(tasks: Iterator[Task], done: Callable[[Task, dict[str, Any]], None], stop: _StopRequest) -> None:
    for task in tasks:
        stop.check()
        done(task, process_items(task.items))


def _drive(
    tasks: Iterator[Task],
    done: Callable[[Task, dict[str, Any]], None],
    submit: Callable[[list[RawItem]], Any],
    wait_first: Callable[[list[Any]], Iterable[Any]],
    window: int,
    stop: _StopRequest,
) -> None:
    """Keep `window` tasks in flight; hand each finished one to `done` (in this process).
    `wait_first` returns the finished futures, or none after a short wait."""
    from concurrent.futures.process import BrokenProcessPool

    pending: dict[Any, Task] = {}
    source = iter(tasks)
    while True:
        stop.check()
        while len(pending) < window:
            task = next(source, None)
            if task is None:
                break
            try:
                pending[submit(task.items)] = task
            except BrokenProcessPool:
                raise _WorkersLost([*pending.values(), task]) from None
        if not pending:
            return
        for future in wait_first(list(pending)):
            try:
                result = future.result()
            except BrokenProcessPool:
                raise _WorkersLost(list(pending.values())) from None
            done(pending.pop(future), result)


class _WorkersLost(Exception):
    """A worker process died (crash, out of memory); `tasks` were in flight."""

    def __init__(self, tasks: list[Task]):
        super().__init__(f"{len(tasks)} tasks lost")
        self.tasks = tasks


def _one_by_one(task: Task) -> list[Task]:
    """A task split into tasks of one document (with the input's total on the last one)."""
    singles = []
    for item in task.items:
        single = Task(items=[item])
        entry = dict(task.coverage[item.input], items=[item.index], total=None)
        single.coverage[item.input] = entry
        singles.append(single)
    for real, entry in task.coverage.items():  # totals, and inputs without a document here
        owner = next((t for t in reversed(singles) if real in t.coverage), None)
        if owner is None:
            owner = Task()
            owner.coverage[real] = dict(entry, items=[])
            singles.append(owner)
        owner.coverage[real]["total"] = entry["total"]
    return singles


def _crash_result(task: Task) -> dict[str, Any]:
    """The result of a one-document task whose worker died: an errors row."""
    rows = []
    for item in task.items:
        message = "the worker process died on this document (a crash in a component, or out of memory)"
        rows.append(
            {
                **error_row(item.label, item.input_path, "nlp", "WorkerDied", message),
                "_input": item.input,
                "_key": item.key,
                "_item": item.index,
            }
        )
    tables = {table: to_table(table, rows if table == "errors" else []) for table in TABLES}
    return {"tables": tables, "skipped": {}, "pid": None, "peak_rss_mb": None, "cpu_seconds": None}


def _pool_context():
    """How worker processes start. A process running a single thread (the command line)
    can fork safely: workers start at once with the modules already imported. Otherwise
    (a notebook, a threaded program) a fork server, or spawn where there is none."""
    import multiprocessing

    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS

    modules = [
        "cchc_nlp.dataset.run",
        "cchc_nlp.text.pipeline",
        "cchc_nlp.page",
        *(module for _, module in DEFAULT_COMPONENTS),
    ]
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        for module in modules:
            importlib.import_module(module)
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(modules)
        return context
    return multiprocessing.get_context("spawn")


def _run_pool(
    tasks: Iterator[Task], done: Callable[[Task, dict[str, Any]], None], jobs: int, stop: _StopRequest
) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # When a worker dies, the tasks in flight are retried one document at a time, one task at
    # a time, in a new pool; a document that kills its worker again becomes an errors row.
    suspects: collections.deque[Task] = collections.deque()
    source = iter(tasks)
    while True:
        isolating = bool(suspects)
        executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=_pool_context(), initializer=_init_worker, initargs=(os.getpid(),)
        )
        try:
            _drive(
                _drain(suspects) if isolating else source,
                done,
                functools.partial(executor.submit, process_items),
                lambda futures: wait(futures, timeout=0.5, return_when=FIRST_COMPLETED).done,
                1 if isolating else 2 * jobs,
                stop,
            )
        except _WorkersLost as lost:
            executor.shutdown(wait=False, cancel_futures=True)
            for task in reversed(lost.tasks):
                if isolating and len(task.items) <= 1:
                    done(task, _crash_result(task))
                else:
                    suspects.extendleft(reversed(_one_by_one(task)))
            continue
        except BaseException:
            # Stop the workers now rather than after their current task (no public API for it).
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.terminate()
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown()
        if not isolating:
            return


def _drain(queue: collections.deque[Task]) -> Iterator[Task]:
    while queue:
        yield queue.popleft()


def _run_dask(
    tasks: Iterator[Task],
    done: Callable[[Task, dict[str, Any]], None],
    jobs: int,
    scheduler: str | None,
    stop: _StopRequest,
) -> None:
    try:
        import logging

        from distributed import Client, LocalCluster, wait
    except ImportError:
        raise InputError("the dask engine needs Dask: pip install 'cchc-nlp[dask]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info().get("workers", {})) or jobs
        _drive(
            tasks,
            done,
            lambda items: client.submit(process_items, items, pure=False),
            lambda futures: _dask_wait_first(wait, futures),
            2 * workers,
            stop,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_wait_first(wait: Callable[..., Any], futures: list[Any]) -> Iterable[Any]:
    try:
        return wait(futures, timeout=0.5, return_when="FIRST_COMPLETED").done
    except TimeoutError:  # distributed raises instead of returning nothing
        return ()


# --- consolidation ------------------------------------------------------------------------


def _read_part(folder: Path, table: str) -> pa.Table:
    return pq.read_table(folder / f"{table}.parquet", schema=PART_SCHEMAS[table])


def consolidate(store: PartStore, current: dict[str, InputFile], fmt: str) -> dict[str, Any]:
    """Merge the live parts into the output tables; return counts per table and input.

    Live rows: for each input, those of its current version (this run's, else the latest
    seen). Rows are ordered by input and position within it; a document found twice (same
    doc_id) is kept once, at its first place. The tables are streamed part by part, so
    memory does not grow with the size of the dataset.
    """
    tasks = store.tasks()
    live: dict[str, str] = {}
    for _, meta in tasks:  # oldest first: the latest version of each input wins
        for entry in meta["coverage"]:
            live[entry["input"]] = entry["key"]
    for real, source in current.items():
        live[real] = source.key
    # A segment: the rows of one range of documents of one input, in one part.
    segments: list[tuple[str, int, int, Path]] = []
    stale: list[Path] = []
    for folder, meta in tasks:
        entries = [e for e in meta["coverage"] if live.get(e["input"]) == e["key"]]
        if not entries:
            stale.append(folder)
        segments += [(e["input"], start, end, folder) for e in entries for start, end in e["ranges"]]
    segments.sort(key=lambda segment: (segment[0], segment[1]))
    counts = _input_counts(tasks, live)
    totals: dict[str, int] = {"articles": 0, "entities": 0, "metrics": 0, "warnings": 0, "errors": 0}
    seen: set[str] = set()
    dropped: set[tuple[str, int]] = set()
    error_inputs: set[str] = set()

    def rows_of(table: str, rows: pa.Table) -> pa.Table:
        """Drop duplicate documents from a slice, count what it holds."""
        if table == "articles":
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
            rows = rows.filter(pa.array(keep, pa.bool_()))
        elif dropped and table != "errors":
            pairs = zip(rows["_input"].to_pylist(), rows["_item"].to_pylist(), strict=True)
            rows = rows.filter(pa.array([pair not in dropped for pair in pairs], pa.bool_()))
        if table == "metrics":
            totals["warnings"] += pc.sum(pc.list_value_length(rows["warnings"])).as_py() or 0
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
        for other in FORMATS:
            if other != fmt:
                table_file(store.out, table, other).unlink(missing_ok=True)
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "counts": {**totals, "skipped": sum(c["skipped"] for c in counts.values()), "duplicates": len(dropped)},
        "inputs": counts,
        "error_inputs": error_inputs,
    }


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


# --- versions -----------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    """Versions of the package, its main dependencies and the models, for the manifest."""
    from importlib import metadata

    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS

    versions = {"cchc_nlp": __version__, "python": sys.version.split()[0]}
    for package in ("underthesea", "spacy", "pyarrow", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions,
        "models": _models(),
        "pipeline": [name for name, _ in DEFAULT_COMPONENTS],
        "data_sha256": _tree_digest(PACKAGE_DIR / "data"),
    }


def _models() -> dict[str, str]:
    """The underthesea CRF model the text core uses, and the model files shipped with
    cchc_nlp (in the package or the repository's models/ folder) with their SHA-256."""
    import importlib.util

    models: dict[str, str] = {}
    spec = importlib.util.find_spec("underthesea")
    if spec and spec.origin:
        folder = Path(spec.origin).parent / "pipeline" / "word_tokenize" / "models"
        if folder.is_dir():
            models["underthesea.word_tokenize"] = ",".join(sorted(p.name for p in folder.iterdir() if p.is_dir()))
    package = PACKAGE_DIR
    for root in (package, package.parent / "models"):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in (".skops", ".joblib", ".bin", ".crfsuite", ".onnx") and path.is_file():
                models[path.relative_to(package.parent).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return models


def _tree_digest(folder: Path) -> str | None:
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- a run --------------------------------------------------------------------------------


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

    @property
    def exit_code(self) -> int:
        """0: every document of this run's inputs processed; 1: some failed (see errors)."""
        return 1 if self.failed_inputs else 0

    def summary(self) -> str:
        """A few lines for the terminal: counts, this run's speed, where the tables are."""
        c = self.counts
        rate = self.processed / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{c['articles']:,} articles, {c['entities']:,} entities, {c['metrics']:,} metrics "
            f"({c['warnings']:,} warnings), {c['errors']:,} errors"
            + (f", {c['skipped']:,} archived pages skipped (not articles)" if c.get("skipped") else "")
            + (f", {c['duplicates']:,} duplicate documents kept once" if c.get("duplicates") else ""),
            f"this run: {self.processed:,} documents in {self.seconds:.1f} s ({rate:.1f}/s)",
            f"tables in {self.out}: {', '.join(p.name for p in self.tables.values())} and {MANIFEST}",
        ]
        if self.failed_inputs:
            lines.append(f"failed documents (path, stage, message): {table_file(self.out, 'errors', self.format)}")
        if self.incomplete:
            lines.append(f"{len(self.incomplete):,} inputs not finished (--limit); run the same command again to go on")
        return "\n".join(lines)


def _progress_bar(**options: Any) -> Any:
    """A tqdm bar without tqdm's monitor thread, so worker processes can be forked safely."""
    from tqdm import tqdm

    class ProgressBar(tqdm):
        monitor_interval = 0

    return ProgressBar(**options)


def _known_total(inputs: list[InputFile], state: dict[tuple[str, str], InputState], limit: int | None) -> int | None:
    """How many documents the run will process, when it is cheap to know (no archives)."""
    total = 0
    for source in inputs:
        known = state.get((source.real, source.key))
        if known is not None and known.complete:
            continue
        if source.kind == "warc":
            return None
        if source.kind == "jsonl":
            with open(source.real, "rb") as handle:
                count = sum(1 for line in handle if line.strip())
        else:
            count = 1
        total += max(0, count - len(known.covered) if known else count)
    return total if limit is None else min(total, limit)


def run_extract(
    paths: Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    fmt: str = "parquet",
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    limit: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = True,
) -> RunReport:
    """Extract the documents of `paths` into the output directory `out` (see module doc)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if jobs < 1:
        raise InputError(f"--jobs must be 1 or more, not {jobs}")
    if chunk_size < 1:
        raise InputError(f"chunk size must be 1 or more, not {chunk_size}")
    if limit is not None and limit < 0:
        raise InputError(f"--limit must be 0 or more, not {limit}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a directory")
    paths = list(paths)
    inputs = find_inputs(paths, exclude=[out])
    started = time.time()
    store = PartStore(out)
    store.open()
    try:
        state = store.state()
        tasks = plan_tasks(inputs, state, chunk_size, limit)
        processed = 0
        bar = _progress_bar(
            total=_known_total(inputs, state, limit),
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
        with contextlib.closing(bar), _StopRequest() as stop:
            try:
                if engine == "dask":
                    _run_dask(tasks, done, jobs, scheduler, stop)
                elif jobs == 1:
                    _run_in_process(tasks, done, stop)
                else:
                    _run_pool(tasks, done, jobs, stop)
            except KeyboardInterrupt:
                # Ctrl-C or kill (TERM): the finished parts become the tables; the next run goes on.
                # (A second Ctrl-C during consolidation leaves the previous tables, also fine.)
                interrupted = True
        current = {source.real: source for source in inputs}
        _release_free_memory()
        merged = consolidate(store, current, fmt)
        seconds = time.time() - started
        incomplete = [info["path"] for info in merged["inputs"].values() if not info["complete"]]
        incomplete += [s.path for s in inputs if s.real not in merged["inputs"]]
        manifest = {
            "format": fmt,
            "tables": {table: table_file(out, table, fmt).name for table in TABLES},
            "counts": merged["counts"],
            "inputs": list(merged["inputs"].values()),
            **environment(),
            "run": {
                "started": dt.datetime.fromtimestamp(started).astimezone().isoformat(timespec="seconds"),
                "seconds": round(seconds, 3),
                "documents": processed,
                "documents_per_second": round(processed / seconds, 2) if seconds > 0 else None,
                "engine": engine,
                "jobs": jobs,
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
    )
    if interrupted:
        raise RunInterrupted(report)
    return report


def _release_free_memory() -> None:
    """Collect the run's garbage and hand freed heap pages back to the OS (glibc), so that
    consolidation does not add its memory on top of the processing peak."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


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
