"""Dates and reporting periods in Vietnamese CCHC news, and page-chrome datelines.

`find_time_expressions(text, published)` finds event dates (DATE: "ngày 23/12",
"13/10/2020", "29-5") and periods (PERIOD: "6 tháng đầu năm 2018", "quý IV/2020",
"tháng 10 vừa qua", "năm 2016", "giai đoạn 2016 - 2020", "từ ngày 1/1 - 18/8/2020",
"Từ đầu năm đến nay", "đến hết năm 2025") with exact offsets and resolved calendar
bounds. Day/month order is always D/M(/Y) (docs/domain.md §1.4).

A missing year is inferred from the publication date only, never from today:

* a day/month (or a month, a quarter) takes the latest year that does not put it
  more than `FUTURE_MARGIN_DAYS` after publication, so December events in a January
  article fall in the previous year and "3/1" in a late-December article in the next;
* "tháng 10 vừa qua" takes the latest year whose October has started by publication;
* "6 tháng đầu năm", "năm nay" take the publication year; "năm trước/ngoái" the one before;
* a range's start without a year takes the end's year, or the year before when its
  month/day comes after the end's.

With `published=None`, expressions that need an anchor are still returned (text,
label, kind) with start_date and end_date None.

Target horizons ("đến năm 2020", "đến hết năm 2025") are PERIODs of kind "horizon"
ending on 31 December of that year and starting on the publication date (None
without one): the text says "from now until then", and now is the publication date.

`parse_dateline` / `find_datelines` read page-chrome timestamps ("Thứ Ba, 19/02/2019
4:49:58 CH", "06:03, 18/03/2020", "2024-03-01T08:00:00+07:00") as naive datetimes in
Vietnam local time.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache

from cchc_nlp.resources import read_csv
from cchc_nlp.timeutil import VN_TZ, to_date

__all__ = [
    "TimeExpression",
    "find_time_expressions",
    "parse_dateline",
    "find_datelines",
    "resolve_day",
    "resolve_month",
    "resolve_quarter",
    "month_bounds",
    "quarter_bounds",
    "FUTURE_MARGIN_DAYS",
]

# How far after the publication date an inferred date may fall (plans, next events).
FUTURE_MARGIN_DAYS = 62


@dataclass(frozen=True)
class TimeExpression:
    """A date or period mention; `text[start:end] == self.text` in the searched text.

    label: "DATE" (start_date == end_date) or "PERIOD". kind: day, month, quarter,
    half_year, months_to_date, months, year, year_range, range, ytd, horizon.
    start_date/end_date are None when the expression needs a publication date that was
    not given (or, for a horizon, start_date without one).
    """

    start: int
    end: int
    label: str
    kind: str
    text: str
    start_date: date | None = None
    end_date: date | None = None

    @property
    def norm(self) -> str | None:
        """Gold-format normalization: "YYYY-MM-DD" (DATE) or "YYYY-MM-DD..YYYY-MM-DD"."""
        if self.start_date is None or self.end_date is None:
            return None
        if self.label == "DATE":
            return self.start_date.isoformat()
        return f"{self.start_date.isoformat()}..{self.end_date.isoformat()}"


# --------------------------------------------------------------------------- helpers


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of quarter 1-4."""
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), month_bounds(year, first + 2)[1]


def _latest_year(published: date, build) -> int | None:
    """The latest year among published.year+1 .. -1 whose `build(year)` start is not
    more than FUTURE_MARGIN_DAYS after publication."""
    limit = published + timedelta(days=FUTURE_MARGIN_DAYS)
    for year in (published.year + 1, published.year, published.year - 1):
        start = build(year)
        if start is not None and start <= limit:
            return year
    return None


def resolve_day(day: int, month: int, published: date | None) -> date | None:
    """A day/month without a year, anchored on the publication date (None without one)."""
    if published is None:
        return None
    year = _latest_year(published, lambda y: _safe_date(y, month, day))
    return _safe_date(year, month, day) if year is not None else None


def resolve_month(month: int, published: date | None, past: bool = False) -> tuple[date, date] | None:
    """Bounds of a month without a year; past=True ("vừa qua") means begun by publication."""
    if published is None or not 1 <= month <= 12:
        return None
    if past:
        year = published.year if month <= published.month else published.year - 1
    else:
        year = _latest_year(published, lambda y: date(y, month, 1))
    return month_bounds(year, month)


