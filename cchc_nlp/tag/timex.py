"""DATE and PERIOD records (component "cchc_timex"): a wrapper of cchc_nlp.text.dates.

Expressions come from `cchc_nlp.text.dates.find_time_expressions(doc.text, anchor)`, where
the anchor is doc._.published, else the page-chrome dateline of the text
(`_common.article_date`), else None. With no anchor, expressions that need one
("ngày 23/12", "tháng 10 vừa qua", "6 tháng đầu năm") are still tagged, with norm and
attrs start/end None; a fully written date ("25/3/2015", "quý IV/2020") keeps its values.
A date inside a legal document number is not a date ("09/2015/QĐ-TTg" is never read).

Records::

    DATE    norm "YYYY-MM-DD"                attrs: start, end (ISO, equal), kind ("day")
    PERIOD  norm "YYYY-MM-DD..YYYY-MM-DD"    attrs: start, end (ISO or None), kind
            (month, quarter, half_year, months_to_date, months, year, year_range,
            range, ytd, horizon; see cchc_nlp.text.dates), anchor (the ISO date relative
            expressions were resolved at; absent when there was none)
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.tag._common import article_date, doc_text, emit, sync_spans
from cchc_nlp.text.dates import find_time_expressions

__all__ = ["find_times", "TimexTagger"]


def find_times(text: str, anchor: str | None) -> list[dict[str, Any]]:
    """DATE/PERIOD records of a normalized text, resolved at `anchor` (ISO date or None)."""
    out = []
    for expr in find_time_expressions(text, anchor):
        start = expr.start_date.isoformat() if expr.start_date else None
        end = expr.end_date.isoformat() if expr.end_date else None
        out.append(
            {
                "label": expr.label,
                "start": expr.start,
                "end": expr.end,
                "text": expr.text,
                "norm": expr.norm,
                "attrs": {"start": start, "end": end, "kind": expr.kind, "anchor": anchor},
            }
        )
    return out


class TimexTagger:
    """spaCy component: adds DATE and PERIOD records."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        emit(doc, find_times(doc_text(doc), article_date(doc)))
        sync_spans(doc)
        return doc


@Language.factory("cchc_timex")
def make_timex_tagger(nlp: Language, name: str) -> TimexTagger:
    return TimexTagger(nlp, name)
