"""Engines: where tasks run. In this process, in a pool of worker processes (a worker that
dies has its documents retried one by one), or on a Dask cluster; each finished task is
handed to `done` in this process.
"""

from __future__ import annotations

import collections
import functools
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from cchc_nlp.dataset.readers import RawItem
from cchc_nlp.dataset.tables import TABLES, error_row, to_table
from cchc_nlp.dataset.tasks import Task
from cchc_nlp.dataset.worker import pipeline, process_items
from cchc_nlp.errors import InputError

__all__ = ["POOL_MIN_DOCUMENTS", "StopRequest", "available_cpus", "run_in_process", "run_pool", "run_dask"]

# Below this many documents, a run with the default number of processes stays in one:
# each worker loads the pipeline (about a second), more than it saves on so few documents.
POOL_MIN_DOCUMENTS = 32


def available_cpus() -> int:
    """The CPUs this process may run on: its affinity mask where the OS has one (Linux; a
    container or `taskset` may allow fewer than the machine has), else all of them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


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


class StopRequest:
    """Ctrl-C or `kill` (TERM) during a run: the first one stops the run at the next safe
    point (between tasks), so the finished work is written; a second one stops at once.

    A signal turned straight into an exception can land anywhere, even in a __del__ where
    Python ignores it; the engines call `check()` instead.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopRequest:
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


def run_in_process(tasks: Iterator[Task], done: Callable[[Task, dict[str, Any]], None], stop: StopRequest) -> None:
    for task in tasks:
        stop.check()
        done(task, process_items(task.items))


def _drive(
    tasks: Iterator[Task],
    done: Callable[[Task, dict[str, Any]], None],
    submit: Callable[[list[RawItem]], Any],
    wait_first: Callable[[list[Any]], Iterable[Any]],
    window: int,
    stop: StopRequest,
) -> None:
    """Keep `window` tasks in flight; hand each finished one to `done` (in this process).
    `wait_first` returns the finished futures, or none after a short wait."""
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
    can fork safely: this process loads the pipeline once and the workers start with it
    (its pages shared until written). Otherwise (a notebook, a threaded program) a fork
    server, or spawn where there is none, and each worker loads the pipeline itself."""
    # spaCy and the components load in the main process only for a pool (forked workers inherit them)
    from cchc_nlp.text.pipeline import DEFAULT_COMPONENTS

    modules = [
        "cchc_nlp.dataset.worker",
        "cchc_nlp.text.pipeline",
        "cchc_nlp.page.dumps",
        "cchc_nlp.page.html",
        "cchc_nlp.page.kind",
        *(module for _, module in DEFAULT_COMPONENTS),
    ]
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        for module in modules:
            importlib.import_module(module)
        pipeline()
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(modules)
        return context
    return multiprocessing.get_context("spawn")


def run_pool(tasks: Iterator[Task], done: Callable[[Task, dict[str, Any]], None], jobs: int, stop: StopRequest) -> None:

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
            _stop_now(executor)
            raise
        executor.shutdown()
        if not isolating:
            return


def _stop_now(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now rather than after their current task (there is no public API
    for it). A worker killed while sending its result leaves half a message in the result
    pipe, and the executor's manager thread would wait for the rest forever, so the process
    could never exit. Closing this process's copy of the pipe's writing end (its only
    writers are then the dead workers) turns that wait into end-of-file, which the executor
    handles as a broken pool."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():  # stuck where SIGTERM does not reach (it never should)
            process.kill()
            process.join()
    result_queue = getattr(executor, "_result_queue", None)
    if result_queue is not None:
        result_queue._writer.close()
    executor.shutdown(wait=False, cancel_futures=True)


def _drain(queue: collections.deque[Task]) -> Iterator[Task]:
    while queue:
        yield queue.popleft()


def run_dask(
    tasks: Iterator[Task],
    done: Callable[[Task, dict[str, Any]], None],
    jobs: int,
    scheduler: str | None,
    stop: StopRequest,
) -> None:
    try:
        from distributed import Client, LocalCluster, wait  # the optional [dask] extra
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
