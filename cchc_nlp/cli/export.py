"""`cchc-nlp export DIR --format stata|r [--out FOLDER]`: the tables of an extracted dataset and
its yearly panel for Stata or R, with a codebook (`cchc_nlp.dataset.export`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cchc_nlp.dataset.export import EXPORT_FORMATS, export
from cchc_nlp.research.report import load_dataset

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="a dataset folder written by `cchc-nlp extract`")
    parser.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="stata (.dta) or r (CSV + load.R)")
    parser.add_argument("--out", type=Path, help="folder to write (default: DIR/export-stata or DIR/export-r)")


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.directory)
    out = args.out or Path(args.directory) / f"export-{args.format}"
    written = export(dataset, out, args.format)
    print(f"wrote {len(written)} files to {out}: {', '.join(p.name for p in written)}")
    return 0
