"""`cchc-nlp evaluate entities|metrics`: score the taggers against the gold sets."""

from __future__ import annotations

import argparse
import importlib

__all__ = ["configure_parser", "run"]

# task -> module providing configure_parser(parser) and run(args) for that evaluation
TASKS = {
    "entities": "cchc_nlp.research.entities_eval",
    "metrics": "cchc_nlp.research.metrics_eval",
}


def configure_parser(parser: argparse.ArgumentParser) -> None:
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    for task, module in TASKS.items():
        sub = tasks.add_parser(task, help=f"precision, recall and F1 of the {task} against the gold set")
        importlib.import_module(module).configure_parser(sub)
        sub.set_defaults(_task_module=module)


def run(args: argparse.Namespace) -> int:
    return importlib.import_module(args._task_module).run(args)
