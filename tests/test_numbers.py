"""cchc_nlp.text.numbers: labelled examples (price-parser style) and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_nlp.text.numbers import NumberMention, ParsedNumber, find_numbers, format_number, parse_number

# (input, expected fields) -- expected None means "not a number".
PARSE_EXAMPLES: list[tuple[str, dict | None]] = [
    ("1.937", {"value": 1937}),
    ("1.067", {"value": 1067}),
    ("659.245", {"value": 659245}),
    ("14.002.598", {"value": 14002598}),
    ("57,41%", {"value": 57.41, "is_percent": True}),
    ("3,45 %", {"value": 3.45, "is_percent": True}),
    ("54.9%", {"value": 54.9, "is_percent": True}),
    ("12.75%", {"value": 12.75, "is_percent": True}),
    ("100%", {"value": 100, "is_percent": True}),
    ("94,696 điểm", {"value": 94.696}),
    ("87,61 điểm", {"value": 87.61}),
    ("87.61 điểm", {"value": 87.61}),
    ("1.234,5", {"value": 1234.5}),
    ("5,65 ngàn", {"value": 5650, "scale": "ngàn"}),
    ("1,1 triệu", {"value": 1_100_000, "scale": "triệu"}),
    ("12 nghìn tỷ", {"value": 12 * 10**12, "scale": "nghìn tỷ"}),
    ("980 triệu đồng", {"value": 980_000_000, "scale": "triệu"}),
    ("2,5 tỉ", {"value": 2_500_000_000, "scale": "tỉ"}),
    ("hơn 4,5 ngàn", {"value": 4500, "qualifier": "lower_bound", "scale": "ngàn"}),
    ("Trên 8.300 hồ sơ", {"value": 8300, "qualifier": "lower_bound"}),
    ("gần 93%", {"value": 93, "is_percent": True, "qualifier": "approx"}),
    ("khoảng 40 hồ sơ", {"value": 40, "qualifier": "approx"}),
    ("ước khoảng 750 triệu", {"value": 750_000_000, "qualifier": "approx", "scale": "triệu"}),
    ("xấp xỉ 12,3%", {"value": 12.3, "qualifier": "approx", "is_percent": True}),
    ("tối thiểu 60%", {"value": 60, "qualifier": "lower_bound", "is_percent": True}),
    ("ít nhất 2 lần", {"value": 2, "qualifier": "lower_bound"}),
    ("dưới 5%", {"value": 5, "qualifier": "upper_bound", "is_percent": True}),
    ("không quá 2 lần", {"value": 2, "qualifier": "upper_bound"}),
    ("tối đa 15 ngày", {"value": 15, "qualifier": "upper_bound"}),
    ("trên dưới 300", {"value": 300, "qualifier": "approx"}),
    ("03 bậc", {"value": 3}),
    ("07", {"value": 7}),
    ("1132/1937", {"value": 1132, "numerator": 1132, "denominator": 1937}),
    ("4.561/5.650", {"value": 4561, "numerator": 4561, "denominator": 5650}),
    ("7,5/12", {"value": 7.5, "denominator": 12}),
    ("70,61/100", {"value": 70.61, "denominator": 100}),
    ("9/26 nhiệm vụ", {"value": 9, "denominator": 26}),
    ("12,0", {"value": 12.0}),
    ("hai", {"value": 2}),
    ("mười", {"value": 10}),
    ("mười lăm", {"value": 15}),
    ("mười một", {"value": 11}),
    ("hai mươi", {"value": 20}),
    ("hai mươi mốt", {"value": 21}),
    ("ba mươi tư", {"value": 34}),
    ("bốn mươi lăm", {"value": 45}),
    ("một trăm", {"value": 100}),
    ("hai trăm linh năm", {"value": 205}),
    ("năm trăm", {"value": 500}),
    ("ba nghìn", {"value": 3000}),
    ("hai nghìn không trăm hai mươi", {"value": 2020}),
    ("một nghìn chín trăm", {"value": 1900}),
    ("hai triệu rưỡi", {"value": 2_500_000}),
    ("ba nghìn tỷ", {"value": 3 * 10**12}),
    ("hai chục", {"value": 20}),
    ("hai mươi phần trăm", {"value": 20, "is_percent": True}),
    ("mười năm", {"value": 10}),  # ten years: "năm" stays the noun
    ("-4,2%", {"value": -4.2, "is_percent": True}),
    # not numbers
    ("", None),
    ("hồ sơ", None),
    ("25/3/2015", None),
    ("02/7/2019", None),
    ("23/12", None),
    ("1.1.2016", None),
    ("09/2015/QĐ-TTg", None),
    ("1173/KH-UBND", None),
    ("19/BC-TTPVHCC", None),
    ("16:00", None),
    ("9001:2015", None),
    ("1.5", None),  # a dot with 1-2 digits outside "%"/scale/"điểm" is ambiguous
    ("1.0675", None),
    ("0913.123.456", None),
    ("0299 3 822499", None),
    ("5km", None),
    ("1.937 thủ tục năm 2018", None),  # one expression only
]


@pytest.mark.parametrize("text,expected", PARSE_EXAMPLES, ids=[t or "<empty>" for t, _ in PARSE_EXAMPLES])
def test_parse_number_examples(text, expected):
    result = parse_number(text)
    if expected is None:
        assert result is None
        return
    assert isinstance(result, ParsedNumber)
    for field, value in expected.items():
        assert getattr(result, field) == value, (field, getattr(result, field), value)
    assert type(result.value) is type(expected["value"])
    defaults = {"is_percent": False, "qualifier": "exact", "scale": None, "denominator": None}
    for field, value in defaults.items():
        if field not in expected:
            assert getattr(result, field) == value, field


def test_parse_number_int_versus_float():
    assert type(parse_number("1.937").value) is int
    assert type(parse_number("94,696").value) is float
    assert type(parse_number("5,65 ngàn").value) is int  # integral after scaling
    assert parse_number("1,2345 nghìn").value == 1234.5


def test_parse_number_raw_keeps_qualifier_and_sign_not_unit():
    assert parse_number("hơn 4,5 ngàn hồ sơ").raw == "hơn 4,5 ngàn"
    assert parse_number("  57,41%  ").raw == "57,41%"


# (text, [(mention text, value, unit, denominator, qualifier), ...]) in order.
FIND_EXAMPLES: list[tuple[str, list[tuple]]] = [
    (
        "Trung tâm đã tiếp nhận 8.415 hồ sơ, giải quyết 8.102 hồ sơ (đạt 96,28%).",
        [
            ("8.415", 8415, None, None, "exact"),
            ("8.102", 8102, None, None, "exact"),
            ("96,28%", 96.28, "percent", None, "exact"),
        ],
    ),
    (
        "huyện đã cắt giảm 418/2105 thủ tục (đạt 19,86%), xếp thứ 37/63 tỉnh, thành.",
        [
            ("418/2105", 418, None, 2105, "exact"),
            ("19,86%", 19.86, "percent", None, "exact"),
            ("37/63", 37, None, 63, "exact"),
        ],
    ),
    (
        "Thị xã đạt 91,254 điểm, tăng 04 bậc, đạt 6,5/12 điểm và 72,18/100 điểm.",
        [
            ("91,254", 91.254, None, None, "exact"),
            ("04", 4, None, None, "exact"),
            ("6,5/12", 6.5, None, 12, "exact"),
            ("72,18/100", 72.18, None, 100, "exact"),
        ],
    ),
    (
        "tỷ lệ trực tuyến đạt 61.4% và 2,15 % hồ sơ quá hạn",
        [("61.4%", 61.4, "percent", None, "exact"), ("2,15 %", 2.15, "percent", None, "exact")],
    ),
    (
        "Huyện giải quyết hơn 3,2 ngàn hồ sơ, tiết kiệm ước khoảng 640 triệu đồng và 15 nghìn tỷ đồng vốn.",
        [
            ("hơn 3,2 ngàn", 3200, None, None, "lower_bound"),
            ("ước khoảng 640 triệu", 640_000_000, None, None, "approx"),
            ("15 nghìn tỷ", 15 * 10**12, None, None, "exact"),
        ],
    ),
    (
        "Trên 5.100 hồ sơ trễ hạn; gần 88% người dân hài lòng; dưới 2% hồ sơ; tối thiểu 75% dịch vụ.",
        [
            ("Trên 5.100", 5100, None, None, "lower_bound"),
            ("gần 88%", 88, "percent", None, "approx"),
            ("dưới 2%", 2, "percent", None, "upper_bound"),
            ("tối thiểu 75%", 75, "percent", None, "lower_bound"),
        ],
    ),
    (
        "đạt 11/24 nhiệm vụ; 12/12 phòng, ban; 3.018/3.018 hồ sơ; có 4/8 huyện",
        [
            ("11/24", 11, None, 24, "exact"),
            ("12/12", 12, None, 12, "exact"),
            ("3.018/3.018", 3018, None, 3018, "exact"),
            ("4/8", 4, None, 8, "exact"),
        ],
    ),
    # dates are not quantities
    ("Chiều ngày 27/11, Đoàn kiểm tra làm việc với 7 đơn vị.", [("7", 7, None, None, "exact")]),
    ("Sáng ngày 14-6 hội nghị khai mạc.", []),
    ("Ngày 05/8/2019, UBND huyện ban hành Kế hoạch 1245/KH-UBND.", []),
    ("ngày 1.7.2017 luật có hiệu lực", []),
    ("Chiều 21/9/2022, Sở Nội vụ họp.", []),
    ("Hôm nay 4/3 đoàn đến.", []),
    ("Ngày 18/9, sở tiếp nhận 12 hồ sơ.", [("12", 12, None, None, "exact")]),
    ("Từ ngày 1/1 - 15/9/2021 tiếp nhận 931 hồ sơ", [("931", 931, None, None, "exact")]),
    ("(từ ngày 3/4 - 27/6) có 40 hồ sơ", [("40", 40, None, None, "exact")]),
    ("(tính từ 16/11/2021 đến 15/12/2021)", []),
    ("từ ngày 15/6 đến 14/7/2023", []),
    ("trong quý II/2022, tháng 7/2022, Tháng 3-2023 và tháng 02/2024", []),
    ("năm 2017 và giai đoạn 2021 - 2025, Từ năm 2016-2020", []),
    ("6 tháng đầu năm 2022, 9 tháng đầu năm, 10 tháng năm 2023", []),
    ("tháng 11 vừa qua có 215 hồ sơ", [("215", 215, None, None, "exact")]),
    (
        "xếp thứ 17/63 tỉnh, tăng 5 bậc so với năm 2019",
        [("17/63", 17, None, 63, "exact"), ("5", 5, None, None, "exact")],
    ),
    ("(2021-2025)", []),
    ("trong các năm 2018, 2019 và 2020 có 14 đơn vị", [("14", 14, None, None, "exact")]),
    ("ngày 12 và 13/5 có 3 đoàn", [("3", 3, None, None, "exact")]),
    ("so với cùng kỳ năm 2023 tăng 1,8%", [("1,8%", 1.8, "percent", None, "exact")]),
    ("Thứ Hai, 12/08/2019 16:20", []),
    ("Thứ 6 Ngày 03/05/2019", []),
    ("2023-11-07T09:30:00+07:00", []),
    # document numbers, standards, phones, times, links
    ("theo Quyết định số 12/2019/QĐ-UBND và Nghị quyết 05-NQ/TU", []),
    ("Báo cáo số 27/BC-VP, Giấy phép số 45/GP-STTTT", []),
    ("Nghị định số 61/2018/NĐ-CP ngày 23/4/2018", []),
    ("áp dụng TCVN ISO 9001:2015 thay cho ISO 9001:2008", []),
    ("Điện thoại: 0270 3 811234 - Fax: 0270 3 822345", []),
    ("đường dây nóng 0912.345.678", []),
    # "ĐT" in an agency's initials is no phone cue; after a space or a colon it is
    ("Sở GD-ĐT có 17 thủ tục, Sở KH&ĐT 26 thủ tục", [("17", 17, None, None, "exact"), ("26", 26, None, None, "exact")]),
    ("Liên hệ ĐT: 0229 3871 456", []),
    ("Chủ tịch UBND tỉnh (thứ 2 từ trái sang) thăm Trung tâm; Thứ 3, từ phải qua: ông A", []),
    ("gọi (0270) 3824567 để được hỗ trợ", []),
    ("lúc 8 giờ 30 ngày 12/3, cập nhật 10:15:42 SA", []),
    ("Ảnh: cchc3.jpg; https://sonoivu.example.gov.vn/tin/2021/10/ct-55.html; lh@sonoivu.gov.vn", []),
    ("nguồn: tinhdoan2.gov.vn", []),
    ("31/05/2021 09:00 GMT +7", []),
    # numbered names and levels
    ("tại Phường 4, Quận 3 và Khóm 2", []),
    ("Nghị quyết Trung ương 4 khóa XII và Kế hoạch 226 của UBND tỉnh", []),
    ("Điều 7 Khoản 2 của Nghị định", []),
    ("chỉ số 766 của tỉnh; chỉ số 91,3%", [("91,3%", 91.3, "percent", None, "exact")]),
    ("dịch vụ công mức độ 3,4 và mức độ 1,2 là 1.904 thủ tục", [("1.904", 1904, None, None, "exact")]),
    (
        "93 hồ sơ nộp mức độ 3 và 1.208 hồ sơ nộp mức độ 4",
        [("93", 93, None, None, "exact"), ("1.208", 1208, None, None, "exact")],
    ),
    # ranks and ordinals
    ("đứng thứ 3 toàn tỉnh", [("3", 3, None, None, "exact")]),
    ("đứng thứ 4/11 huyện", [("4/11", 4, None, 11, "exact")]),
    # number words
    (
        "có ba nội dung và hai mươi lăm đơn vị",
        [("ba", 3, None, None, "exact"), ("hai mươi lăm", 25, None, None, "exact")],
    ),
    ("cơ chế một cửa, một số đơn vị, mười năm qua", [("mười", 10, None, None, "exact")]),
    ("Thứ Ba tuần trước, thứ hai trong danh sách", []),
    ("huyện Ba Tri và quận Hai Bà Trưng", []),
    ("hàng trăm hồ sơ, hàng nghìn lượt", []),
    ("tháng Tám, quý hai", []),
]


@pytest.mark.parametrize("text,expected", FIND_EXAMPLES, ids=[t[:40] for t, _ in FIND_EXAMPLES])
def test_find_numbers_examples(text, expected):
    mentions = find_numbers(text)
    got = [(m.raw, m.value, m.unit, m.denominator, m.qualifier) for m in mentions]
    assert got == expected
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.raw
        assert isinstance(mention, NumberMention)


def test_find_numbers_fraction_fields():
    (mention,) = find_numbers("đã cắt giảm 257/365 thủ tục")
    assert (mention.value, mention.numerator, mention.denominator) == (257, 257, 365)
    assert mention.is_fraction and not mention.is_percent


def test_find_numbers_offsets_and_window():
    text = "Năm qua tiếp nhận 1.200 hồ sơ. Quý này giải quyết 980 hồ sơ (đạt 81,7%)."
    second = text.index("Quý")
    all_mentions = find_numbers(text)
    windowed = find_numbers(text, second)
    assert [m.raw for m in windowed] == ["980", "81,7%"]
    assert windowed == all_mentions[1:]
    assert [m.raw for m in find_numbers(text, 0, second)] == ["1.200"]
    assert find_numbers(text, 5, 5) == []


def test_find_numbers_mention_excludes_unit_noun():
    (mention,) = find_numbers("Tỉnh đã tiếp nhận 5,65 ngàn hồ sơ.")
    assert mention.raw == "5,65 ngàn" and mention.scale == "ngàn" and mention.value == 5650


@pytest.mark.parametrize(
    "value,kwargs,expected",
    [
        (1937, {}, "1.937"),
        (14002598, {}, "14.002.598"),
        (57.41, {}, "57,41"),
        (57.41, {"percent": True}, "57,41%"),
        (94.696, {}, "94,696"),
        (1234.5, {}, "1.234,5"),
        (0.5, {}, "0,5"),
        (57.4, {"decimals": 2}, "57,40"),
        (98.815, {"decimals": 1}, "98,8"),
        (100, {"percent": True}, "100%"),
        (-3.5, {}, "-3,5"),
        (0, {}, "0"),
        (7.0, {}, "7"),
    ],
)
def test_format_number_examples(value, kwargs, expected):
    assert format_number(value, **kwargs) == expected


def test_format_number_rejects_non_numbers():
    with pytest.raises(TypeError):
        format_number("12")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_number(float("nan"))


@given(st.text())
@settings(max_examples=300)
def test_parse_number_never_raises(text):
    result = parse_number(text)
    assert result is None or isinstance(result, ParsedNumber)


_NUMBERISH = st.text(alphabet="0123456789.,/:-% \nnăm tháng ngàyhơntrênISOQĐ-", max_size=40)


@given(st.one_of(st.text(), _NUMBERISH))
@settings(max_examples=300)
def test_find_numbers_never_raises_and_offsets_hold(text):
    for mention in find_numbers(text):
        assert text[mention.start : mention.end] == mention.raw


@given(
    _NUMBERISH, st.integers(min_value=-5, max_value=50), st.one_of(st.none(), st.integers(min_value=-5, max_value=50))
)
@settings(max_examples=200)
def test_find_numbers_window_bounds(text, start, end):
    lo = max(0, min(start, len(text)))
    hi = len(text) if end is None else max(lo, min(end, len(text)))
    for mention in find_numbers(text, start, end):
        assert lo <= mention.start < mention.end <= hi


@given(st.integers(min_value=0, max_value=10**18))
def test_round_trip_integers(value):
    parsed = parse_number(format_number(value))
    assert parsed is not None and parsed.value == value and type(parsed.value) is int


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)))
def test_round_trip_floats(value):
    parsed = parse_number(format_number(value))
    assert parsed is not None and parsed.value == value


@given(st.floats(min_value=0, max_value=100).map(lambda x: round(x, 2)))
def test_round_trip_percent(value):
    parsed = parse_number(format_number(value, percent=True))
    assert parsed is not None and parsed.is_percent and parsed.value == value
