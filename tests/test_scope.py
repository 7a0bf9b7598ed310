"""Scope of metric rows (cchc_nlp.metrics.scope): who a figure is about. Sentences written for
these tests (invented figures)."""

from __future__ import annotations

import pytest

from cchc_nlp.metrics import extract_metrics
from cchc_nlp.metrics.scope import assign_scopes, find_owners
from cchc_nlp.records import METRIC_COLUMNS, SCOPES


def scopes(text: str, published: str = "2023-06-30") -> list[tuple[float, str, str | None]]:
    return [(r["value"], r["scope"], r["subject"]) for r in extract_metrics(text, published)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # the province's own figure, its one-stop centre, a level, an agency
        ("Năm 2022, Chỉ số CCHC của tỉnh đạt 84,55 điểm.", [(84.55, "province", None)]),
        (
            "Quý I/2023, Trung tâm Phục vụ hành chính công tỉnh tiếp nhận 7.305 hồ sơ; cấp xã tiếp nhận 11.240 hồ sơ.",
            [(7305, "province", None), (11240, "level", None)],
        ),
        ("Tháng 5/2023, Sở Xây dựng tiếp nhận 1.118 hồ sơ.", [(1118, "agency", "Sở Xây dựng")]),
        # a unit named, then referred back to
        (
            "Đoàn kiểm tra làm việc tại huyện Mỹ Tú. 6 tháng đầu năm 2023, huyện tiếp nhận 3.512 hồ sơ.",
            [(3512, "unit", "huyện Mỹ Tú")],
        ),
        # a speaker is not the owner
        (
            "Giám đốc Sở Nội vụ cho biết, năm 2022 Chỉ số CCHC của tỉnh đạt 83,12%, xếp thứ 30/63.",
            [(83.12, "province", None), (30, "province", None)],
        ),
        # several named units ranked in one sentence
        (
            "Chỉ số CCHC năm 2022 khối huyện: huyện Long Phú đứng thứ nhất với 88,4 điểm, huyện Cù Lao Dung thứ 2 "
            "với 86,9 điểm.",
            [
                (1, "ranking", "huyện Long Phú"),  # "đứng thứ nhất" is rank 1 (issue 10)
                (88.4, "ranking", "huyện Long Phú"),
                (2, "ranking", "huyện Cù Lao Dung"),
                (86.9, "ranking", "huyện Cù Lao Dung"),
            ],
        ),
        # the unit right after its rank ("đứng thứ 2 tỉnh X", "thứ hai là Sở Y"); "thứ 6 toàn tỉnh" is a field
        (
            "Chỉ số SIPAS năm 2024: tỉnh Bắc Ninh dẫn đầu với 91,02%; đứng thứ 2 tỉnh Nam Định đạt 89,75%; "
            "thứ 3 tỉnh Ninh Bình đạt 89,10%.",
            [
                (91.02, "ranking", "tỉnh Bắc Ninh"),
                (2, "ranking", "tỉnh Nam Định"),
                (89.75, "ranking", "tỉnh Nam Định"),
                (3, "ranking", "tỉnh Ninh Bình"),
                (89.1, "ranking", "tỉnh Ninh Bình"),
            ],
        ),
        (
            "Năm 2023, trong khối sở, ngành, Sở Tư pháp dẫn đầu Chỉ số CCHC với 93,15 điểm; thứ hai là Sở Nội vụ "
            "92,80 điểm.",
            [(93.15, "ranking", "Sở Tư pháp"), (2, "ranking", "Sở Nội vụ"), (92.8, "ranking", "Sở Nội vụ")],
        ),
        ("Năm 2023, huyện Ba Tơ đứng thứ 6 toàn tỉnh về Chỉ số CCHC.", [(6, "unit", "huyện Ba Tơ")]),
        # "lần lượt": the k-th figure is the k-th unit's
        (
            "Năm 2022, Chỉ số CCHC của Bến Tre, Trà Vinh và Vĩnh Long lần lượt đạt 86,1%, 85,2% và 84,3%.",
            [(86.1, "ranking", "Bến Tre"), (85.2, "ranking", "Trà Vinh"), (84.3, "ranking", "Vĩnh Long")],
        ),
        # a qualifier in parentheses is an aside, not the owner
        (
            "Quý II/2023, Trung tâm Phục vụ hành chính công tỉnh (đơn vị thuộc Văn phòng UBND tỉnh) tiếp nhận "
            "4.410 hồ sơ.",
            [(4410, "province", None)],
        ),
        # a group of communes is a level, even when "của tỉnh" follows it
        ("Quý III/2025, 86 xã, phường của tỉnh tiếp nhận 52.300 hồ sơ.", [(52300, "level", None)]),
    ],
)
def test_scope_of_figures(text, expected):
    assert scopes(text) == expected


