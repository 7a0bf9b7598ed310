"""Metric extraction: labelled examples (sentences written for these tests), the traps,
consistency warnings, periods, targets, subjects, the classifier hook and the component."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_nlp.metrics import MentionContext, extract_metrics, number_mentions, unlabelled_mentions
from cchc_nlp.records import METRIC_COLUMNS


def rows_of(text: str, published: str | None = "2021-06-30") -> list[tuple]:
    return [(r["metric"], r["value"]) for r in extract_metrics(text, published)]


def one(text: str, published: str | None = "2021-06-30") -> dict:
    rows = extract_metrics(text, published)
    assert len(rows) == 1, rows
    return rows[0]


# (text, expected (metric, value) rows in text order)
LABELLED = [
    (
        "Quý II/2021, Trung tâm tiếp nhận 8.406 hồ sơ, đã giải quyết 8.112 hồ sơ, đang giải quyết 294 hồ sơ.",
        [("dossier.received", 8406), ("dossier.resolved", 8112), ("dossier.pending", 294)],
    ),
    (
        "Trong đó, giải quyết trước hạn 7.530 hồ sơ, đúng hạn 561 hồ sơ và trễ hạn 21 hồ sơ.",
        [("dossier.early", 7530), ("dossier.on_time", 561), ("dossier.overdue", 21)],
    ),
    ("Số hồ sơ giải quyết đúng và trước hạn là 9.870 hồ sơ, chiếm tỷ lệ 99,2%.", [("dossier.on_time_or_early", 9870)]),
    ("Huyện đã giải quyết trước và đúng hẹn 2.415 hồ sơ.", [("dossier.on_time_or_early", 2415)]),
    ("Tỷ lệ giải quyết hồ sơ đúng hạn của tỉnh đạt 97,46%.", [("dossier.on_time_or_early", 97.46)]),
    ("Tỷ lệ hồ sơ trước hạn đạt 80,2%, đúng hạn 18,3%.", [("dossier.early", 80.2), ("dossier.on_time", 18.3)]),
    (
        "Hồ sơ tồn kỳ trước chuyển sang là 1.206 hồ sơ; tiếp nhận mới 5.380 hồ sơ.",
        [("dossier.carried_over", 1206), ("dossier.received", 5380)],
    ),
    ("Trung tâm tiếp nhận và xử lý trực tuyến 2.118 hồ sơ.", [("dossier.online", 2118)]),
    (
        "Qua dịch vụ bưu chính công ích đã tiếp nhận 320 hồ sơ, trả kết quả 615 hồ sơ.",
        [("dossier.postal.received", 320), ("dossier.postal.returned", 615)],
    ),
    ("Có 52 hồ sơ (chiếm 1,3%) bị trả lại hoặc người nộp xin rút hồ sơ.", [("dossier.returned_or_withdrawn", 52)]),
    ("Tổng số thủ tục hành chính của tỉnh là 1.805 thủ tục.", [("tthc.total", 1805)]),
    (
        "Tỉnh đã ban hành mới 96 thủ tục; sửa đổi, bổ sung 41 thủ tục; bãi bỏ 17 thủ tục.",
        [("tthc.new", 96), ("tthc.amended", 41), ("tthc.abolished", 17)],
    ),
    ("Đã đơn giản hóa 412 thủ tục và cắt giảm 38 thủ tục hành chính.", [("tthc.simplified", 412), ("tthc.cut", 38)]),
    (
        "Tỉnh có 615 dịch vụ công trực tuyến mức độ 3 và 207 dịch vụ công trực tuyến mức độ 4.",
        [("dvctt.level3", 615), ("dvctt.level4", 207)],
    ),
    (
        "Có 842 TTHC cung cấp dịch vụ công trực tuyến toàn trình, 310 TTHC cung cấp trực tuyến một phần.",
        [("dvctt.full", 842), ("dvctt.partial", 310)],
    ),
    ("Huyện thực hiện đạt 18/24 nhiệm vụ, đạt 75% kế hoạch.", [("plan.tasks_done", 18)]),
    ("Các cơ quan đã hoàn thành trên 85% nội dung, nhiệm vụ.", [("plan.completion", 85)]),
    (
        "Năm 2020, Chỉ số CCHC của tỉnh đạt 84,31 điểm, xếp thứ 19/63, tăng 4 bậc.",
        [("index.par.score", 84.31), ("index.par.rank", 19)],
    ),
    ("Chỉ số SIPAS năm 2020 đạt 87,2%, xếp thứ 15/63.", [("index.sipas.score", 87.2), ("index.sipas.rank", 15)]),
    ("PAPI năm 2020 của tỉnh đạt 43,02 điểm, xếp hạng 12/63.", [("index.papi.score", 43.02), ("index.papi.rank", 12)]),
    ("PCI năm 2020 đạt 65,1 điểm, đứng thứ 27/63.", [("index.pci.score", 65.1), ("index.pci.rank", 27)]),
    ("Theo Bộ chỉ số 766, tỉnh đạt 81,4/100 điểm, xếp thứ 22/63.", [("index.766.score", 81.4), ("index.766.rank", 22)]),
    ("Có 97% văn bản đi được ký số và gửi điện tử.", [("edoc.signed_share", 97)]),
    ("Giai đoạn 2016-2021, tỉnh đã tinh giản 845 biên chế.", [("staff.cut", 845)]),
    # traps: numbers that are not figures
    ("Thực hiện Quyết định số 1291/QĐ-UBND ngày 12/5/2021, hội nghị có 85 đại biểu tham dự.", []),
    ("Sở áp dụng TCVN ISO 9001:2015; đường dây nóng 0269 3 812 345.", []),
    ("Chỉ số CCHC của tỉnh tăng 6 bậc và tăng 2,15 điểm so với năm 2019.", []),
    ("Tỉnh tổ chức 4 lớp tập huấn cho 320 cán bộ, công chức.", []),
    ("Tổng đài đã tiếp nhận 640 cuộc gọi của người dân.", []),
    ("Bộ phận một cửa tiếp nhận hồ sơ từ 7 giờ 30 đến 17 giờ.", []),
    ("Tháng 5/2021 có 96 hồ sơ trễ hạn, giảm 21 hồ sơ so với tháng trước.", [("dossier.overdue", 96)]),
    ("PAR INDEX 2021 của tỉnh đạt 86,9%, xếp vị trí 14/63.", [("index.par.score", 86.9), ("index.par.rank", 14)]),
    # the national average is a row of its own (scope "national")
    (
        "Chỉ số SIPAS đạt 84,2%, cao hơn mức trung bình cả nước (80,1%).",
        [("index.sipas.score", 84.2), ("index.sipas.score", 80.1)],
    ),
    ("Tỉnh hoàn thành 20/24 nhiệm vụ, 4 nhiệm vụ đang triển khai.", [("plan.tasks_done", 20)]),
]


@pytest.mark.parametrize("text, expected", LABELLED, ids=[t[:40] for t, _ in LABELLED])
def test_labelled_examples(text, expected):
    assert rows_of(text) == expected


def test_record_has_every_column_and_is_plain_json():
    import json

    row = one("Năm 2020, toàn tỉnh tiếp nhận 412.608 hồ sơ.", "2021-01-15")
    assert tuple(row) == METRIC_COLUMNS
    assert json.loads(json.dumps(row)) == row
    assert row["doc_id"] is None and row["unit"] == "count" and row["qualifier"] == "exact"


def test_fraction_with_stated_share_is_one_row_and_mismatch_is_warned():
    row = one("Năm 2016, tỉnh đã đơn giản hóa 1132/1937 thủ tục (đạt 57,41%).", "2017-01-05")
    assert (row["metric"], row["value"], row["denominator"], row["share"]) == ("tthc.simplified", 1132, 1937, 57.41)
    assert row["warnings"] == ["share_mismatch: 1132/1937 = 58.44%, stated 57.41%"]
    assert row["sentence"].startswith("Năm 2016")


def test_consistent_share_has_no_warning():
    row = one("Huyện đạt 9/24 nhiệm vụ, đạt 37,5% kế hoạch.")
    assert (row["denominator"], row["share"], row["warnings"]) == (24, 37.5, [])


def test_rank_and_score_units():
    rank, score = sorted(
        extract_metrics("Năm 2019, chỉ số CCHC xếp thứ 42/63; PCI đạt 70,61/100 điểm."), key=lambda r: r["unit"]
    )
    assert (rank["metric"], rank["unit"], rank["value"], rank["denominator"]) == ("index.par.rank", "rank", 42, 63)
    assert (score["metric"], score["unit"], score["value"], score["denominator"]) == (
        "index.pci.score",
        "score",
        70.61,
        100,
    )


def test_percent_only_figure_has_share_equal_to_value():
    row = one("Tỷ lệ đúng hạn đạt 98,33%.")
    assert (row["metric"], row["unit"], row["value"], row["share"]) == (
        "dossier.on_time_or_early",
        "percent",
        98.33,
        98.33,
    )


def test_levels_are_not_numbers_and_change_amounts_are_set_aside():
    row = one("Phấn đấu đến năm 2025, 90% dịch vụ công trực tuyến được cung cấp ở mức độ 3,4.", "2021-03-01")
    assert (row["metric"], row["value"], row["is_target"]) == ("dvctt.level3_4", 90, True)
    statuses = {m["raw"]: m["status"] for m in number_mentions("PCI xếp thứ 20/63, tăng 3 bậc so với năm 2019.")}
    assert statuses == {"20/63": "metric", "3": "change"}


def test_ngan_figures_and_qualifiers():
    rows = extract_metrics(
        "Tháng 5/2021, Trung tâm tiếp nhận hơn 6,2 ngàn hồ sơ, gần 1,1 ngàn hồ sơ trực tuyến.", "2021-06-02"
    )
    assert [(r["metric"], r["value"], r["qualifier"]) for r in rows] == [
        ("dossier.received", 6200, "lower_bound"),
        ("dossier.online", 1100, "approx"),
    ]


def test_targets_and_actuals_in_one_sentence():
    rows = extract_metrics("Năm 2020, tỷ lệ hồ sơ trực tuyến đạt 31,5%; phấn đấu năm 2021 đạt 45%.", "2021-01-20")
    assert [(r["value"], r["is_target"], r["period_start"]) for r in rows] == [
        (31.5, False, "2020-01-01"),
        (45, True, "2021-01-01"),
    ]


def test_target_heading_marks_the_list_under_it():
    text = "Mục tiêu năm 2022:\n- Tối thiểu 60% hồ sơ được nộp trực tuyến;\n- 100% văn bản điện tử được ký số."
    rows = extract_metrics(text, "2022-01-10")
    assert [(r["metric"], r["value"], r["is_target"], r["qualifier"]) for r in rows] == [
        ("dossier.online", 60, True, "lower_bound"),
        ("edoc.signed_share", 100, True, "exact"),
    ]
    assert {r["period_start"] for r in rows} == {"2022-01-01"}


def test_target_list_continues_across_semicolons_until_an_actual_figure():
    rows = extract_metrics(
        "Kế hoạch năm 2022 đặt ra chỉ tiêu 65% hồ sơ nộp trực tuyến; 98% văn bản đi được ký số; "
        "năm 2021 đã có 51,2% hồ sơ nộp trực tuyến.",
        "2022-01-05",
    )
    assert [(r["value"], r["is_target"]) for r in rows] == [(65, True), (98, True), (51.2, False)]


def test_subjects_and_scope_levels():
    text = (
        "Quý I/2021, Công an tỉnh tiếp nhận 1.920 hồ sơ; Sở Tư pháp tiếp nhận 640 hồ sơ; "
        "cấp huyện tiếp nhận 12.400 hồ sơ và cấp xã tiếp nhận 20.150 hồ sơ."
    )
    got = [(r["subject"], r["scope_level"]) for r in extract_metrics(text, "2021-04-05")]
    assert got == [("Công an tỉnh", "tỉnh"), ("Sở Tư pháp", "tỉnh"), (None, "huyện"), (None, "xã")]
    rows = extract_metrics(
        "Năm 2020, Chỉ số CCHC của huyện Mỹ Tú đạt 88,6 điểm, đứng thứ 3 toàn tỉnh; SIPAS đạt 91,2%."
    )
    assert [(r["metric"], r["subject"], r["scope_level"]) for r in rows] == [
        ("index.par.score", "huyện Mỹ Tú", "huyện"),
        ("index.par.rank", "huyện Mỹ Tú", "huyện"),
        ("index.sipas.score", "huyện Mỹ Tú", "huyện"),
    ]
    assert one("Năm 2020, toàn tỉnh tiếp nhận 400 hồ sơ.")["subject"] is None


def test_period_from_sentence_paragraph_and_article():
    text = (
        "Kết quả giải quyết hồ sơ quý III/2021\n\n"
        "Trung tâm đã tiếp nhận 3.200 hồ sơ.\n\n"
        "Tháng 9/2021, Trung tâm tiếp nhận 1.150 hồ sơ. Trung tâm đã giải quyết 1.090 hồ sơ.\n\n"
        "Từ ngày 1/1 - 15/8/2021, Công an tỉnh tiếp nhận 820 hồ sơ; Bưu điện tỉnh tiếp nhận 64 hồ sơ (từ ngày 5/6 - "
        "15/8)."
    )
    periods = [(r["value"], r["period_start"], r["period_end"]) for r in extract_metrics(text, "2021-10-04")]
    assert periods == [
        (3200, "2021-07-01", "2021-09-30"),  # article: the title's period
        (1150, "2021-09-01", "2021-09-30"),  # sentence
        (1090, "2021-09-01", "2021-09-30"),  # paragraph
        (820, "2021-01-01", "2021-08-15"),
        (64, "2021-06-05", "2021-08-15"),  # its own parenthesis
    ]


def test_reference_years_and_event_dates_are_not_periods():
    row = one(
        "Ngày 12/3/2021, Sở Nội vụ công bố: Chỉ số CCHC năm 2020 của tỉnh xếp thứ 21/63, tăng 5 bậc so với năm 2019."
    )
    assert (row["period_start"], row["period_end"]) == ("2020-01-01", "2020-12-31")
    row = one("Tính đến ngày 15/4/2021, tỉnh đã cung cấp 460 dịch vụ công trực tuyến mức độ 4.")
    assert (row["period_start"], row["period_end"], row["period_label"]) == (None, "2021-04-15", "ngày 15/4/2021")


def test_identity_and_share_sum_warnings():
    rows = extract_metrics(
        "Tháng 3/2021, huyện tiếp nhận 2.500 hồ sơ, đã giải quyết 2.300 hồ sơ, đang giải quyết 150 hồ sơ."
    )
    assert rows[0]["warnings"] == ["identity_mismatch: received 2500 != resolved 2300 + pending 150 = 2450"]
    rows = extract_metrics(
        "Tháng 3/2021, cấp xã giải quyết trước hạn 900 hồ sơ, chiếm 85,5%; đúng hạn 120 hồ sơ, chiếm 16%."
    )
    assert all(r["warnings"] == ["share_sum: early 85.5% + on_time 16% = 101.5% > 100%"] for r in rows)
    clean = extract_metrics(
        "Tháng 3/2021, huyện tiếp nhận 2.500 hồ sơ, đã giải quyết 2.300 hồ sơ, đang giải quyết 200 hồ sơ."
    )
    assert all(r["warnings"] == [] for r in clean)


def test_breakdown_inherits_the_parent_metric():
    rows = extract_metrics(
        "Quý I/2021, toàn tỉnh tiếp nhận 9.000 hồ sơ. Trong đó, cấp tỉnh 2.000 hồ sơ, cấp huyện 3.000 hồ sơ và cấp "
        "xã 4.000 hồ sơ."
    )
    assert [(r["metric"], r["scope_level"]) for r in rows] == [
        ("dossier.received", None),
        ("dossier.received", "tỉnh"),
        ("dossier.received", "huyện"),
        ("dossier.received", "xã"),
    ]
    assert rows[0]["confidence"] == 0.9 and rows[1]["confidence"] < 0.9


def test_unlabelled_mentions_keep_their_clause():
    text = "Tỉnh có 14 tổ công nghệ số cộng đồng; năm 2021 tiếp nhận 600 hồ sơ."
    unlabelled = unlabelled_mentions(text, "2022-01-01")
    assert [(m["raw"], m["clause"]) for m in unlabelled] == [("14", "Tỉnh có 14 tổ công nghệ số cộng đồng")]
    assert {"start", "end", "value", "unit", "sentence", "reason"} <= set(unlabelled[0])


def test_classifier_hook_only_rekeys_or_removes_doubtful_rule_rows():
    calls = []

    def hook(context):
        calls.append(context)
        assert isinstance(context, MentionContext) and isinstance(context, str)
        return ("dossier.online", 0.71) if context.text[context.start : context.end] == "300" else ("none", 0.95)

    # "14 tổ" is no figure (the hook is never asked); "Công an tỉnh 300 hồ sơ" inherits its key
    # from the row before (confidence 0.5): the hook may re-key it, not the 0.9 rows
    text = "Tỉnh có 14 tổ công nghệ số; Trung tâm tiếp nhận 1.200 hồ sơ; Công an tỉnh 300 hồ sơ."
    assert rows_of(text, "2022-01-01") == [("dossier.received", 1200), ("dossier.received", 300)]
    rows = extract_metrics(text, "2022-01-01", classifier=hook)
    assert [(r["metric"], r["value"], r["confidence"]) for r in rows] == [
        ("dossier.received", 1200, 0.9),
        ("dossier.online", 300, 0.71),
    ]
    assert [str(c).strip() for c in calls] == ["Công an tỉnh 300 hồ sơ."]
    # "none" with a high probability removes a doubtful row
    assert [r["value"] for r in extract_metrics(text, "2022-01-01", classifier=lambda c: ("none", 0.9))] == [1200]
    assert [r["value"] for r in extract_metrics(text, "2022-01-01", classifier=lambda c: None)] == [1200, 300]


def test_input_errors():
    from cchc_nlp.errors import InputError

    with pytest.raises(InputError):
        extract_metrics(42)
    with pytest.raises(InputError):
        extract_metrics("Năm 2020 tiếp nhận 5 hồ sơ.", published="hôm qua")


def test_component_fills_doc_metrics():
    from cchc_nlp.text.pipeline import load

    nlp = load(components=["cchc_metrics"])
    doc = nlp.parse(
        "Tháng 4/2021, Trung tâm tiếp nhận 1.204 hồ sơ, trong đó 310 hồ sơ trực tuyến.", published="2021-05-03"
    )
    assert [(r["metric"], r["value"], r["period_start"]) for r in doc._.metrics] == [
        ("dossier.received", 1204, "2021-04-01"),
        ("dossier.online", 310, "2021-04-01"),
    ]
    assert doc.text[doc._.metrics[0]["start"] : doc._.metrics[0]["end"]] == "1.204"


def test_empty_and_numberless_texts():
    assert extract_metrics("") == []
    assert extract_metrics("Hội nghị diễn ra sáng nay.") == []
    assert unlabelled_mentions("") == []


_PIECES = [
    "tiếp nhận",
    "hồ sơ",
    "đã giải quyết",
    "trước hạn",
    "(đạt",
    ")",
    ",",
    ";",
    ".",
    "xếp thứ",
    "Chỉ số CCHC",
    "điểm",
    "tăng",
    "bậc",
    "năm 2020",
    "quý II/2021",
    "phấn đấu",
    "cấp huyện",
    "Công an tỉnh",
    "trong đó",
    "1.937",
    "57,41%",
    "42/63",
    "12",
    "5,6 ngàn",
    "mức độ 3,4",
    "\n",
    "\n\n",
    "so với",
    "TTHC",
    "%",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_any_arrangement_of_genre_pieces_gives_well_formed_rows(pieces):
    text = " ".join(pieces)
    rows = extract_metrics(text, "2021-06-30")
    normalized = __import__("cchc_nlp").normalize_text(text)
    for r in rows:
        assert tuple(r) == METRIC_COLUMNS
        assert 0 <= r["start"] < r["end"] <= len(normalized)
        assert r["unit"] in ("count", "percent", "score", "rank")
        assert 0 < r["confidence"] <= 1
        assert r["sentence"] and normalized[r["start"] : r["end"]] in r["sentence"]
    for m in number_mentions(text, "2021-06-30"):
        assert m["status"] in ("metric", "share", "change", "rejected", "unlabelled")
