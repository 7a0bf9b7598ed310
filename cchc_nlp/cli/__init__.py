"""The `cchc-nlp` command line.

Each subcommand is a module of this package (cchc_nlp/cli/<name>.py) that defines
`configure_parser(parser)` and `run(args) -> int`, parses and prints, and leaves the work
to the stage packages. A subcommand's module is imported only when it runs, so
`cchc-nlp --help` and `--version` load no heavy dependency.

Exit codes: 0 success, 1 some documents failed (recorded, see the output), 2 usage
or input errors, 3 internal error (a bug: one line on stderr, the traceback in a log
file), 130 interrupted. No traceback reaches the terminal: `main` turns any unexpected
exception into that one line and writes the traceback to a file in the temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from typing import Any

from cchc_nlp._version import __version__
from cchc_nlp.errors import CchcError, InputError, one_line

__all__ = ["main", "COMMANDS", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERNAL", "EXIT_INTERRUPTED"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

# name -> one-line help; the subcommand is the module cchc_nlp.cli.<name>.
COMMANDS: dict[str, str] = {
    "tokenize": "print the normalized sentences and words of a text file",
    "evaluate": "score entity tagging or metric extraction against the gold sets",
    "extract": "extract articles, entities and metrics from a corpus into tables",
    "report": "write a self-contained HTML report of an extracted dataset",
    "export": "write an extracted dataset and its panel for Stata or R, with a codebook",
    "crawl": "crawl provincial portal articles politely into a WARC archive",
    "train": "train the metric classifier (models/metric_classifier.skops) on the dev gold",
    "analyze": "print the entities and metrics of one article",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cchc-nlp",
        description="Turn Vietnamese administrative-reform (CCHC) news into research data.",
    )
    parser.add_argument("--version", action="version", version=f"cchc-nlp {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=f"{__name__}.{name}")
    return parser


def _import_command(name: str, frozen: bool) -> Any:
    """Import a subcommand's module without garbage collection meanwhile: its dependencies
    (spaCy, pyarrow...) create about a million objects that live as long as the process,
    and little garbage. `frozen` (for the program itself): they are then frozen, so that
    later collections, the one at exit included, skip them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        module = importlib.import_module(name)
    finally:
        if enabled:
            gc.enable()
    if frozen:
        gc.freeze()
    return module


def main(argv: Sequence[str] | None = None) -> int:
    as_program = argv is None  # the cchc-nlp program itself, not a caller of main()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = "cchc-nlp"
    try:
        parser = build_parser()
        # Parse the command name first, then let its module describe its own options.
        known, _ = parser.parse_known_args(argv[:1] if argv and not argv[0].startswith("-") else argv)
        if getattr(known, "command", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        command = f"cchc-nlp {known.command}"
        module = _import_command(known._module, frozen=as_program)
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        module.configure_parser(subparsers.choices[known.command])
        args = parser.parse_args(argv)
        return int(module.run(args) or 0)
    except InputError as exc:
        print(f"{command}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except CchcError as exc:
        print(f"{command}: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (`cchc-nlp analyze x | head`): nothing to report
        _silence_stdout()
        return EXIT_FAILED
    except Exception as exc:  # the last resort: a bug must not print a traceback at the user
        log = _write_crash_log(argv)
        where = f"the traceback is in {log}" if log else "the traceback could not be written to the temporary folder"
        print(
            f"{command}: internal error: {one_line(f'{type(exc).__name__}: {exc}', 300)}; {where}; "
            "please report it with that file",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _write_crash_log(argv: Sequence[str]) -> str | None:
    """Write the traceback being handled to a new file in the temporary folder; its path."""
    try:
        handle, path = tempfile.mkstemp(prefix="cchc-nlp-error-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as log:
            log.write(f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} {__version__}\n")
            log.write(f"command: cchc-nlp {' '.join(argv)}\n\n")
            log.write(traceback.format_exc())
    except OSError:
        return None
    return path


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests, notebooks): nothing to flush
        pass
