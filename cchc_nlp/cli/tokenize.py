"""`cchc-nlp tokenize FILE`: look at what the text core makes of a file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cchc_nlp.resources import read_user_text
from cchc_nlp.text.pipeline import load

__all__ = ["configure_parser", "run"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a UTF-8 text file ('-' for standard input)")
    parser.add_argument("--pos", action="store_true", help="also print underthesea POS tags (slower)")
    parser.add_argument("--json", action="store_true", help="one JSON object per sentence")


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    return read_user_text(path, "text file", "pass an existing file, or - for standard input")


def run(args: argparse.Namespace) -> int:
    nlp = load(pos=args.pos, components=[])
    doc = nlp(_read(args.file))
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if args.json:
            print(
                json.dumps(
                    {
                        "start": sent.start_char,
                        "end": sent.end_char,
                        "words": [t.text for t in words],
                        "tags": [t.tag_ for t in words] if args.pos else None,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(" | ".join(f"{t.text}/{t.tag_}" if args.pos else t.text for t in words))
    return 0