def _row(text: str, number: str, **values) -> dict:
    start = text.index(number)
    row = dict.fromkeys(METRIC_COLUMNS)
    row.update(metric="index.sipas.score", start=start, end=start + len(number), warnings=[], **values)
    return row


def test_a_national_figure_is_no_province_s():
    text = "Năm 2022, Chỉ số SIPAS của tỉnh đạt 82,5%, cao hơn mức trung bình cả nước (80,1%)."
    rows = [_row(text, "82,5%", province="Trà Vinh"), _row(text, "80,1%", province="Trà Vinh")]
    assign_scopes(text, rows, [], published="2023-03-01")
    assert [(r["scope"], r["province"], r["province_code"]) for r in rows] == [
        ("province", "Trà Vinh", "84"),
        ("national", None, None),
    ]


def test_every_row_has_a_scope_and_codes():
    rows = extract_metrics(
        "Năm 2022, toàn tỉnh tiếp nhận 45.100 hồ sơ; Công an tỉnh tiếp nhận 9.020 hồ sơ.", "2022-12-30"
    )
    assert all(r["scope"] in SCOPES for r in rows)


def test_a_scope_set_by_the_rules_is_kept():
    rows = [
        {"metric": "index.par.rank", "value": 14, "start": 0, "end": 2, "scope": "ranking", "subject": "Cần Thơ"},
        {"metric": "index.par.score", "value": 86.2, "start": 5, "end": 9, "scope": "national", "subject": None},
    ]
    for row in rows:
        row["province"] = "Sóc Trăng"
    assign_scopes("14 / 86,2", rows, [], published="2023-05-01")
    assert [r["scope"] for r in rows] == ["ranking", "national"]
    # a ranking entry naming a province is that province's; a national figure is no province's
    assert (rows[0]["province"], rows[0]["province_code"], rows[0]["province_2025"]) == ("Cần Thơ", "92", "Cần Thơ")
    assert rows[1]["province"] is None and rows[1]["province_code"] is None


def test_province_codes_follow_the_row_province():
    row = extract_metrics("Năm 2019, toàn tỉnh tiếp nhận 20.400 hồ sơ.", "2019-12-20")[0]
    row_with_province = dict(row, scope=None, province="Sóc Trăng")
    assign_scopes("Năm 2019, toàn tỉnh tiếp nhận 20.400 hồ sơ.", [row_with_province], [], published="2019-12-20")
    assert row_with_province["province_code"] == "94"
    assert row_with_province["province_2025"] == "Cần Thơ"
    assert row_with_province["province_2025_code"] == "92"


def test_a_former_province_named_after_the_merger_keeps_its_own_figure():
    rows = extract_metrics(
        "Năm 2024, Chỉ số CCHC của tỉnh Hà Giang (cũ) đạt 83,6%, xếp thứ 41/63.",
        "2025-09-10",
    )
    assert [(r["scope"], r["province"]) for r in rows] == [("province", "Hà Giang"), ("province", "Hà Giang")]
    assert rows[0]["province_2025"] == "Tuyên Quang"


def test_find_owners_lists_speakers_out():
    owners = find_owners("Phó Giám đốc Sở Tư pháp cho biết, huyện Châu Thành tiếp nhận 900 hồ sơ.")
    assert [o.subject for o in owners] == ["huyện Châu Thành"]
