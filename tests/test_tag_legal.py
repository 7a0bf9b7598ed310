"""LEGAL_DOC and DATE/PERIOD tagging: labelled examples written for the tests."""

import pytest

from cchc_nlp.tag.legal import find_legal_docs, parse_doc_number
from cchc_nlp.tag.timex import find_times


def legal(text):
    return [(r["text"], r["norm"], r["attrs"].get("date")) for r in find_legal_docs(text, find_times(text, None))]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "thực hiện theo Quyết định số 12/2019/QĐ-UBND ngày 4/5/2019 của UBND tỉnh",
            [("Quyết định số 12/2019/QĐ-UBND", "12/2019/QĐ-UBND", "2019-05-04")],
        ),
        ("Nghị quyết số 05-NQ/TU ngày 10/8/2017 của Tỉnh ủy", [("Nghị quyết số 05-NQ/TU", "05-NQ/TU", "2017-08-10")]),
        ("triển khai Kế hoạch 845/KH-UBND.", [("Kế hoạch 845/KH-UBND", "845/KH-UBND", None)]),
        ("Theo Báo cáo số 27/BC-TTPVHCC, kết quả", [("Báo cáo số 27/BC-TTPVHCC", "27/BC-TTPVHCC", None)]),
        (
            "Kế hoạch số 318 đặt ra mục tiêu; Kế hoạch 318 cũng nêu",
            [("Kế hoạch số 318", "318", None), ("Kế hoạch 318", "318", None)],
        ),
        ("Báo cáo 6 tháng đầu năm và Kế hoạch 2021", []),
        ("Chương trình 2 năm, Đề án 06 của Chính phủ", [("Đề án 06", "06", None)]),
        ("căn cứ quyết định số 77 và quyết định 80", [("quyết định số 77", "77", None)]),
        ("Luật số 22/2008/QH12", [("Luật số 22/2008/QH12", "22/2008/QH12", None)]),
    ],
)
def test_labelled_legal_docs(text, expected):
    assert legal(text) == expected


def test_doc_number_parts():
    assert parse_doc_number("09/2015/QĐ-TTg") == {"code": "QĐ", "issuer": "TTg", "year": 2015}
    assert parse_doc_number("08-NQ/TU") == {"code": "NQ", "issuer": "TU"}
    assert parse_doc_number("1234/UBND-NC") == {"issuer": "UBND", "office": "NC"}
    assert parse_doc_number("202/2025/QH15") == {"issuer": "QH15", "year": 2025}


def test_times_are_anchored_on_the_publication_date():
    text = "Sáng ngày 14/12, hội nghị tổng kết năm 2017 và 6 tháng đầu năm nay."
    records = find_times(text, "2017-12-18")
    assert [(r["label"], r["text"], r["norm"]) for r in records] == [
        ("DATE", "ngày 14/12", "2017-12-14"),
        ("PERIOD", "năm 2017", "2017-01-01..2017-12-31"),
        ("PERIOD", "6 tháng đầu năm nay", "2017-01-01..2017-06-30"),
    ]


def test_times_without_any_date_keep_spans_but_no_values():
    records = find_times("Sáng ngày 14/12, hội nghị diễn ra; quý IV/2020 hoàn thành.", None)
    assert [(r["text"], r["norm"]) for r in records] == [
        ("ngày 14/12", None),
        ("quý IV/2020", "2020-10-01..2020-12-31"),
    ]
    assert records[0]["attrs"]["start"] is None
