"""`cchc-nlp report DIR --out report.html`: a self-contained HTML report of an extracted dataset."""

from __future__ import annotations

import argparse

from cchc_nlp.research import report

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="a dataset folder written by `cchc-nlp extract`")
    parser.add_argument("--out", default="report.html", help="HTML file to write (default: report.html)")
    parser.add_argument("--title", default="Báo cáo dữ liệu CCHC", help="report heading")


def run(args: argparse.Namespace) -> int:
    dataset = report.load_dataset(args.directory)
    path = report.write_report(dataset, args.out, title=args.title, source=str(args.directory))
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