def resolve_quarter(quarter: int, published: date | None, past: bool = False) -> tuple[date, date] | None:
    """Bounds of a quarter without a year, anchored on the publication date."""
    if published is None or not 1 <= quarter <= 4:
        return None
    if past:
        year = published.year if quarter_bounds(published.year, quarter)[0] <= published else published.year - 1
    else:
        year = _latest_year(published, lambda y: quarter_bounds(y, quarter)[0])
    return quarter_bounds(year, quarter)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# --------------------------------------------------------------------------- regexes


@cache
def _time_words() -> dict[str, tuple[str, ...]]:
    roles: dict[str, list[str]] = {}
    for row in read_csv("text/time_words.csv"):
        roles.setdefault(row["role"], []).append(" ".join(row["phrase"].split()))
    return {role: tuple(phrases) for role, phrases in roles.items()}


def _w(role: str) -> str:
    """The phrases of one role of data/text/time_words.csv as a word-bounded alternation."""
    phrases = sorted(_time_words().get(role, ()), key=lambda p: (-len(p), p))
    body = "|".join(r"\s+".join(re.escape(part) for part in p.split()) for p in phrases)
    return f"(?:{body})(?!\\w)"


_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:19|20)\d{2}"
_NB_L = r"(?<![\w/.,-])"  # not glued on the left to a number or a code
_NB_R = r"(?![\w/]|[.,-]\d)"
_SEP = rf"\s*(?:-|–|{_w('range_sep')})\s*"
_DAY = _w("day_prefix")
_THIS_OR_PREV = rf"(?P<rel>{_w('this_year')}|{_w('previous_year')})"
_YEAR_TAIL = rf"(?:\s*[/-]?\s*(?P<y>{_Y})(?!\d)|\s+{_THIS_OR_PREV})?"


def _dmy(tag: str, year: str = "opt", seps: str = "/.-") -> str:
    """d SEP m [SEP y] with named groups d<tag>, s<tag>, m<tag>, y<tag>; one separator kind."""
    cls = re.escape(seps)
    y_part = rf"(?P=s{tag})(?P<y{tag}>{_Y})"
    tail = {"req": y_part, "none": ""}.get(year, f"(?:{y_part})?")
    return rf"(?P<d{tag}>{_D})(?P<s{tag}>[{cls}])(?P<m{tag}>{_M}){tail}"


