"""cchc_nlp.text.dates: labelled examples for dates, periods and datelines; property tests."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_nlp.text.dates import (
    TimeExpression,
    find_datelines,
    find_time_expressions,
    month_bounds,
    parse_dateline,
    quarter_bounds,
    resolve_day,
    resolve_month,
    resolve_quarter,
)

# (text, published, [(span text, label, kind, norm), ...]) -- norm None = unresolved.
EXAMPLES: list[tuple[str, str | None, list[tuple[str, str, str, str | None]]]] = [
    # event dates
    ("Sáng ngày 21/12, Sở Tư pháp tổ chức hội nghị.", "2017-12-27", [("ngày 21/12", "DATE", "day", "2017-12-21")]),
    ("chiều ngày 27-4, đoàn công tác làm việc tại huyện.", "2021-04-29", [("ngày 27-4", "DATE", "day", "2021-04-27")]),
    ("Trưa ngày 4/5 đoàn về tới xã.", "2018-05-06", [("ngày 4/5", "DATE", "day", "2018-05-04")]),
    ("Tối 28/12, lễ tổng kết được tổ chức.", "2023-01-03", [("28/12", "DATE", "day", "2022-12-28")]),
    ("Ngày 30/12 vừa qua, huyện họp.", "2020-01-08", [("Ngày 30/12", "DATE", "day", "2019-12-30")]),
    ("Ngày 4/1 tới, tỉnh sẽ khai trương.", "2022-12-28", [("Ngày 4/1", "DATE", "day", "2023-01-04")]),
    ("ngày 1.7.2019 nghị định có hiệu lực", None, [("ngày 1.7.2019", "DATE", "day", "2019-07-01")]),
    ("Chiều 19/11/2021, UBND huyện họp.", None, [("19/11/2021", "DATE", "day", "2021-11-19")]),
    ("Hôm nay 6/3 đoàn đến làm việc.", "2023-03-06", [("6/3", "DATE", "day", "2023-03-06")]),
    ("ngày 15 tháng 8 năm 2019", None, [("ngày 15 tháng 8 năm 2019", "DATE", "day", "2019-08-15")]),
    ("ban hành ngày 30-12-2021", None, [("ngày 30-12-2021", "DATE", "day", "2021-12-30")]),
    # half years, months to date
    (
        "Kết quả 6 tháng đầu năm 2019 và nhiệm vụ 6 tháng cuối năm 2019",
        None,
        [
            ("6 tháng đầu năm 2019", "PERIOD", "half_year", "2019-01-01..2019-06-30"),
            ("6 tháng cuối năm 2019", "PERIOD", "half_year", "2019-07-01..2019-12-31"),
        ],
    ),
    (
        "Trong 9 tháng đầu năm 2023, 11 tháng năm 2021",
        None,
        [
            ("9 tháng đầu năm 2023", "PERIOD", "months_to_date", "2023-01-01..2023-09-30"),
            ("11 tháng năm 2021", "PERIOD", "months_to_date", "2021-01-01..2021-11-30"),
        ],
    ),
    ("6 tháng đầu năm nay", "2021-07-09", [("6 tháng đầu năm nay", "PERIOD", "half_year", "2021-01-01..2021-06-30")]),
    ("3 tháng cuối năm 2020", None, [("3 tháng cuối năm 2020", "PERIOD", "months", "2020-10-01..2020-12-31")]),
    # quarters
    (
        "trong quý III/2019, quý II năm 2022 và quý I/2023",
        None,
        [
            ("quý III/2019", "PERIOD", "quarter", "2019-07-01..2019-09-30"),
            ("quý II năm 2022", "PERIOD", "quarter", "2022-04-01..2022-06-30"),
            ("quý I/2023", "PERIOD", "quarter", "2023-01-01..2023-03-31"),
        ],
    ),
    ("tính đến hết quý II", "2022-07-12", [("quý II", "PERIOD", "quarter", "2022-04-01..2022-06-30")]),
    ("kết quả quý IV", "2020-01-20", [("quý IV", "PERIOD", "quarter", "2019-10-01..2019-12-31")]),
    # months
    ("tháng 9 vừa qua", "2020-10-02", [("tháng 9 vừa qua", "PERIOD", "month", "2020-09-01..2020-09-30")]),
    ("tháng 12 vừa qua", "2021-01-06", [("tháng 12 vừa qua", "PERIOD", "month", "2020-12-01..2020-12-31")]),
    (
        "tháng 7/2022, tháng 02/2024 và Tháng 6-2020",
        None,
        [
            ("tháng 7/2022", "PERIOD", "month", "2022-07-01..2022-07-31"),
            ("tháng 02/2024", "PERIOD", "month", "2024-02-01..2024-02-29"),
            ("Tháng 6-2020", "PERIOD", "month", "2020-06-01..2020-06-30"),
        ],
    ),
    # years, year ranges, horizons
    (
        "Năm 2017, chỉ số của tỉnh tăng so với năm 2016",
        None,
        [
            ("Năm 2017", "PERIOD", "year", "2017-01-01..2017-12-31"),
            ("năm 2016", "PERIOD", "year", "2016-01-01..2016-12-31"),
        ],
    ),
    (
        "giai đoạn 2021 - 2025 và Từ năm 2011-2015",
        None,
        [
            ("giai đoạn 2021 - 2025", "PERIOD", "year_range", "2021-01-01..2025-12-31"),
            ("Từ năm 2011-2015", "PERIOD", "year_range", "2011-01-01..2015-12-31"),
        ],
    ),
    (
        "phấn đấu đến năm 2030 và đến hết năm 2026",
        "2024-05-10",
        [
            ("đến năm 2030", "PERIOD", "horizon", "2024-05-10..2030-12-31"),
            ("đến hết năm 2026", "PERIOD", "horizon", "2024-05-10..2026-12-31"),
        ],
    ),
    (
        "năm nay, năm trước và năm ngoái",
        "2019-03-01",
        [
            ("năm nay", "PERIOD", "year", "2019-01-01..2019-12-31"),
            ("năm trước", "PERIOD", "year", "2018-01-01..2018-12-31"),
            ("năm ngoái", "PERIOD", "year", "2018-01-01..2018-12-31"),
        ],
    ),
    # explicit ranges: one PERIOD, not two DATEs
    (
        "Từ ngày 1/1 - 20/9/2019, trung tâm tiếp nhận 812 hồ sơ",
        None,
        [("Từ ngày 1/1 - 20/9/2019", "PERIOD", "range", "2019-01-01..2019-09-20")],
    ),
    ("(từ ngày 2/4 - 30/6)", "2023-07-05", [("từ ngày 2/4 - 30/6", "PERIOD", "range", "2023-04-02..2023-06-30")]),
    (
        "(tính từ 16/12/2021 đến 15/3/2022)",
        None,
        [("tính từ 16/12/2021 đến 15/3/2022", "PERIOD", "range", "2021-12-16..2022-03-15")],
    ),
    (
        "từ ngày 15/11/2023 đến ngày 14/12/2023",
        None,
        [("từ ngày 15/11/2023 đến ngày 14/12/2023", "PERIOD", "range", "2023-11-15..2023-12-14")],
    ),
    (
        "từ ngày 21/12 đến 20/1/2022",
        None,
        [("từ ngày 21/12 đến 20/1/2022", "PERIOD", "range", "2021-12-21..2022-01-20")],
    ),
    ("(16/6/2022-15/7/2022)", None, [("16/6/2022-15/7/2022", "PERIOD", "range", "2022-06-16..2022-07-15")]),
    (
        "từ tháng 1 đến tháng 9/2019",
        None,
        [("từ tháng 1 đến tháng 9/2019", "PERIOD", "range", "2019-01-01..2019-09-30")],
    ),
    (
        "Từ đầu năm đến nay, huyện tiếp nhận 430 hồ sơ",
        "2022-09-14",
        [("Từ đầu năm đến nay", "PERIOD", "ytd", "2022-01-01..2022-09-14")],
    ),
    # published None: still found, unresolved
    (
        "Sáng ngày 9/10, tháng 8 vừa qua, quý II, năm nay, Từ đầu năm đến nay",
        None,
        [
            ("ngày 9/10", "DATE", "day", None),
            ("tháng 8 vừa qua", "PERIOD", "month", None),
            ("quý II", "PERIOD", "quarter", None),
            ("năm nay", "PERIOD", "year", None),
            ("Từ đầu năm đến nay", "PERIOD", "ytd", None),
        ],
    ),
    # not dates
    ("xếp thứ 38/63, có 4/9 huyện, đạt 11/24 nhiệm vụ, hỗ trợ 24/7, 1280/2056 thủ tục", "2020-05-01", []),
    ("Quyết định số 22/2019/QĐ-UBND, ISO 9001:2015, gọi 0210 3 812345", "2020-05-01", []),
    ("trong 6 tháng, 2 năm liên tục", "2020-05-01", []),
]


@pytest.mark.parametrize("text,published,expected", EXAMPLES, ids=[t[:40] for t, _, _ in EXAMPLES])
def test_find_time_expressions_examples(text, published, expected):
    pub = date.fromisoformat(published) if published else None
    found = find_time_expressions(text, pub)
    got = [(e.text, e.label, e.kind, e.norm) for e in found]
    assert got == expected
    for expr in found:
        assert isinstance(expr, TimeExpression)
        assert text[expr.start : expr.end] == expr.text
        if expr.label == "DATE":
            assert expr.start_date == expr.end_date


def test_overlap_rule_no_two_expressions_overlap():
    text = "quý I năm 2021 (từ ngày 16/12/2020 đến ngày 15/3/2021) và 6 tháng đầu năm 2021"
    found = find_time_expressions(text, date(2021, 4, 1))
    assert [e.text for e in found] == [
        "quý I năm 2021",
        "từ ngày 16/12/2020 đến ngày 15/3/2021",
        "6 tháng đầu năm 2021",
    ]
    for a, b in pairwise(found):
        assert a.end <= b.start


def test_published_accepts_datetime_and_iso_string():
    text = "Sáng ngày 2/1, hội nghị khai mạc."
    as_date = find_time_expressions(text, date(2020, 1, 3))
    assert find_time_expressions(text, "2020-01-03") == as_date
    assert find_time_expressions(text, datetime(2020, 1, 3, 9, 30)) == as_date
    assert as_date[0].start_date == date(2020, 1, 2)


def test_horizon_without_published_has_no_start():
    (expr,) = find_time_expressions("phấn đấu đến năm 2025", None)
    assert expr.kind == "horizon" and expr.start_date is None and expr.end_date == date(2025, 12, 31)


def test_resolve_helpers():
    assert resolve_day(23, 12, date(2017, 1, 4)) == date(2016, 12, 23)
    assert resolve_day(3, 1, date(2016, 12, 28)) == date(2017, 1, 3)
    assert resolve_day(31, 4, date(2021, 5, 1)) is None  # no 31 April
    assert resolve_day(29, 2, date(2024, 3, 10)) == date(2024, 2, 29)
    assert resolve_day(5, 5, None) is None
    assert resolve_month(10, date(2019, 11, 5), past=True) == (date(2019, 10, 1), date(2019, 10, 31))
    assert resolve_month(12, date(2019, 11, 5), past=True) == (date(2018, 12, 1), date(2018, 12, 31))
    assert resolve_quarter(4, date(2021, 2, 1)) == (date(2020, 10, 1), date(2020, 12, 31))
    assert quarter_bounds(2020, 1) == (date(2020, 1, 1), date(2020, 3, 31))
    assert month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))


DATELINES = [
    ("Thứ Tư, 13/03/2019 9:12:05 SA", datetime(2019, 3, 13, 9, 12, 5)),
    ("Thứ Tư, 13/03/2019 9:12:05 CH", datetime(2019, 3, 13, 21, 12, 5)),
    ("Thứ Hai, 02/12/2019 12:30:00 SA", datetime(2019, 12, 2, 0, 30, 0)),
    ("Ngày 11/09/2017 08:05:41", datetime(2017, 9, 11, 8, 5, 41)),
    ("Thứ 6 Ngày 14/10/2016", datetime(2016, 10, 14)),
    ("Thứ bảy 05/09/2020 10:45", datetime(2020, 9, 5, 10, 45)),
    ("12/06/2019 09:00 GMT +7", datetime(2019, 6, 12, 9, 0)),
    ("Thứ Năm, 12/06/2019 | 09:00", datetime(2019, 6, 12, 9, 0)),
    ("17:42, 21/07/2020", datetime(2020, 7, 21, 17, 42)),
    ("TRẦN MINH 07:08, 15/02/2023", datetime(2023, 2, 15, 7, 8)),
    ("09/09/2022 - 08:27", datetime(2022, 9, 9, 8, 27)),
    ("Cập nhật: 20:15, 11/05/2018 (GMT+7)", datetime(2018, 5, 11, 20, 15)),
    ("2023-08-15T14:20:00+07:00", datetime(2023, 8, 15, 14, 20)),
    ("2023-08-15T07:20:00Z", datetime(2023, 8, 15, 14, 20)),
    ("2023-08-15", datetime(2023, 8, 15)),
    ("xếp thứ 42/63 tỉnh", None),
    ("31/02/2020 10:00", None),
    ("Quyết định số 09/2015/QĐ-TTg", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", DATELINES, ids=[t or "<empty>" for t, _ in DATELINES])
def test_parse_dateline_examples(text, expected):
    assert parse_dateline(text) == expected


def test_find_datelines_lists_every_candidate_with_offsets():
    text = "Thứ Hai, 18/03/2019 3:10:00 CH\nNgày 09/07/2018 20:11:30\nTiêu đề bài viết"
    found = find_datelines(text)
    assert [stamp for _, _, stamp in found] == [datetime(2019, 3, 18, 15, 10), datetime(2018, 7, 9, 20, 11, 30)]
    assert text[found[0][0] : found[0][1]] == "18/03/2019 3:10:00 CH"
    assert text[found[1][0] : found[1][1]] == "Ngày 09/07/2018 20:11:30"


_DATEISH = st.text(alphabet="0123456789/.-: ngàytháquýIVnămđếntừ,SACH", max_size=50)


@given(st.one_of(st.text(), _DATEISH), st.one_of(st.none(), st.dates()))
@settings(max_examples=300)
def test_find_time_expressions_never_raises(text, published):
    found = find_time_expressions(text, published)
    for expr in found:
        assert text[expr.start : expr.end] == expr.text
    for a, b in pairwise(found):
        assert a.end <= b.start


@given(st.one_of(st.text(), _DATEISH))
@settings(max_examples=300)
def test_datelines_never_raise(text):
    result = parse_dateline(text)
    assert result is None or isinstance(result, datetime)
    for start, end, stamp in find_datelines(text):
        assert 0 <= start < end <= len(text) and isinstance(stamp, datetime)
