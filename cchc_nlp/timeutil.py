"""Vietnam time, and the one set of ISO 8601 coercions of the package.

Publication times are kept in Vietnam time (UTC+7, no daylight saving): a naive time is
taken as Vietnam time, an aware one is converted.

>>> iso_datetime("2020-01-01T01:00:00Z")
'2020-01-01T08:00:00+07:00'
>>> iso_date("2018-07-04T21:47:04+07:00")
'2018-07-04'
>>> to_date("not a date", strict=False) is None
True
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from cchc_nlp.errors import InputError

__all__ = ["VN_TZ", "to_date", "iso_date", "iso_datetime"]

VN_TZ = timezone(timedelta(hours=7), "+07:00")


def to_date(value: object, *, strict: bool = True) -> date | None:
    """A date, datetime or ISO string ("YYYY-MM-DD...") as a date; None for None or "".

    strict: anything else raises ValueError; otherwise it is None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not strict and not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        if strict:
            raise
        return None


def iso_date(value: object, *, strict: bool = True) -> str | None:
    """A date, datetime or ISO string as "YYYY-MM-DD" (None for None or "").

    strict: anything else raises InputError (publication dates must be unambiguous);
    otherwise a string is cut to its first ten characters unchecked.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if not strict:
        return str(value)[:10]
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise InputError(f"publication date {text!r} is not an ISO date; give it as YYYY-MM-DD") from None


def iso_datetime(value: object) -> str | None:
    """A publication time as ISO 8601 in Vietnam time, or a bare ISO date when only the day
    is known (a date, or a 10-character string). Raises ValueError when it is not a date.

    >>> iso_datetime("2018-07-04 21:47:04")
    '2018-07-04T21:47:04+07:00'
    >>> iso_datetime("2018-07-04")
    '2018-07-04'
    >>> iso_datetime(datetime(2018, 7, 4, 21, 47, 4))
    '2018-07-04T21:47:04+07:00'
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        text = str(value).strip()
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    moment = moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment.astimezone(VN_TZ)
    return moment.isoformat(timespec="seconds")
