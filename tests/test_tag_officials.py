"""OFFICIAL, PERSON and AUTHOR tagging: labelled examples written for the tests."""

import pytest

from cchc_nlp.tag.legal import find_legal_docs
from cchc_nlp.tag.officials import find_authors, find_people
from cchc_nlp.tag.orgs import find_orgs
from cchc_nlp.tag.places import find_places
from cchc_nlp.tag.timex import find_times
from cchc_nlp.text.normalize import normalize_text


def tag(text, day=None):
    text = normalize_text(text)
    places = find_places(text, day)
    orgs = find_orgs(text, places, day)
    times = find_times(text, day)
    docs = find_legal_docs(text, times)
    authors = find_authors(text)
    return authors + find_people(text, places + orgs + times + docs + authors)


def people(text):
    return [(r["label"], r["text"]) for r in tag(text) if r["label"] in ("OFFICIAL", "PERSON", "AUTHOR")]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Ông Lê Văn Tám- Ủy viên Thường vụ Tỉnh ủy, Phó Chủ tịch Thường trực UBND tỉnh đến dự.",
            [("OFFICIAL", "Lê Văn Tám")],
        ),
        ("Chủ tịch UBND tỉnh Bạc Liêu Phạm Văn Thiều chủ trì cuộc họp.", [("OFFICIAL", "Phạm Văn Thiều")]),
        ("Đồng chí Quyền Chủ tịch UBND tỉnh Hồ Văn Mười phát biểu.", [("OFFICIAL", "Hồ Văn Mười")]),
        ("Phó chủ tịch UBND xã Tân Thành Bình Lê Minh Tâm cho biết.", [("OFFICIAL", "Lê Minh Tâm")]),
        ("do đồng chí Trịnh Văn Bảy - Giám đốc Sở Nội vụ dẫn đầu", [("OFFICIAL", "Trịnh Văn Bảy")]),
        ("Đoàn do đồng chí Đỗ Thị Hoa, Phó Giám đốc Sở Tư pháp làm Trưởng đoàn.", [("OFFICIAL", "Đỗ Thị Hoa")]),
        ("Vũ Quốc Khánh - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh phát biểu.", [("OFFICIAL", "Vũ Quốc Khánh")]),
        ("Đại tá Ngô Văn Hùng, Phó Giám đốc Công an tỉnh, báo cáo.", [("OFFICIAL", "Ngô Văn Hùng")]),
        ("Chị Trần Thị Mai (ở phường 4) thực hiện dịch vụ công trực tuyến.", [("PERSON", "Trần Thị Mai")]),
        ("Tòa soạn: Số 10, Trần Văn Sắc, phường Quang Trung.", []),
        ("ÔNG NGUYỄN VĂN BA - GIÁM ĐỐC SỞ NỘI VỤ", [("OFFICIAL", "NGUYỄN VĂN BA")]),
        ("Đồng chí Phó Chủ tịch UBND tỉnh phát biểu chỉ đạo.", []),
        ("Hội nghị diễn ra sôi nổi.\n\nThanh Tâm", [("AUTHOR", "Thanh Tâm")]),
        ("Hội nghị diễn ra sôi nổi.\nT.H", [("AUTHOR", "T.H")]),
        ("Hội nghị diễn ra sôi nổi.\n\nBài, ảnh: Lâm Hải", [("AUTHOR", "Lâm Hải")]),
        ("Quang cảnh buổi làm việc. Ảnh: K.L", [("AUTHOR", "K.L")]),
        ("TRẦN HÙNG 08:15, 03/04/2023\nNội dung bài.", [("AUTHOR", "TRẦN HÙNG")]),
        ("Hội nghị diễn ra.\nBình Luận", []),
        ("Hội nghị diễn ra.\nHuyện Long Phú", []),
    ],
)
def test_labelled_people(text, expected):
    assert people(text) == expected


def test_titles_and_attrs():
    text = (
        "Đồng chí Hà Văn Lợi - Ủy viên Trung ương Đảng - Bí thư Tỉnh ủy - Trưởng Ban chỉ đạo CCHC tỉnh chủ trì. "
        "Đồng chí Bí thư Tỉnh ủy đề nghị các cấp quan tâm. Kết luận, đồng chí Hà Văn Lợi nhấn mạnh."
    )
    records = [r for r in tag(text) if r["label"] == "OFFICIAL"]
    assert [r["text"] for r in records] == ["Hà Văn Lợi", "Hà Văn Lợi"]
    first, later = records
    assert first["attrs"]["titles"] == ["Ủy viên Trung ương Đảng", "Bí thư Tỉnh ủy", "Trưởng Ban chỉ đạo CCHC tỉnh"]
    assert first["attrs"]["honorific"] == "đồng chí"
    assert first["attrs"]["orgs"] == ["Tỉnh ủy", "Ban Chỉ đạo CCHC tỉnh"]
    start = text.index("Đồng chí Bí thư") + len("Đồng chí ")
    assert first["attrs"]["title_mentions"] == [[start, start + len("Bí thư Tỉnh ủy")]]
    assert later["attrs"]["person_id"] == first["attrs"]["person_id"]
    assert later["attrs"]["coref"] is True
    assert later["attrs"]["titles"] == first["attrs"]["titles"]


def test_title_province_from_the_org():
    (record,) = [
        r for r in tag("Chủ tịch UBND tỉnh Bạc Liêu Phạm Văn Thiều chủ trì.", "2020-01-01") if r["label"] == "OFFICIAL"
    ]
    assert record["attrs"]["province"] == "Bạc Liêu"
    assert record["attrs"]["orgs"] == ["UBND tỉnh Bạc Liêu"]


def test_short_form_links_to_the_one_official_with_that_given_name():
    text = "Ông Lê Văn Tám - Giám đốc Sở Nội vụ phát biểu. Theo ông Tám, năm nay cần cố gắng."
    records = [r for r in tag(text) if r["label"] == "OFFICIAL"]
    assert [(r["text"], r["norm"]) for r in records] == [("Lê Văn Tám", "Lê Văn Tám"), ("Tám", "Lê Văn Tám")]


def test_bare_repeat_of_an_official_name_is_the_official():
    text = "Đồng chí Lò Văn Púa, Chủ tịch UBND huyện phát biểu. Lò Văn Púa đề nghị các xã tập trung."
    assert [r["text"] for r in tag(text) if r["label"] == "OFFICIAL"] == ["Lò Văn Púa", "Lò Văn Púa"]


def test_citizen_is_a_person_not_an_official():
    text = "Anh Nguyễn Văn Nam, người dân xã Phú Mỹ, cho biết thủ tục nhanh."
    assert [(r["label"], r["norm"]) for r in tag(text) if r["label"] in ("OFFICIAL", "PERSON")] == [
        ("PERSON", "Nguyễn Văn Nam")
    ]


def test_all_caps_name_is_title_cased_in_norm():
    (record,) = [r for r in tag("ÔNG NGUYỄN VĂN BA - GIÁM ĐỐC SỞ NỘI VỤ") if r["label"] == "OFFICIAL"]
    assert record["norm"] == "Nguyễn Văn Ba"
