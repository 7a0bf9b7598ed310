"""`cchc-nlp analyze FILE`: the entities and metrics of one article, as readable tables.

FILE is a text file: a page dump (chrome lines, a dateline, a byline) is cleaned with
`cchc_nlp.page.article_from_text`, which also finds the publication date; `--raw` reads
the text as it is. `--published` overrides the date. Entities are whatever the tagging
components of the default pipeline produce; metrics come from "cchc_metrics".
`--json` prints {"article": ..., "entities": [...], "metrics": [...]} instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cchc_nlp.errors import InputError
from cchc_nlp.page import article_from_text
from cchc_nlp.text.pipeline import load

__all__ = ["configure_parser", "run", "analyze_file", "format_tables"]

_METRIC_FIELDS = (
    ("metric", 26),
    ("value", 10),
    ("unit", 7),
    ("denominator", 6),
    ("share", 6),
    ("qualifier", 11),
    ("target", 6),
    ("period", 23),
    ("subject", 22),
    ("scope", 5),
    ("conf", 4),
)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a text file: one article (a page dump or plain text)")
    parser.add_argument("--published", metavar="YYYY-MM-DD", help="publication date (default: found in the page dump)")
    parser.add_argument("--raw", action="store_true", help="use the text as it is, without cleaning page chrome")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def _read(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a text file")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; convert it (e.g. iconv -f windows-1258) first") from None


def analyze_file(path: str | Path, published: str | None = None, raw: bool = False) -> dict[str, Any]:
    """{"article": {...}, "entities": [...], "metrics": [...]} for one text file."""
    path = Path(path)
    text = _read(path)
    article: dict[str, Any] = {"path": str(path), "title": None, "published": published}
    if not raw:
        parsed = article_from_text(text, path=path)
        text = parsed.text
        article["title"] = parsed.title
        article["published"] = published or (parsed.published[:10] if parsed.published else None)
    nlp = load()
    doc = nlp.parse(text, published=article["published"], path=str(path))
    entities = sorted(doc._.entities or [], key=lambda r: (r["start"], -r["end"]))
    return {"article": article, "entities": entities, "metrics": list(doc._.metrics or [])}


def _cell(value: Any, width: int) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _period(row: dict[str, Any]) -> str | None:
    if row.get("period_start") is None and row.get("period_end") is None:
        return None
    return f"{row.get('period_start') or '…'}..{row.get('period_end') or '…'}"


def format_tables(result: dict[str, Any]) -> str:
    """The entities and metrics of `analyze_file` as plain-text tables."""
    article = result["article"]
    lines = [
        f"{article['path']}",
        f"title: {article.get('title') or '-'}",
        f"published: {article.get('published') or '-'}",
        "",
    ]
    entities = result["entities"]
    lines.append(f"ENTITIES ({len(entities)})")
    if entities:
        lines.append(f"  {'label':<10} {'text':<40} norm")
        for e in entities:
            lines.append(f"  {e['label']:<10} {_cell(e['text'], 40):<40} {_cell(e.get('norm'), 40)}")
    lines.append("")
    metrics = result["metrics"]
    lines.append(f"METRICS ({len(metrics)})")
    if metrics:
        lines.append("  " + " ".join(f"{name:<{width}}" for name, width in _METRIC_FIELDS))
        for row in metrics:
            values = {
                "metric": row["metric"],
                "value": row["value"],
                "unit": row["unit"],
                "denominator": row["denominator"],
                "share": row["share"],
                "qualifier": row["qualifier"],
                "target": row["is_target"],
                "period": _period(row),
                "subject": row["subject"],
                "scope": row["scope_level"],
                "conf": row["confidence"],
            }
            lines.append("  " + " ".join(f"{_cell(values[name], width):<{width}}" for name, width in _METRIC_FIELDS))
            for warning in row.get("warnings") or ():
                lines.append(f"      ! {warning}")
            lines.append(f"      « {_cell(row['sentence'], 110)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    result = analyze_file(args.file, published=args.published, raw=args.raw)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        print(format_tables(result))
    return 0
