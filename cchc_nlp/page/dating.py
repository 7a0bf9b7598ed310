"""Publication dates of a page: ISO values of meta tags and JSON-LD, page-chrome datelines
(parsed by `cchc_nlp.text.dates`), the dateline nearest the headline."""

from __future__ import annotations

import re

from cchc_nlp.page.chrome import chrome_rules
from cchc_nlp.page.lines import _TIME_RE, _clean, _strip_bullets
from cchc_nlp.text.dates import parse_dateline
from cchc_nlp.timeutil import iso_datetime

__all__ = []

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
