"""cchc_nlp: Vietnamese administrative-reform (CCHC) news into research data.

Quick start::

    import cchc_nlp as cc
    nlp = cc.load()
    doc = nlp.parse("Sáng ngày 23/12, Ban Chỉ đạo CCHC tỉnh tổ chức hội nghị ...",
                    published="2016-12-26")
    [s.text for s in doc.sents]

Stages, one module each: fetch/crawl -> page (HTML or text dump -> Article) ->
normalize -> segment -> pipeline (spaCy Doc) -> tag (entities) -> metrics -> dataset.
"""

__version__ = "0.1.0"

from cchc_nlp.dates import TimeExpression, find_datelines, find_time_expressions, parse_dateline
from cchc_nlp.errors import CchcError, DataError, FetchError, InputError
from cchc_nlp.normalize import NormalizedText, fold_diacritics, normalize, normalize_text
from cchc_nlp.numbers import NumberMention, ParsedNumber, find_numbers, format_number, parse_number
from cchc_nlp.pipeline import CchcVietnamese, load
from cchc_nlp.segment import split_sentences, tokenize

__all__ = [
    "__version__",
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
]
