"""LEGAL_DOC mentions: numbered documents (component "cchc_legal", after "cchc_timex").

"Quyết định số 09/2015/QĐ-TTg", "Nghị quyết số 08-NQ/TU", "Kế hoạch 1173/KH-UBND",
"Báo cáo số 19/BC-TTPVHCC", "Kế hoạch số 222", "Đề án 06". The document type words
come from data/tag/legal_doc_types.csv. A number without a document code ("Kế hoạch 222")
counts only for types marked `bare_number` and not before a unit or time word ("Báo cáo
6 tháng", "Chương trình 2 năm"); a lowercase type word ("theo quyết định số ...") needs
"số" or a coded number. The date written after the number ("ngày 25/3/2015") stays a
DATE entity of its own and is copied into the record.

Record::

    LEGAL_DOC  norm: the number as written ("09/2015/QĐ-TTg")
               attrs: doc_type ("Quyết định"), number, code ("QĐ"), issuer ("TTg"), office
               ("1234/UBND-NC": issuer UBND, office NC),
               year (int, when the number has one), date (ISO, from the DATE after it)
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.resources import read_csv
from cchc_nlp.tag._common import doc_text, emit, phrase_regex, sync_spans

__all__ = ["find_legal_docs", "LegalDocTagger", "parse_doc_number"]

_NUMBER = r"\d{1,5}[a-zđ]?(?:(?:/|-|\.)(?:\d{1,4}|[A-ZĐ][\wĐđ]*)){0,5}"
_NUMBER_RE = re.compile(rf"(?P<so>(?:[Ss]ố|SỐ)\s*:?\s*)?(?P<num>{_NUMBER})(?![\w/])")
_NOT_A_DOC_AFTER = re.compile(
    r"\s*(?:%|(?i:tháng|năm|quý|ngày|tuần|giờ|phút|điểm|lần|bậc|hồ sơ|thủ tục|TTHC|nội dung|nhiệm vụ|tiêu chí|"
    r"lĩnh vực|cấp|đơn vị|xã|huyện|tỉnh|người|cán bộ|văn bản|mục tiêu|giải pháp|dịch vụ)(?!\w))"
)
_YEAR_RE = re.compile(r"^(19[4-9]\d|20\d\d)$")


@cache
def _types() -> dict[str, dict[str, str]]:
    return {row["word"].lower(): row for row in read_csv("tag/legal_doc_types.csv")}


@cache
def _codes() -> frozenset[str]:
    return frozenset(row["code"] for row in read_csv("tag/legal_doc_types.csv") if row["code"])


@cache
def _type_re() -> re.Pattern:
    return phrase_regex([row["word"] for row in read_csv("tag/legal_doc_types.csv")], ignore_case=True, cap_first=False)


def parse_doc_number(number: str) -> dict[str, Any]:
    """Code, issuer and year of a Vietnamese document number.

    >>> parse_doc_number("09/2015/QĐ-TTg")
    {'code': 'QĐ', 'issuer': 'TTg', 'year': 2015}
    >>> parse_doc_number("08-NQ/TU")
    {'code': 'NQ', 'issuer': 'TU'}
    >>> parse_doc_number("1234/UBND-NC")
    {'issuer': 'UBND', 'office': 'NC'}
    >>> parse_doc_number("222")
    {}
    """
    out: dict[str, Any] = {}
    parts = number.split("/")
    lettered = [p for p in parts[1:] if re.search(r"[A-Za-zĐđ]", p)]
    head_code = parts[0].split("-", 1)[1] if "-" in parts[0] else None
    if lettered:
        last = lettered[-1]
        if "-" in last:
            first, second = last.split("-", 1)
            if first in _codes():
                out["code"], out["issuer"] = first, second
            else:  # "1234/UBND-NC": issuer, then its office
                out["issuer"], out["office"] = first, second
        elif head_code:
            out["code"], out["issuer"] = head_code, last
        else:
            out["issuer"] = last
    elif head_code:
        out["code"] = head_code
    for part in parts[1:]:
        if _YEAR_RE.match(part):
            out["year"] = int(part)
    return out


def find_legal_docs(text: str, dates: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """LEGAL_DOC records in a normalized text; `dates`: DATE records to take the issue date from.

    >>> [r["norm"] for r in find_legal_docs("theo Quyết định số 09/2015/QĐ-TTg và Kế hoạch 222 của tỉnh")]
    ['09/2015/QĐ-TTg', '222']
    """
    date_by_start = {d["start"]: d for d in dates or [] if d["label"] == "DATE"}
    types = _types()
    out = []
    for match in _type_re().finditer(text):
        row = types.get(re.sub(r"\s+", " ", match.group()).lower())
        if row is None:
            continue
        gap = re.compile(r"\s+").match(text, match.end())
        if gap is None:
            continue
        number = _NUMBER_RE.match(text, gap.end())
        if number is None:
            continue
        num = number.group("num").rstrip(".-")
        end = number.start("num") + len(num)
        coded = bool(re.search(r"[/-]", num))
        has_so = number.group("so") is not None
        if (
            not has_so
            and not coded
            and (row["bare_number"] != "true" or _YEAR_RE.match(num) or _NOT_A_DOC_AFTER.match(text, end))
        ):
            continue
        if match.group()[0].islower() and not (has_so or coded):
            continue
        attrs: dict[str, Any] = {"doc_type": row["doc_type"], "number": num, **parse_doc_number(num)}
        after = re.compile(r"\s*,?\s*").match(text, end).end()
        issued = date_by_start.get(after)
        if issued is not None:
            attrs["date"] = issued["attrs"].get("start")
        out.append(
            {
                "label": "LEGAL_DOC",
                "start": match.start(),
                "end": end,
                "text": text[match.start() : end],
                "norm": num,
                "attrs": attrs,
            }
        )
    return out


class LegalDocTagger:
    """spaCy component: adds LEGAL_DOC records (reads DATE records of cchc_timex)."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        _type_re()

    def __call__(self, doc: Doc) -> Doc:
        dates = [r for r in doc._.entities or [] if r["label"] == "DATE"]
        emit(doc, find_legal_docs(doc_text(doc), dates))
        sync_spans(doc)
        return doc


@Language.factory("cchc_legal")
def make_legal_doc_tagger(nlp: Language, name: str) -> LegalDocTagger:
    return LegalDocTagger(nlp, name)
