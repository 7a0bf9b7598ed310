"""cchc_nlp: Vietnamese administrative-reform (CCHC) news into research data.

Quick start::

    import cchc_nlp as cc
    nlp = cc.load()
    doc = nlp.parse("Sáng ngày 23/12, Ban Chỉ đạo CCHC tỉnh tổ chức hội nghị ...",
                    published="2016-12-26")
    [s.text for s in doc.sents]

A corpus into tables (pandas DataFrames, also written as Parquet)::

    ds = cc.extract(["corpus/samples"], jobs=2, out="out/")
    ds.articles, ds.entities, ds.metrics, ds.errors
    ds.wide("dossier.on_time_or_early", period="year")

One article's figures::

    cc.extract_metrics("Năm 2016, tỉnh đã đơn giản hóa 1132/1937 thủ tục (đạt 57,41%).")

Subpackages by stage, data flowing one way: ingest and crawl (URLs, polite HTTP, WARC
archive) -> page (HTML or text dump -> Article) -> text (normalize, segment, numbers,
dates; the spaCy pipeline) -> tag (entities) -> metrics -> dataset (tables); research
(gold sets, evaluations, classifier training, charts, HTML report) and cli on top.
Charts and report: `from cchc_nlp import plot, report`.

The names below are imported on first use (module `__getattr__`), so `import cchc_nlp`
and `cchc-nlp --version` load none of the heavy dependencies (spaCy, pandas, pyarrow...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cchc_nlp._version import __version__

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from cchc_nlp.article import Article
    from cchc_nlp.dataset import Dataset, extract
    from cchc_nlp.errors import CchcError, DataError, FetchError, InputError
    from cchc_nlp.ingest.archive import TruncatedArchiveError, iter_archived_pages
    from cchc_nlp.metrics import extract_metrics, number_mentions, unlabelled_mentions
    from cchc_nlp.page import article_from_html, article_from_text, is_article_page
    from cchc_nlp.tag.gazetteer import province, province_for_url
    from cchc_nlp.text.dates import TimeExpression, find_datelines, find_time_expressions, parse_dateline
    from cchc_nlp.text.normalize import NormalizedText, fold_diacritics, normalize, normalize_text
    from cchc_nlp.text.numbers import NumberMention, ParsedNumber, find_numbers, format_number, parse_number
    from cchc_nlp.text.pipeline import CchcVietnamese, load
    from cchc_nlp.text.segment import split_sentences, tokenize

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("TruncatedArchiveError", "iter_archived_pages"), "cchc_nlp.ingest.archive"),
    "Article": "cchc_nlp.article",
    **dict.fromkeys(("Dataset", "extract"), "cchc_nlp.dataset"),
    **dict.fromkeys(
        ("TimeExpression", "find_datelines", "find_time_expressions", "parse_dateline"), "cchc_nlp.text.dates"
    ),
    **dict.fromkeys(("CchcError", "DataError", "FetchError", "InputError"), "cchc_nlp.errors"),
    **dict.fromkeys(("province", "province_for_url"), "cchc_nlp.tag.gazetteer"),
    **dict.fromkeys(("extract_metrics", "number_mentions", "unlabelled_mentions"), "cchc_nlp.metrics"),
    **dict.fromkeys(
        ("NumberMention", "ParsedNumber", "find_numbers", "format_number", "parse_number"), "cchc_nlp.text.numbers"
    ),
    **dict.fromkeys(("article_from_html", "article_from_text", "is_article_page"), "cchc_nlp.page"),
    **dict.fromkeys(("NormalizedText", "fold_diacritics", "normalize", "normalize_text"), "cchc_nlp.text.normalize"),
    **dict.fromkeys(("CchcVietnamese", "load"), "cchc_nlp.text.pipeline"),
    **dict.fromkeys(("split_sentences", "tokenize"), "cchc_nlp.text.segment"),
}


# `from cchc_nlp import plot, report` (the charts and the HTML report, in research/)
_MODULES = {"plot": "cchc_nlp.research.plot", "report": "cchc_nlp.research.report"}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access (PEP 562) and keep the value."""
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'cchc_nlp' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "__version__",
    # the dataset
    "extract",
    "Dataset",
    # errors
    "CchcError",
    "DataError",
    "FetchError",
    "InputError",
    # text core
    "NormalizedText",
    "normalize",
    "normalize_text",
    "fold_diacritics",
    "split_sentences",
    "tokenize",
    "CchcVietnamese",
    "load",
    # numbers and dates
    "ParsedNumber",
    "NumberMention",
    "parse_number",
    "format_number",
    "find_numbers",
    "TimeExpression",
    "find_time_expressions",
    "parse_dateline",
    "find_datelines",
    # entities and metrics
    "province",
    "province_for_url",
    "extract_metrics",
    "number_mentions",
    "unlabelled_mentions",
    # pages and archives
    "Article",
    "article_from_html",
    "article_from_text",
    "is_article_page",
    "iter_archived_pages",
    "TruncatedArchiveError",
]
