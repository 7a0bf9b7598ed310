"""Precision on real prose (issue 10): a number is a row only with evidence for its key;
lists of units, national figures, index names in an earlier sentence, periods of
achievements; and the contrast suite (pairs that differ only in a trap)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cchc_nlp.metrics import extract_metrics, number_mentions

CONTRAST = Path(__file__).parent / "gold" / "metrics_contrast.jsonl"


def rows_of(text, published="2024-05-20"):
    return [(r["metric"], r["value"]) for r in extract_metrics(text, published)]


def _contrast_docs():
    return [json.loads(line) for line in CONTRAST.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_contrast_ids_are_unique():
    ids = [doc["id"] for doc in _contrast_docs()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("doc", _contrast_docs(), ids=lambda d: d["id"])
def test_contrast_pair_gives_exactly_its_rows(doc):
    def key(row):
        return (row["metric"], round(float(row["value"]), 6), bool(row["is_target"]), row.get("scope") == "national")

    predicted = Counter(key(r) for r in extract_metrics(doc["text"], doc["published"]))
    expected = Counter(key(r) for r in doc["metrics"])
    assert predicted == expected, doc["text"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # list markers, counts of other things, ordinals of years, groups
        ("PAPI 2023 đo lường qua 8 chỉ số nội dung: (1) tham gia; (2) công khai; (3) giải trình.", []),
        ("Chỉ số SIPAS đo lường 5 yếu tố của quá trình cung ứng dịch vụ.", []),
        (
            "Năm 2023, PCI của tỉnh đạt 66,1 điểm; đây là năm thứ 7 liên tiếp tỉnh nằm trong Top 10.",
            [
                ("index.pci.score", 66.1),
            ],
        ),
        ("Năm 2024, tỉnh phấn đấu đưa PCI vào Top 10 cả nước.", [("index.pci.rank", 10)]),
        ("Tỉnh phấn đấu Chỉ số CCHC thoát khỏi nhóm 10 địa phương cuối bảng.", []),
        # component scores and scales are not the index
        ("Chỉ số 766 của tỉnh đạt 86,2 điểm; nhóm chỉ số số hóa đạt 15,5/22 điểm.", [("index.766.score", 86.2)]),
        ("PAR INDEX đánh giá 8 lĩnh vực; tổng điểm tối đa là 100 điểm.", []),
        # thresholds and properties of a set of units
        ("Đơn vị có tỷ lệ hồ sơ trễ hạn trên 3% phải giải trình tại phiên họp.", []),
        ("Có 12/15 sở, ngành đạt tỷ lệ giải quyết đúng hạn 100%.", []),
        ("Có 21 địa phương đạt Chỉ số CCHC trên 88%.", []),
        ("Quý I, 104 xã, phường tiếp nhận 41.260 hồ sơ.", [("dossier.received", 41260)]),
        # changes are no figures; a level after "giảm còn" is
        ("Tỷ lệ hồ sơ trễ hạn giảm 1,4%.", []),
        ("Tỷ lệ hồ sơ trễ hạn giảm còn 1,4%.", [("dossier.overdue", 1.4)]),
        ("Tỷ lệ hồ sơ trực tuyến của tỉnh cao hơn Nghệ An 4,2%, Hà Tĩnh 6,1%.", []),
        # process compliance and direct-channel counts
        ("100% hồ sơ được tiếp nhận, xử lý trên Hệ thống thông tin giải quyết TTHC của tỉnh.", []),
        ("Tỉnh tiếp nhận 9.100 hồ sơ, trong đó tiếp nhận trực tiếp 5.200 hồ sơ.", [("dossier.received", 9100)]),
        # rates: the whole "tỷ lệ …" phrase names the key
        ("Tỷ lệ hồ sơ trực tuyến toàn trình của 21 xã, thị trấn đạt 57,2%.", [("dossier.online", 57.2)]),
        ("Tỷ lệ số hóa hồ sơ, kết quả giải quyết đạt 64,1%.", [("dossier.digitised", 64.1)]),
        # a lone "đúng hạn" count is on time or early; beside an early count it is on time
        ("Huyện giải quyết đúng hạn 4.812 hồ sơ.", [("dossier.on_time_or_early", 4812)]),
        (
            "Huyện giải quyết trước hạn 4.000 hồ sơ, đúng hạn 812 hồ sơ.",
            [("dossier.early", 4000), ("dossier.on_time", 812)],
        ),
        # ranks written as words, decimal points, the second figure of a sentence
        (
            "Về Chỉ số CCHC, thị xã A Lưới đứng thứ nhất, huyện Phú Vang thứ nhì.",
            [
                ("index.par.rank", 1),
                ("index.par.rank", 2),
            ],
        ),
        ("PAPI 2023 của tỉnh đạt 44.215 điểm.", [("index.papi.score", 44.215)]),
        ("Tháng 10/2024, Bộ chỉ số 766 của tỉnh đạt 90.12 điểm.", [("index.766.score", 90.12)]),
        ("Chỉ số CCHC năm 2023 của tỉnh xếp thứ 6/63, đạt 89,9%.", [("index.par.rank", 6), ("index.par.score", 89.9)]),
    ],
)
def test_evidence_for_the_key(text, expected):
    assert rows_of(text) == expected


def test_rejected_candidates_stay_mentions_with_their_reason():
    mentions = number_mentions("Đơn vị có tỷ lệ hồ sơ trễ hạn trên 3% phải giải trình.", "2024-01-10")
    assert [(m["status"], m["reason"]) for m in mentions] == [("rejected", "threshold (condition)")]


def test_index_named_in_an_earlier_sentence_is_the_antecedent():
    rows = extract_metrics("Chỉ số SIPAS năm 2022 của tỉnh đạt 82,4%. Tỉnh xếp thứ 17/63, tăng 4 bậc.", "2023-05-10")
    assert [(r["metric"], r["value"], r["antecedent"]) for r in rows] == [
        ("index.sipas.score", 82.4, None),
        ("index.sipas.rank", 17, "Chỉ số SIPAS"),
    ]
    assert rows[1]["period_start"] == "2022-01-01"  # the year the index measures
    # in a later paragraph a rank takes the article's first index, a bare percent nothing
    text = "Chỉ số SIPAS năm 2022 của tỉnh đạt 82,4%. Chỉ số PCI đạt 66 điểm.\n\nHuyện A xếp thứ 3, đạt 90%."
    assert rows_of(text) == [("index.sipas.score", 82.4), ("index.pci.score", 66), ("index.sipas.rank", 3)]


def test_a_figure_shared_by_units_named_together_is_a_row_for_each():
    text = "Chỉ số CCHC năm 2023: huyện Lộc Hà và huyện Can Lộc cùng xếp thứ 2 (88,4 điểm)."
    shared = [(r["metric"], r["value"], r["subject"], r["scope"]) for r in extract_metrics(text, "2024-05-20")]
    assert sorted(shared) == [
        ("index.par.rank", 2, "huyện Can Lộc", "ranking"),
        ("index.par.rank", 2, "huyện Lộc Hà", "ranking"),
        ("index.par.score", 88.4, "huyện Can Lộc", "ranking"),
        ("index.par.score", 88.4, "huyện Lộc Hà", "ranking"),
    ]
    # as many figures as units: one each, nothing to copy
    text = "Năm 2023, Chỉ số SIPAS của Kon Tum và Gia Lai lần lượt đạt 79,87% và 78,94%."
    assert rows_of(text) == [("index.sipas.score", 79.87), ("index.sipas.score", 78.94)]


def test_national_averages_are_national_rows():
    rows = extract_metrics("Năm 2023, Chỉ số SIPAS trung bình cả nước đạt 83,04%.", "2024-05-20")
    assert [(r["metric"], r["value"], r["scope"], r["province"]) for r in rows] == [
        ("index.sipas.score", 83.04, "national", None)
    ]
    # a difference from the average is no row
    assert rows_of("Chỉ số CCHC của tỉnh đạt 80,1%, thấp hơn trung bình cả nước 5,2%.") == [("index.par.score", 80.1)]


def test_an_achievement_never_ends_after_publication():
    (row,) = extract_metrics("Năm 2023, toàn tỉnh tiếp nhận 412.300 hồ sơ.", "2023-12-20")
    assert (row["period_start"], row["period_end"]) == ("2023-01-01", "2023-12-20")
    assert row["warnings"] and row["warnings"][0].startswith("period_clipped")
    (target,) = extract_metrics("Năm 2024, tỉnh phấn đấu tỷ lệ hồ sơ trực tuyến đạt 80%.", "2023-12-20")
    assert (target["is_target"], target["period_end"], target["warnings"]) == (True, "2024-12-31", [])
