"""`cchc-nlp analyze FILE`: the entities and metrics of one article, as readable tables.

FILE is read the way `cchc-nlp extract` reads it (`cchc_nlp.dataset.readers`): a .txt page
dump is cleaned by `cchc_nlp.page.article_from_text` (one that begins like an HTML page, a
page's source saved as .txt, is read as HTML), an .html/.htm page by the page
extractor (site profiles, chrome rules, metadata), a .jsonl file's first record, a WARC
archive's first article page; a file of another name is sniffed (HTML markup, else a page
dump). The title, publication date, source, URL and province found there go with the text
into the pipeline. `--raw` reads the text as it is; `--published` overrides the date.
`--json` prints {"article": ..., "entities": [...], "metrics": [...]} instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cchc_nlp import page
from cchc_nlp.article import Article
from cchc_nlp.dataset.inputs import find_inputs, input_kind
from cchc_nlp.dataset.readers import DocumentError, iter_items, looks_like_html, to_article
from cchc_nlp.errors import InputError
from cchc_nlp.page.dating import head_dateline
from cchc_nlp.records import province_name_of
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
    ("scope", 8),
    ("level", 5),
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


def _article(path: Path) -> Article:
    """The Article of a file, as `extract` makes it (first document of a multi-document file)."""
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "no such file"
        raise InputError(f"{path}: {state}; give the path of an article file (.txt, .html, .jsonl, .warc.gz)")
    if input_kind(path) is None:  # another extension: HTML markup or a page dump
        payload = path.read_bytes()
        if looks_like_html(payload):
            return page.article_from_html(payload)
        return page.article_from_text(_read(path), path=path)
    for source in find_inputs([path]):
        for item in iter_items(source):
            try:
                article = to_article(item)
            except DocumentError as exc:  # the errors row extract would write, as one line naming the file
                raise InputError(f"{item.label}: {exc}") from None
            if article is not None:
                return article
    raise InputError(f"{path} holds no article (an archive of listing pages?); give one article's file")


def analyze_file(path: str | Path, published: str | None = None, raw: bool = False) -> dict[str, Any]:
    """{"article": {...}, "entities": [...], "metrics": [...]} for one article file."""
    path = Path(path)
    article: dict[str, Any] = {"path": str(path), "title": None, "published": published}
    meta: dict[str, Any] = {"path": str(path)}
    if raw:
        text = _read(path)
        article["published"] = published or head_dateline(text)  # "06:03, 18/03/2020" heading the text
    else:
        parsed = _article(path)
        text = parsed.text
        article.update(
            title=parsed.title,
            published=published or parsed.published,  # as extract gives it: the time too when known
            url=parsed.url,
            source=parsed.source,
            province=parsed.province,
        )
        meta.update(url=parsed.url, source=parsed.source)
    nlp = load()
    doc = nlp.parse(text, published=article["published"], **meta)
    if not raw and not article.get("province"):
        article["province"] = province_name_of(doc._.province)
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
        f"source: {article.get('source') or '-'}  province: {article.get('province') or '-'}",
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
                "scope": row.get("scope"),
                "level": row["scope_level"],
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
