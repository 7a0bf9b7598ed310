"""The `cchc-nlp` command line.

Each subcommand is a module of this package (cchc_nlp/cli/<name>.py) that defines
`configure_parser(parser)` and `run(args) -> int`, parses and prints, and leaves the work
to the stage packages. A subcommand's module is imported only when it runs, so
`cchc-nlp --help` and `--version` load no heavy dependency.

Exit codes: 0 success, 1 some documents failed (recorded, see the output), 2 usage
or input errors, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cchc_nlp._version import __version__
from cchc_nlp.errors import CchcError, InputError

__all__ = ["main", "COMMANDS"]

# name -> one-line help; the subcommand is the module cchc_nlp.cli.<name>.
COMMANDS: dict[str, str] = {
    "tokenize": "print the normalized sentences and words of a text file",
    "evaluate": "score entity tagging or metric extraction against the gold sets",
    "extract": "extract articles, entities and metrics from a corpus into tables",
    "report": "write a self-contained HTML report of an extracted dataset",
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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Parse the command name first, then let its module describe its own options.
    known, _ = parser.parse_known_args(argv[:1] if argv and not argv[0].startswith("-") else argv)
    if getattr(known, "command", None) is None:
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(known._module)
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    module.configure_parser(subparsers.choices[known.command])
    args = parser.parse_args(argv)
    try:
        return int(module.run(args) or 0)
    except InputError as exc:
        print(f"cchc-nlp {known.command}: error: {exc}", file=sys.stderr)
        return 2
    except CchcError as exc:
        print(f"cchc-nlp {known.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"cchc-nlp {known.command}: interrupted", file=sys.stderr)
        return 130
