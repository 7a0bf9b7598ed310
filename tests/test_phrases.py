"""The grouped phrase alternation (cchc_nlp/text/phrases.py) matches what the flat one does."""

from __future__ import annotations

import random
import re

from cchc_nlp.text.phrases import (
    case_variants,
    dispatched_alternation,
    grouped_alternation,
    leading_chars,
    word_start_alternation,
)


def _ignorecase_equals() -> dict[str, set[str]]:
    """char -> every character re matches it with under IGNORECASE, for the characters
    case_variants covers, from re's own rules: a letter matches another when their simple
    lowercase forms are equal or listed together in re's extra cases."""
    import _sre  # re's engine: its lowercase is the one IGNORECASE compares
    from re._casefix import _EXTRA_CASES

    by_lower: dict[int, set[str]] = {}
    for code in range(0x110000):
        by_lower.setdefault(_sre.unicode_tolower(code), set()).add(chr(code))
    out = {}
    for code in [*range(0x300), *range(0x1E00, 0x1F00)]:
        lower = _sre.unicode_tolower(code)
        equal = set(by_lower[lower])
        for other in _EXTRA_CASES.get(lower, ()):
            equal |= by_lower.get(other, set())
        out[chr(code)] = equal
    return out


def test_case_variants_cover_every_case_insensitive_match():
    equals = _ignorecase_equals()
    for char, equal in equals.items():
        assert set(case_variants(char)) == equal, char  # exactly: a case-insensitive caller checks no more
    # the rules read above are re's: spot checks with the engine itself
    for char in "tkKsSiIđĐấẤ":
        for other in equals[char]:
            assert re.fullmatch(re.escape(char), other, re.IGNORECASE), (char, other)
    assert case_variants("α") is None and case_variants("ж") is None


def test_grouped_alternation_matches_the_flat_one():
    phrases = ["tỉnh", "Tỉnh ủy", "thành phố", "TP.", "xã", "Xã", "sở", "đặc khu", "(cũ)", "6 tháng", "k", "Kỳ"]
    rnd = random.Random(7)
    words = [*phrases, "tỉnhx", "THÀNH PHỐ", "ĐẶC KHU", "ab", "SỞ", "ſở", "ſa", "\u212aỳ", "  ", ", ", "x1", "6  tháng"]
    texts = ["".join(rnd.choice(words) + rnd.choice(["", " ", ",", "\n"]) for _ in range(40)) for _ in range(300)]
    for sources in (re.escape, lambda p: r"(?<!\w)" + re.escape(p).replace(r"\ ", r"\s+")):
        ordered = sorted(phrases, key=lambda p: (-len(p), p))
        flat = "|".join(f"(?:{sources(p)})" for p in ordered)
        grouped = grouped_alternation(ordered, sources)
        assert grouped != flat
        for flags in (0, re.IGNORECASE):
            if flags:  # a case-insensitive caller may drop the check of the first letter
                grouped = grouped_alternation(ordered, sources, ignorecase=True)
            a, b = re.compile(f"(?:{flat})(?!\\w)", flags), re.compile(f"(?:{grouped})(?!\\w)", flags)
            for text in texts:
                assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]
                for pos in range(0, len(text), 3):
                    x, y = a.match(text, pos), b.match(text, pos)
                    assert (x and x.span()) == (y and y.span())


def test_leading_chars():
    assert leading_chars(r"(?=\d)(?<!\w)\d+:") == frozenset("0123456789")
    assert leading_chars(r"(?<![\w&-])(?:(?i:(?=[Tt])(?:tel))(?!\w))") == frozenset("Tt")
    assert leading_chars(r"(?i:(?=[tn]))(?<!\w)(?i:từ|ngày)") == frozenset("tTnN")
    assert leading_chars(r"(?=[TI])ISO\d+|TCVN\d+") is None  # the look-ahead covers one branch only
    assert leading_chars(r"(?=[TI])(?:ISO\d+|TCVN\d+)") == frozenset("TI")
    assert leading_chars(r"(?=[a-z])x") is None and leading_chars(r"\d+") is None


def test_every_block_shape_says_its_first_characters():
    """find_numbers' block shapes are tried only where they can start: each needs a leading
    look-ahead (or a phrase list behind one), else it is tried everywhere."""
    from cchc_nlp.text.numbers import _BLOCK_PATTERNS

    assert all(leading_chars(p) is not None for p in _BLOCK_PATTERNS)


def test_dispatched_alternation_matches_the_plain_one():
    sources = [
        r"(?=\d)(?<!\w)\d+:\d+",
        r"(?=[tT])(?i:tel)\s*\d+",
        r"(?i:(?=[tn]))(?:tháng|năm)\s+\d+",
        r"x\d",
        r"(?=\d)\d+",
    ]
    starts = "0123456789tTnNx"
    plain = re.compile(rf"(?<!\w)(?=[{starts}])(?:{'|'.join(f'(?:{s})' for s in sources)})")
    dispatched = re.compile(rf"(?<!\w)(?:{dispatched_alternation(sources, starts)})")
    rnd = random.Random(3)
    words = ["12:30", "tel 5", "Tel 0123", "tháng 3", "NĂM 2020", "x9", "7", "a", " ", ",", "ax1"]
    for _ in range(300):
        text = "".join(rnd.choice(words) + rnd.choice(["", " "]) for _ in range(30))
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in dispatched.finditer(text)]


def test_word_start_alternation_matches_the_plain_one():
    phrases = ["Thành phố", "thành phố", "TP.", "trung tâm", "huyện", "Huyện", "sở", "đơn vị", "6 tháng", "xã"]
    items = [(p, r"\s+\d+" if p.startswith("t") else "") for p in phrases]
    source = lambda p: re.escape(p).replace(r"\ ", r"\s+")  # noqa: E731
    rnd = random.Random(11)
    words = [*phrases, "THÀNH PHỐ", "xTP.", "ſở", "Sở", "1", "22", "năm", "a", " ", ",", "\n", "Đơn Vị"]
    texts = ["".join(rnd.choice(words) + rnd.choice(["", " ", "  "]) for _ in range(40)) for _ in range(300)]
    for lead in (r"(?<!\w)", r"(?<![\w/.,])(?<!năm\s)"):
        plain = lead + "(?:" + "|".join(f"(?:{source(p)}{tail})" for p, tail in items) + ")"
        for flags in (0, re.IGNORECASE):
            fast = word_start_alternation(items, source, lead, ignorecase=bool(flags))
            assert fast != plain and fast.startswith("(?-i:[")
            a, b = re.compile(f"({plain})(?!\\w)", flags), re.compile(f"({fast})(?!\\w)", flags)
            for text in texts:
                assert [m.regs for m in a.finditer(text)] == [m.regs for m in b.finditer(text)]
    assert word_start_alternation([("αβ", "")]) == r"(?<!\w)(?:(?:αβ))"  # outside the Latin letters: plain


def test_dispatched_alternation_drops_what_its_groups_checked():
    sources = [
        r"(?=\d)(?<!\w)\d+:\d+",
        r"(?<!\w)(?:(?i:(?=[Tt])tel))\s*\d+",
        r"(?i:(?=[tn]))(?<!\w)(?:tháng|năm)\s+\d+",
    ]
    out = dispatched_alternation(sources, "0123456789tTnN", r"(?<!\w)")
    assert r"(?=\d)" not in out and r"(?=[Tt])" not in out and "(?i:)" not in out and r"(?<!\w)" not in out
    assert re.compile(f"(?<!\\w)(?:{out})").findall("12:30 tel 5 xtel 6 tháng 7") == ["12:30", "tel 5", "tháng 7"]
