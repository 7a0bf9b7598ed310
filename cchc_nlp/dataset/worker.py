"""The work of one task: page extraction, the pipeline and table rows of a list of documents.

It runs in this process or a worker process (`cchc_nlp.dataset.engines`); each process
loads the pipeline once, on its first task (forked workers inherit it from the main
process, which loads it before starting them).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from cchc_nlp.dataset.readers import DocumentError, RawItem, to_article
from cchc_nlp.dataset.tables import (
    TABLES,
    article_row,
    entity_rows,
    error_row,
    metric_rows,
    to_table,
)
from cchc_nlp.errors import CchcError, one_line
from cchc_nlp.records import entities, metrics

try:
    import resource
except ImportError:  # not on Windows
    resource = None

__all__ = ["pipeline", "process_items", "cpu_seconds", "peak_rss_mb", "no_collections"]


_NLP = None

# Parsed once after loading, so that the first article does not pay for the lazily loaded
# parts (underthesea's CRF model, caches of the components).
_WARM_UP = "Ngày 02/7/2018, UBND tỉnh Vĩnh Long đã tiếp nhận 1.234 hồ sơ, đạt 98,5%."


@contextlib.contextmanager
def no_collections() -> Iterator[None]:
    """No garbage collection inside: loading allocates about a million long-lived objects
    and little garbage, and each full collection would walk all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pipeline():
    """The pipeline of this process, loaded on first use (once per process).

    Loaded and warmed up without garbage collection, then frozen (`gc.freeze`): the
    pipeline's data lives as long as the process, so later collections, the one at exit
    included, skip it, and forked workers do not copy its pages by collecting them.
    """
    global _NLP
    if _NLP is None:
        from cchc_nlp.text.pipeline import load  # spaCy and underthesea load where documents are processed

        with no_collections():
            try:
                nlp = load()
                nlp.parse(_WARM_UP, published="2018-07-04")
            except CchcError:
                raise
            except Exception as exc:  # a broken component stops the run with one clear line
                raise CchcError(
                    f"the pipeline cannot be loaded ({type(exc).__name__}: {exc}); check the components in "
                    "cchc_nlp.text.pipeline.DEFAULT_COMPONENTS"
                ) from exc
        gc.freeze()
        _NLP = nlp
    return _NLP


def process_items(items: list[RawItem]) -> dict[str, Any]:
    """Page extraction, pipeline and table rows for a list of documents.

    Returns {"tables": {table: pyarrow.Table with the internal columns}, "skipped":
    {input: number of archived pages that are not articles}}. A document that fails is an
    errors row; only a pipeline that cannot be loaded raises.
    """
    nlp = pipeline() if items else None
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    skipped: dict[str, int] = defaultdict(int)
    for item in items:
        where = {"_input": item.input, "_key": item.key, "_item": item.index}
        try:
            article = to_article(item)
        except DocumentError as exc:
            rows["errors"].append(_failure(item, exc.stage, exc))
            continue
        except Exception as exc:  # a page the extractor chokes on is one failed document, not a failed run
            rows["errors"].append(_failure(item, "record" if item.kind == "jsonl" else "page", exc))
            continue
        if article is None:
            skipped[item.input] += 1
            continue
        try:
            published = article.published[:10] if article.published else None
            doc = nlp.parse(
                article.text, published=published, url=article.url, source=article.source, doc_id=article.doc_id
            )
            entity_records = entity_rows(article.doc_id, entities(doc), published=published)
            metric_records = metric_rows(article.doc_id, metrics(doc))
            captions, caption_records = _caption_entities(nlp, article, published, entity_records)
            entity_records += caption_records
            article_record = article_row(
                article,
                doc,
                len(entity_records),
                len(metric_records),
                from_input=item.kind == "jsonl",
                captions=captions,
            )
        except Exception as exc:  # a document the pipeline fails on is recorded, the others go on
            rows["errors"].append(_failure(item, "nlp", exc, article.doc_id))
            continue
        rows["articles"].append({**article_record, **where})
        rows["entities"].extend({**r, **where} for r in entity_records)
        rows["metrics"].extend({**r, **where} for r in metric_records)
    return {
        "tables": {table: to_table(table, rows[table]) for table in TABLES},
        "skipped": dict(skipped),
        "pid": os.getpid(),
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": cpu_seconds(),
    }


def _caption_entities(
    nlp: Any, article: Any, published: str | None, body_rows: list[dict[str, Any]]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The normalized captions of an article and the entities-table rows of what they name (section caption).

    The captions are parsed as one text, one caption per line, with the article's date and
    site; offsets refer to that text ("\n".join of the captions column). A person also named
    in the body keeps the body's person_id; others get ids "c1", "c2"... of their own.
    """
    lines = [caption for caption in (article.captions or []) if caption and caption.strip()]
    if not lines:
        return [], []
    doc = nlp.parse("\n".join(lines), published=published, url=article.url, source=article.source)
    records = entities(doc)
    known = {row["name"]: row["person_id"] for row in body_rows if row.get("person_id") and row.get("name")}
    ids: dict[str, str] = {}
    for record in records:
        attrs = record.get("attrs") or {}
        person = attrs.get("person_id")
        if person:
            name = attrs.get("name") or record.get("norm")
            attrs["person_id"] = known.get(name) or ids.setdefault(person, f"c{len(ids) + 1}")
    return doc.text.split("\n"), entity_rows(article.doc_id, records, section="caption", published=published)


def _failure(item: RawItem, stage: str, exc: BaseException, doc_id: str | None = None) -> dict[str, Any]:
    """The errors row of a document that failed at `stage`."""
    kind = item.error[1] if item.error else "InputError" if isinstance(exc, DocumentError) else type(exc).__name__
    if isinstance(exc, RecursionError):  # a last resort: the page readers walk trees without recursion
        message = (
            "the document is nested too deeply for the page extractor (RecursionError); fix its markup, or add a "
            "site profile for its site"
        )
    else:
        message = one_line(exc if isinstance(exc, CchcError) else f"{type(exc).__name__}: {exc}")
    where = {"_input": item.input, "_key": item.key, "_item": item.index}
    return {**error_row(item.label, item.input_path, stage, kind, message, doc_id), **where}


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    times = os.times()
    return times.user + times.system


def peak_rss_mb() -> float | None:
    """Peak resident memory of this process in MB (None where the OS does not tell)."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)
