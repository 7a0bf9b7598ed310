"""Publication dates of a page: ISO values of meta tags and JSON-LD, page-chrome datelines
(parsed by `cchc_nlp.text.dates`), the dateline nearest the headline."""

from __future__ import annotations

import re

from cchc_nlp.page.chrome import chrome_rules
from cchc_nlp.page.lines import _TIME_RE, _clean, _fold, _strip_bullets
from cchc_nlp.text.dates import parse_dateline
from cchc_nlp.timeutil import iso_datetime

__all__ = ["head_dateline"]

_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _parse_iso(value: str) -> str | None:
    """An ISO 8601 date or time as `iso_datetime` writes it; None for anything else."""
    value = value.strip()
    if not _ISO_RE.match(value):
        return None
    try:
        return iso_datetime(value)
    except ValueError:
        return None


def _parse_dateline(text: str) -> str | None:
    """A chrome date ("Thứ năm 20/08/2020 16:00") as ISO, via cchc_nlp.text.dates."""
    text = _clean(text)
    if not text:
        return None
    iso = _parse_iso(text)
    if iso:
        return iso
    moment = parse_dateline(text)
    if moment is None:
        return None
    return iso_datetime(moment if _TIME_RE.search(text) else moment.date())


_DATELINE_MAX_CHARS = 70


def _dateline_of(line: str) -> str | None:
    """The date of a line that is only a dateline (weekday, date, time, GMT, 'Cập nhật'; a view
    counter next to it, "1.254 lượt xem", is set aside)."""
    core = _strip_bullets(chrome_rules().inline_counters.sub(" ", line)).strip(" |-–")
    if not core or len(core) > _DATELINE_MAX_CHARS or core.endswith(".") or not re.search(r"\d", core):
        return None
    return _parse_dateline(core)


def _nearest_dateline(lines: list[str], title_index: int, before: int = 4, after: int = 8) -> str | None:
    """The dateline nearest the headline; ties go to the one after it. Above the headline, a date
    without a time of day counts only right above it: further up, a bare "Chủ nhật, 06/12/2026"
    is the header clock."""
    best: tuple[int, int, str] | None = None
    low, high = max(0, title_index - before), min(len(lines), title_index + after + 1)
    for i in range(low, high):
        if i == title_index:
            continue
        iso = _dateline_of(lines[i])
        if iso is None or i < title_index - 1 and "T" not in iso:
            continue
        rank = (abs(i - title_index), 0 if i > title_index else 1)
        if best is None or rank < best[:2]:
            best = (*rank, iso)
    return best[2] if best else None


def _safe_dateline(value: str) -> str | None:
    try:
        return _parse_dateline(value)
    except ImportError:
        return None


HEAD_LINES = 6  # a dateline further down than this is in the body ("Ngày 02/7/2018, ...")
_BODY_LINE_CHARS = 200  # a line this long is a body paragraph: the head is over


def head_dateline(text: str, title: str | None = None) -> str | None:
    """The publication date written at the head of a text, ISO (a date, or a time with +07:00).

    A dateline on a line of its own ("06:03, 18/03/2020", "Thứ Hai, 12/10/2026 | 14:20",
    "29/09/2021") among the first lines, before the first body paragraph; the one nearest
    the title when the title is one of the lines (the visit-time clock above it loses).

    >>> head_dateline("Tiêu đề bài viết\\n06:03, 18/03/2020\\nNội dung bài viết.")
    '2020-03-18T06:03:00+07:00'
    >>> head_dateline("Ngày 02/7/2018, Sở Nội vụ tỉnh tổ chức hội nghị sơ kết công tác năm.") is None
    True
    """
    lines = []
    for line in text.splitlines():
        line = _clean(line)
        if not line:
            continue
        if len(line) > _BODY_LINE_CHARS or len(lines) >= HEAD_LINES:
            break
        lines.append(line)
    if title:
        index = next((i for i, line in enumerate(lines) if _fold(line) == _fold(title)), None)
        if index is not None:
            return _nearest_dateline(lines, index)
    return next((iso for iso in map(_dateline_of, lines) if iso), None)