_RANGE_RE = re.compile(
    rf"(?<!\w)(?:{_w('range_start')}\s+)?(?:{_DAY}\s+)?{_NB_L}{_dmy('1', seps='/.')}"
    rf"{_SEP}(?:{_DAY}\s+)?{_dmy('2', seps='/.-')}{_NB_R}",
    re.IGNORECASE,
)
_MONTH_RANGE_RE = re.compile(
    rf"(?<!\w){_w('range_start')}\s+tháng\s+(?P<m1>{_M})(?:\s*[/-]\s*(?P<y1>{_Y})|\s+năm\s+(?P<y1b>{_Y}))?"
    rf"{_SEP}(?:{_w('horizon_modifier')}\s+)?(?:tháng\s+)?(?P<m2>{_M})"
    rf"(?:\s*[/-]\s*(?P<y2>{_Y})|\s+năm\s+(?P<y2b>{_Y}))?(?!\d)",
    re.IGNORECASE,
)
_YTD_RE = re.compile(
    rf"(?<!\w)(?:{_w('range_start')}\s+)?{_w('first_part')}\s+năm(?:\s+(?P<y>{_Y})|\s+{_w('this_year')})?"
    rf"\s+{_w('range_sep')}\s+{_w('now')}",
    re.IGNORECASE,
)
_SINCE_YEAR_RE = re.compile(
    rf"(?<!\w){_w('range_start')}\s+năm\s+(?P<y>{_Y})\s+{_w('range_sep')}\s+{_w('now')}", re.IGNORECASE
)
_DAY_WORD_RE = re.compile(
    rf"(?<!\w){_DAY}\s+(?:{_dmy('', seps='/.-')}|(?P<dw>{_D})\s+tháng\s+(?P<mw>{_M})(?:\s+năm\s+(?P<yw>{_Y}))?){_NB_R}",
    re.IGNORECASE,
)
_FULL_DATE_RE = re.compile(rf"{_NB_L}{_dmy('', year='req', seps='/.-')}{_NB_R}")
_CUED_DATE_RE = re.compile(
    rf"(?<!\w){_w('date_cue')}\s*,?\s+(?P<date>{_dmy('', year='none', seps='/-')}){_NB_R}",
    re.IGNORECASE,
)
_MONTHS_RE = re.compile(
    rf"(?<![\w.,])(?P<n>\d{{1,2}})\s+tháng\s+(?:(?P<pos>{_w('first_part')}|{_w('last_part')})\s+)?năm{_YEAR_TAIL}",
    re.IGNORECASE,
)
_HALF_RE = re.compile(
    rf"(?<!\w){_w('half')}\s+(?P<pos>{_w('first_part')}|{_w('last_part')})\s+năm{_YEAR_TAIL}",
    re.IGNORECASE,
)
_QUARTER_RE = re.compile(
    rf"(?<!\w)quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?!\w)"
    rf"(?:\s*[/-]\s*(?P<y>{_Y})(?!\d)|\s+năm\s+(?P<y2>{_Y})(?!\d)|\s+năm\s+{_THIS_OR_PREV}"
    rf"|\s+(?P<past>{_w('past')}))?",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(
    rf"(?<!\w)tháng\s+(?P<m>{_M})(?![\d.,]\d|\d)"
    rf"(?:\s*[/-]\s*(?P<y>{_Y})(?!\d)|\s+năm\s+(?P<y2>{_Y})(?!\d)|\s+năm\s+{_THIS_OR_PREV}"
    rf"|\s+(?P<past>{_w('past')}|{_w('past_month')}))?",
    re.IGNORECASE,
)
_YEAR_RANGE_RE = re.compile(
    rf"(?:(?<!\w)(?P<cue>{_w('year_range_cue')})\s+)?(?<![\w.,])(?P<y1>{_Y})"
    rf"{_SEP}(?:năm\s+)?(?P<y2>{_Y})(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
_HORIZON_RE = re.compile(
    rf"(?<!\w){_w('horizon_cue')}\s+(?:{_w('horizon_modifier')}\s+)?năm\s+(?P<y>{_Y})(?!\d)", re.IGNORECASE
)
_YEAR_RE = re.compile(rf"(?<!\w)năm\s+(?:(?P<y>{_Y})(?![\d]|[.,]\d)|{_THIS_OR_PREV})", re.IGNORECASE)
_PREVIOUS_YEAR_WORDS = frozenset(_time_words().get("previous_year", ()))


# --------------------------------------------------------------------------- finder


@dataclass
class _Candidate:
    start: int
    end: int
    label: str
    kind: str
    start_date: date | None
    end_date: date | None


def _rel_year(rel: str | None, published: date | None) -> int | None:
    if published is None:
        return None
    rel = " ".join((rel or "").lower().split())
    return published.year - 1 if rel in _PREVIOUS_YEAR_WORDS else published.year


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _range_candidate(m: re.Match, published: date | None) -> _Candidate | None:
    d1, m1, y1 = int(m["d1"]), int(m["m1"]), _int(m["y1"])
    d2, m2, y2 = int(m["d2"]), int(m["m2"]), _int(m["y2"])
    has_cue = m.start("d1") > m.start()  # "từ" / "ngày" before the first date
    if y2 is None and y1 is None and not has_cue:
        return None  # "5/9 - 7/9" without a cue or a year: not clearly dates
    if m["s2"] == "-" and y2 is None:
        return None
    end = _safe_date(y2, m2, d2) if y2 else None
    if y2 is None and y1 is not None:
        end = _safe_date(y1, m2, d2)
        if end is not None and (m2, d2) < (m1, d1):
            end = _safe_date(y1 + 1, m2, d2)
    elif y2 is None:
        end = resolve_day(d2, m2, published)
    start = None
    if y1 is not None:
        start = _safe_date(y1, m1, d1)
    elif end is not None:
        year = end.year if (m1, d1) <= (m2, d2) else end.year - 1
        start = _safe_date(year, m1, d1)
    if (y1 and _safe_date(y1, m1, d1) is None) or (y2 and _safe_date(y2, m2, d2) is None):
        return None
    if start is not None and end is not None and start > end:
        return None
    return _Candidate(m.start(), m.end(), "PERIOD", "range", start, end)


def _candidates(text: str, published: date | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    add = out.append

    for m in _RANGE_RE.finditer(text):
        cand = _range_candidate(m, published)
        if cand:
            add(cand)

    for m in _MONTH_RANGE_RE.finditer(text):
        m1, m2 = int(m["m1"]), int(m["m2"])
        y2 = _int(m["y2"] or m["y2b"])
        y1 = _int(m["y1"] or m["y1b"])
        if y2 is None and y1 is not None:
            y2 = y1 if m2 >= m1 else y1 + 1
        if y2 is None:
            bounds = resolve_month(m2, published)
            y2 = bounds[0].year if bounds else None
        if y1 is None and y2 is not None:
            y1 = y2 if m1 <= m2 else y2 - 1
        start = month_bounds(y1, m1)[0] if y1 else None
        end = month_bounds(y2, m2)[1] if y2 else None
        add(_Candidate(m.start(), m.end(), "PERIOD", "range", start, end))

    for m in _YTD_RE.finditer(text):
        year = _int(m["y"]) or (published.year if published else None)
        start = date(year, 1, 1) if year else None
        add(_Candidate(m.start(), m.end(), "PERIOD", "ytd", start, published))

    for m in _SINCE_YEAR_RE.finditer(text):
        add(_Candidate(m.start(), m.end(), "PERIOD", "range", date(int(m["y"]), 1, 1), published))

    for m in _DAY_WORD_RE.finditer(text):
        if m["d"]:
            d, mo, y = int(m["d"]), int(m["m"]), _int(m["y"])
        else:
            d, mo, y = int(m["dw"]), int(m["mw"]), _int(m["yw"])
        day = _safe_date(y, mo, d) if y else resolve_day(d, mo, published)
        if y and day is None:
            continue
        if y is None and published is not None and day is None:
            continue  # 30/2: not a date
        add(_Candidate(m.start(), m.end(), "DATE", "day", day, day))

    for m in _FULL_DATE_RE.finditer(text):
        day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if day:
            add(_Candidate(m.start(), m.end(), "DATE", "day", day, day))

    for m in _CUED_DATE_RE.finditer(text):
        d, mo = int(m["d"]), int(m["m"])
        day = resolve_day(d, mo, published)
        if published is not None and day is None:
            continue
        add(_Candidate(m.start("date"), m.end("date"), "DATE", "day", day, day))

    for m in _MONTHS_RE.finditer(text):
        n = int(m["n"])
        if not 1 <= n <= 12:
            continue
        pos = (m["pos"] or "").lower()
        year = _int(m["y"]) or _rel_year(m["rel"], published)
        if pos == "cuối":
            first, last = 13 - n, 12
            kind = "half_year" if n == 6 else "months"
        else:
            first, last = 1, n
            kind = "half_year" if n == 6 and pos == "đầu" else "months_to_date"
        start = date(year, first, 1) if year else None
        end = month_bounds(year, last)[1] if year else None
        add(_Candidate(m.start(), m.end(), "PERIOD", kind, start, end))

    for m in _HALF_RE.finditer(text):
        year = _int(m["y"]) or _rel_year(m["rel"], published)
        first, last = (1, 6) if m["pos"].lower() == "đầu" else (7, 12)
        start = date(year, first, 1) if year else None
        end = month_bounds(year, last)[1] if year else None
        add(_Candidate(m.start(), m.end(), "PERIOD", "half_year", start, end))

    for m in _QUARTER_RE.finditer(text):
        start, end = _unit_bounds(m, _ROMAN[m["q"].lower()], published, quarter_bounds, resolve_quarter)
        add(_Candidate(m.start(), m.end(), "PERIOD", "quarter", start, end))

    for m in _MONTH_RE.finditer(text):
        start, end = _unit_bounds(m, int(m["m"]), published, month_bounds, resolve_month)
        add(_Candidate(m.start(), m.end(), "PERIOD", "month", start, end))

    for m in _YEAR_RANGE_RE.finditer(text):
        y1, y2 = int(m["y1"]), int(m["y2"])
        if y2 <= y1 or y2 - y1 > 30:
            continue
        add(_Candidate(m.start(), m.end(), "PERIOD", "year_range", date(y1, 1, 1), date(y2, 12, 31)))

    for m in _HORIZON_RE.finditer(text):
        year = int(m["y"])
        add(_Candidate(m.start(), m.end(), "PERIOD", "horizon", published, date(year, 12, 31)))

    for m in _YEAR_RE.finditer(text):
        year = _int(m["y"]) or _rel_year(m["rel"], published)
        start = date(year, 1, 1) if year else None
        end = date(year, 12, 31) if year else None
        add(_Candidate(m.start(), m.end(), "PERIOD", "year", start, end))
    return out


def _unit_bounds(
    match: re.Match,
    number: int,
    published: date | None,
    bounds_in: Callable[[int, int], tuple[date, date]],
    resolve: Callable[..., tuple[date, date] | None],
) -> tuple[date | None, date | None]:
    """Bounds of month or quarter `number` of a match with groups y, y2, rel and past:
    in the written year, the relative year ("năm nay"), or the one the publication date implies."""
    year = _int(match["y"] or match["y2"])
    if year is None and match["rel"]:
        year = _rel_year(match["rel"], published)
    bounds = bounds_in(year, number) if year is not None else resolve(number, published, past=bool(match["past"]))
    return bounds if bounds else (None, None)


def find_time_expressions(text: str, published: date | None = None) -> list[TimeExpression]:
    """Dates and periods in `text`, non-overlapping, in text order; never raises.

    `published` (a date, a datetime or an ISO "YYYY-MM-DD" string) anchors expressions
    without a year; without it those get start_date/end_date None. When expressions
    overlap the longest wins (a range over the dates inside it, "6 tháng đầu năm 2018"
    over "năm 2018").
    """
    if not isinstance(text, str) or not text:
        return []
    anchor = to_date(published, strict=False)
    chosen: list[_Candidate] = []
    for cand in sorted(_candidates(text, anchor), key=lambda c: (c.start - c.end, c.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda c: c.start)
    return [
        TimeExpression(c.start, c.end, c.label, c.kind, text[c.start : c.end], c.start_date, c.end_date) for c in chosen
    ]


# --------------------------------------------------------------------------- datelines

_TIME = r"(?P<{p}h>[01]?\d|2[0-3])(?::|h)(?P<{p}mi>[0-5]\d)(?::(?P<{p}s>[0-5]\d))?(?:\s*(?P<{p}ap>SA|CH|AM|PM)(?!\w))?"
_DATELINE_RE = re.compile(
    rf"(?:(?<![\d:]){_TIME.format(p='a')}\s*[,|–-]?\s*)?"
    rf"(?:ngày\s+)?(?<![\w/.-])(?P<d>{_D})(?P<sep>[/.-])(?P<m>{_M})(?P=sep)(?P<y>{_Y})(?![\w/])"
    rf"(?:\s*(?:[,|–-]\s*)?(?:lúc\s+)?(?<![\d:]){_TIME.format(p='b')}(?![\d:]))?",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    rf"(?<![\w-])(?P<y>{_Y})-(?P<m>\d{{2}})-(?P<d>\d{{2}})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?![\w:])"
)


def _clock(hour: str | None, minute: str | None, second: str | None, ampm: str | None) -> tuple[int, int, int]:
    if hour is None:
        return 0, 0, 0
    h, mi, s = int(hour), int(minute), int(second or 0)
    ampm = (ampm or "").upper()
    if ampm in ("CH", "PM") and h < 12:
        h += 12
    elif ampm in ("SA", "AM") and h == 12:
        h = 0
    return h, mi, s


def find_datelines(text: str) -> list[tuple[int, int, datetime]]:
    """Every full date (D/M/YYYY or ISO), with its clock time when written next to it,
    as (start, end, naive Vietnam-time datetime), in text order; never raises."""
    if not isinstance(text, str) or not text:
        return []
    found: list[tuple[int, int, datetime]] = []
    for m in _ISO_RE.finditer(text):
        try:
            stamp = datetime(
                int(m["y"]), int(m["m"]), int(m["d"]), int(m["h"] or 0), int(m["mi"] or 0), int(m["s"] or 0)
            )
        except ValueError:
            continue
        tz = m["tz"]
        if tz:
            offset = (
                timedelta(0)
                if tz == "Z"
                else timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:])) * (1 if tz[0] == "+" else -1)
            )
            stamp = (stamp.replace(tzinfo=timezone(offset))).astimezone(VN_TZ).replace(tzinfo=None)
        found.append((m.start(), m.end(), stamp))
    iso_spans = [(s, e) for s, e, _ in found]
    for m in _DATELINE_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in iso_spans):
            continue
        if m["ah"] is not None:
            clock = _clock(m["ah"], m["ami"], m["as"], m["aap"])
        else:
            clock = _clock(m["bh"], m["bmi"], m["bs"], m["bap"])
        try:
            stamp = datetime(int(m["y"]), int(m["m"]), int(m["d"]), *clock)
        except ValueError:
            continue
        found.append((m.start(), m.end(), stamp))
    found.sort(key=lambda item: item[0])
    return found


def parse_dateline(text: str) -> datetime | None:
    """The first page-chrome date/time in `text` ("Thứ Ba, 19/02/2019 4:49:58 CH",
    "06:03, 18/03/2020", "2024-03-01T08:00:00+07:00"), naive Vietnam time; None when
    there is none. Never raises."""
    found = find_datelines(text)
    return found[0][2] if found else None
