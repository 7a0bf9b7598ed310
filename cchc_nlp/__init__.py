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

Stages, one module each, data flowing one way: fetch/crawl (polite HTTP, WARC archive)
-> page (HTML or text dump -> Article) -> normalize -> segment -> pipeline (spaCy Doc)
-> tag (entities) -> metrics -> dataset (tables). Charts: `from cchc_nlp import plot`;
HTML report: `cchc_nlp.report`; metric classifier: `cchc_nlp.classifier`.
"""

__version__ = "0.1.0"

from cchc_nlp.archive import TruncatedArchiveError, iter_archived_pages
from cchc_nlp.article import Article
from cchc_nlp.dataset import Dataset, extract
from cchc_nlp.dates import TimeExpression, find_datelines, find_time_expressions, parse_dateline
from cchc_nlp.errors import CchcError, DataError, FetchError, InputError
from cchc_nlp.gazetteer import province, province_for_url
from cchc_nlp.metrics import extract_metrics, number_mentions, unlabelled_mentions
from cchc_nlp.normalize import NormalizedText, fold_diacritics, normalize, normalize_text
from cchc_nlp.numbers import NumberMention, ParsedNumber, find_numbers, format_number, parse_number
from cchc_nlp.page import article_from_html, article_from_text, is_article_page
from cchc_nlp.pipeline import CchcVietnamese, load
from cchc_nlp.segment import split_sentences, tokenize

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
