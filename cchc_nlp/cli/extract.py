"""`cchc-nlp extract INPUT... --out DIR`: a corpus into the four tables and manifest.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cchc_nlp.dataset.engines import POOL_MIN_DOCUMENTS, available_cpus
from cchc_nlp.dataset.inputs import InputProblem
from cchc_nlp.dataset.run import CHUNK_SIZE, RunInterrupted, run_extract
from cchc_nlp.dataset.tables import FORMATS
from cchc_nlp.errors import InputError

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Extract articles, entities and metrics from a corpus into tables "
        "(articles, entities, metrics, errors + manifest.json). Re-running on the same "
        "--out processes only new or changed inputs; an interrupted run resumes."
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="files or folders of .txt, .html/.htm, .warc/.warc.gz and .jsonl"
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    parser.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default: parquet)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=(
            f"processes (default: one per CPU, {available_cpus()} here, but one for a run of fewer than "
            f"{POOL_MIN_DOCUMENTS} documents; --jobs 1: this process only)"
        ),
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes or a Dask cluster (pip install 'cchc-nlp[dask]')",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster of --jobs workers)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="process at most N new documents")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="documents per task (default: 16; the last tasks of a parallel run are smaller, to finish together)",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="drop the rows of inputs of earlier runs on --out that this run does not have (deleted, or not named); "
        "by default they are kept and reported",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar (the summary is still printed)")


def run(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    try:
        report = run_extract(
            args.inputs,
            args.out,
            fmt=args.format,
            jobs=args.jobs,
            engine=args.engine,
            scheduler=args.scheduler,
            limit=args.limit,
            chunk_size=args.chunk_size or CHUNK_SIZE,
            progress=not args.quiet,
            prune=args.prune,
        )
    except RunInterrupted as stop:
        _warn_problems(stop.report.problems)
        print(stop.report.summary())
        print(
            "cchc-nlp extract: interrupted; the tables hold the documents done so far; run the same command again to "
            "finish",
            file=sys.stderr,
        )
        return 130
    _warn_problems(report.problems)
    print(report.summary())
    return report.exit_code


def _warn_problems(problems: list[InputProblem], shown: int = 10) -> None:
    """One line on stderr per path that could not be read (the first `shown` of them)."""
    for problem in problems[:shown]:
        print(f"cchc-nlp extract: warning: {problem.path}: {problem.message}", file=sys.stderr)
    if len(problems) > shown:
        print(
            f"cchc-nlp extract: warning: {len(problems) - shown:,} more paths could not be read; see the errors "
            "table (stage input)",
            file=sys.stderr,
        )
