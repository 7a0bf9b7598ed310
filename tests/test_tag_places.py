"""Place tagging (cchc_places): labelled examples written for the tests."""

import pytest

from cchc_nlp.tag.places import find_places
from cchc_nlp.text.normalize import normalize_text


def places(text, day=None):
    return [(r["label"], r["text"], r["norm"]) for r in find_places(normalize_text(text), day)]


@pytest.mark.parametrize(
    "text, day, expected",
    [
        ("Sáng 12/3, UBND huyện Kế Sách tổ chức hội nghị.", "2019-03-12", [("DISTRICT", "huyện Kế Sách", "Kế Sách")]),
        ("Trụ sở mới đặt tại TP. Phủ Lý.", None, [("DISTRICT", "TP. Phủ Lý", "Phủ Lý")]),
        ("Đoàn công tác của tỉnh Bạc Liêu đến thăm.", "2018-01-01", [("PROVINCE", "tỉnh Bạc Liêu", "Bạc Liêu")]),
        ("Đoàn công tác của tỉnh Bạc Liêu đến thăm.", "2025-09-01", [("PROVINCE", "tỉnh Bạc Liêu", "Cà Mau")]),
        ("Hà Nam phấn đấu đến năm 2020 hoàn thành.", None, [("PROVINCE", "Hà Nam", "Hà Nam")]),
        (
            "Hội nghị tại TP.HCM và TP. Hồ Chí Minh.",
            None,
            [("PROVINCE", "TP.HCM", "Hồ Chí Minh"), ("PROVINCE", "TP. Hồ Chí Minh", "Hồ Chí Minh")],
        ),
        ("Học tập tư tưởng Hồ Chí Minh.", None, []),
        ("Ông Trần Thái Bình phát biểu.", None, []),
        ("Biển Thái Bình Dương rộng lớn.", None, []),
        ("chị Huế cho biết.", None, []),
        (
            "Đoàn khảo sát tỉnh Vinh Long và Ha Nam.",
            None,
            [("PROVINCE", "tỉnh Vinh Long", "Vĩnh Long"), ("PROVINCE", "Ha Nam", "Hà Nam")],
        ),
        ("UBND TỈNH BẠC LIÊU", None, [("PROVINCE", "TỈNH BẠC LIÊU", "Bạc Liêu")]),
        (
            "Số 15, Trần Văn Sắc, Phường 3, thành phố Sóc Trăng",
            "2019-01-01",
            [("COMMUNE", "Phường 3", "3"), ("DISTRICT", "thành phố Sóc Trăng", "Sóc Trăng")],
        ),
        (
            "Chủ tịch UBND tỉnh Thái Nguyên Nguyễn Văn An chủ trì.",
            None,
            [("PROVINCE", "tỉnh Thái Nguyên", "Thái Nguyên")],
        ),
        (
            "Phó Chủ tịch UBND xã Tân Thành Bình Lê Văn Tư cho biết.",
            None,
            [("COMMUNE", "xã Tân Thành Bình", "Tân Thành Bình")],
        ),
        (
            "Người dân ở phường Quang Trung, TP. Thái Nguyên.",
            None,
            [("COMMUNE", "phường Quang Trung", "Quang Trung"), ("DISTRICT", "TP. Thái Nguyên", "Thái Nguyên")],
        ),
        (
            "TX Kỳ Anh đứng thứ 2 toàn tỉnh; thị xã Kỳ Anh tăng 1 bậc.",
            None,
            [("DISTRICT", "TX Kỳ Anh", "Kỳ Anh"), ("DISTRICT", "thị xã Kỳ Anh", "Kỳ Anh")],
        ),
        (
            "Khánh Hoà và Thừa Thiên - Huế, BR-VT",
            "2020-01-01",
            [
                ("PROVINCE", "Khánh Hòa", "Khánh Hòa"),
                ("PROVINCE", "Thừa Thiên - Huế", "Thừa Thiên Huế"),
                ("PROVINCE", "BR-VT", "Bà Rịa - Vũng Tàu"),
            ],
        ),
        (
            "Quận 1 và quận Bình Thạnh",
            None,
            [("DISTRICT", "Quận 1", "1"), ("DISTRICT", "quận Bình Thạnh", "Bình Thạnh")],
        ),
        ("các huyện, thành phố và cấp xã", None, []),
    ],
)
def test_labelled_places(text, day, expected):
    assert places(text, day) == expected


def test_district_resolves_province_and_successor():
    (record,) = find_places("Kiểm tra tại huyện Mỹ Xuyên.", "2019-05-29")
    assert record["attrs"]["province"] == "Sóc Trăng"
    assert record["attrs"]["known"] is True


def test_historical_province_in_a_post_merger_article():
    (record,) = find_places("Trước đây tỉnh Hậu Giang có 8 đơn vị cấp huyện.", "2025-09-01")
    assert record["norm"] == "Cần Thơ"
    assert record["attrs"]["mentioned"] == "Hậu Giang"
    assert record["attrs"]["historical"] is True


def test_ambiguous_district_settled_by_the_province_after_it():
    records = find_places("Xã Long Hưng, huyện Châu Thành, tỉnh Tiền Giang", "2020-01-01")
    district = next(r for r in records if r["label"] == "DISTRICT")
    assert district["attrs"]["province"] == "Tiền Giang"
    assert "candidates" not in district["attrs"]


def test_ambiguous_district_without_context_lists_candidates():
    (record,) = find_places("huyện Châu Thành", None)
    assert record["attrs"]["province"] is None
    assert "Tiền Giang" in record["attrs"]["candidates"]


def test_bare_repeat_of_an_introduced_commune():
    text = "UBND xã Tân Thành Bình họp. Năm nay Tân Thành Bình đã hoàn thành."
    assert [r["text"] for r in find_places(text)] == ["xã Tân Thành Bình", "Tân Thành Bình"]


def test_unknown_commune_name_is_kept_but_marked():
    (record,) = find_places("Người dân xã Ngọc Quỳnh Lam cho biết.")
    assert record["label"] == "COMMUNE"
    assert record["attrs"]["known"] is False


def test_offsets_point_at_the_text():
    text = normalize_text("Đoàn làm việc tại  huyện Mỹ Xuyên (Sóc Trăng).")
    for record in find_places(text):
        assert text[record["start"] : record["end"]] == record["text"]


def test_unaccented_names_need_capitals_and_several_syllables():
    assert find_places("doan cong tac vinh long va ha nam") == []
    assert [r["norm"] for r in find_places("VINH LONG va Ha Nam")] == ["Vĩnh Long", "Hà Nam"]
    assert find_places("Thanh pho Vinh") == []  # one syllable: too ambiguous without diacritics
