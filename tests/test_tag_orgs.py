"""ORG tagging (cchc_orgs): labelled examples written for the tests."""

import pytest

from cchc_nlp.tag.orgs import find_orgs
from cchc_nlp.tag.places import find_places
from cchc_nlp.text.normalize import normalize_text


def orgs(text, day=None):
    text = normalize_text(text)
    return [(r["text"], r["norm"]) for r in find_orgs(text, find_places(text, day), day)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sở Nội vụ tỉnh Bạc Liêu tổ chức hội nghị.", [("Sở Nội vụ tỉnh Bạc Liêu", "Sở Nội vụ tỉnh Bạc Liêu")]),
        ("Sở Nội vụ tỉnh đã tổ chức hội nghị.", [("Sở Nội vụ tỉnh", "Sở Nội vụ tỉnh")]),
        ("Làm việc với UBND huyện Kế Sách.", [("UBND huyện Kế Sách", "UBND huyện Kế Sách")]),
        (
            "Ủy ban nhân dân xã Tân Thành Bình công khai TTHC.",
            [("Ủy ban nhân dân xã Tân Thành Bình", "UBND xã Tân Thành Bình")],
        ),
        ("Kiểm tra tại Văn phòng UBND tỉnh.", [("Văn phòng UBND tỉnh", "Văn phòng UBND tỉnh")]),
        (
            "Ban chỉ đạo cải cách hành chính (CCHC) tỉnh họp.",
            [("Ban chỉ đạo cải cách hành chính (CCHC) tỉnh", "Ban Chỉ đạo CCHC tỉnh")],
        ),
        (
            "Trung tâm Phục vụ Hành chính công tỉnh tiếp nhận.",
            [("Trung tâm Phục vụ Hành chính công tỉnh", "Trung tâm Phục vụ hành chính công tỉnh")],
        ),
        (
            "Công an tỉnh và Bảo hiểm xã hội tỉnh",
            [("Công an tỉnh", "Công an tỉnh"), ("Bảo hiểm xã hội tỉnh", "Bảo hiểm xã hội tỉnh")],
        ),
        ("lực lượng Công an luôn sẵn sàng", []),
        ("UBND cấp huyện và UBND các xã, phường", []),
        (
            "Tỉnh ủy Bạc Liêu, Báo Bạc Liêu và Bộ Nội vụ",
            [("Tỉnh ủy Bạc Liêu", "Tỉnh ủy Bạc Liêu"), ("Báo Bạc Liêu", "Báo Bạc Liêu"), ("Bộ Nội vụ", "Bộ Nội vụ")],
        ),
        ("Bộ phận một cửa tiếp nhận hồ sơ", []),
        ("Ủy ban MTTQ tỉnh, HĐND tỉnh", [("Ủy ban MTTQ tỉnh", "Ủy ban MTTQ tỉnh"), ("HĐND tỉnh", "HĐND tỉnh")]),
        (
            "ông Lê Văn Tư - Trưởng phòng Nội vụ thị xã Kỳ Anh",
            [("phòng Nội vụ thị xã Kỳ Anh", "Phòng Nội vụ thị xã Kỳ Anh")],
        ),
        ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", [("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Sở Thông tin và Truyền thông")]),
        ("các sở, ban, ngành và xã hội", []),
    ],
)
def test_labelled_orgs(text, expected):
    assert orgs(text) == expected


def test_org_attrs_carry_the_place():
    text = "Làm việc với UBND huyện Kế Sách."
    (record,) = find_orgs(text, find_places(text, "2019-01-01"))
    attrs = record["attrs"]
    assert (attrs["head"], attrs["level"], attrs["district"], attrs["province"]) == (
        "UBND",
        "huyện",
        "Kế Sách",
        "Sóc Trăng",
    )
    (bare,) = find_orgs("UBND tỉnh chỉ đạo", [])
    assert bare["attrs"]["level"] == "tỉnh" and "province" not in bare["attrs"]
    (dept,) = find_orgs("Sở Tư pháp", [])
    assert dept["attrs"]["level"] == "tỉnh" and dept["attrs"]["kind"] == "department"
