"""Text normalization: the single text every later stage and every offset refers to.

`normalize(raw)` returns a `NormalizedText`: the normalized string plus a compact
map back to character offsets in the raw input. What it does:

* Unicode NFC (legacy decomposed input such as "hoà" typed as o + grave + a);
* one tone-mark placement style, the one underthesea's models use
  ("hoà" -> "hòa", "thuỷ" -> "thủy", "khoá" -> "khóa"; "quý", "hoàng" untouched);
* no-break, thin and zero-width spaces, soft hyphens and control characters;
* "\\r\\n" line ends; runs of spaces collapsed; a line break kept as "\\n" and a
  paragraph break (two or more) as "\\n\\n"; leading/trailing whitespace dropped;
* the Icelandic eth "Ð" that old fonts use for "Đ".
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from cchc_nlp.errors import InputError

__all__ = ["NormalizedText", "normalize", "normalize_text", "fold_diacritics"]

# Spaces that are not plain " ", and zero-width characters, all treated as whitespace.
_SPACE_CHARS = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u0085"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LINE_BREAKS = "\\n\\r\\v\\f\u2028\u2029"
# Control characters count as spaces: they separate words in scraped text.
_CONTROL = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff"
_NOT_PLAIN_SPACE = _SPACE_CHARS + _ZERO_WIDTH + _LINE_BREAKS + _CONTROL
_COMBINING = "\u0300-\u036f"

_EDITS = [
    # a base character followed by combining marks: compose to NFC
    rf"(?P<comb>[^{_COMBINING}{_NOT_PLAIN_SPACE} ][{_COMBINING}]+)",
    # a whitespace run that is not a single plain space
    rf"(?P<ws> [ {_NOT_PLAIN_SPACE}]+|[{_NOT_PLAIN_SPACE}][ {_NOT_PLAIN_SPACE}]*)",
    r"(?P<eth>Ð)",
]
_EDIT_RE = re.compile("|".join(_EDITS))
# The rare text that is still not NFC after that (compatibility ideographs, combining marks
# of other scripts) is composed word by word: nothing composes across whitespace.
_EDIT_WORDS_RE = re.compile("|".join([*_EDITS, rf"(?P<word>[^ {_NOT_PLAIN_SPACE}]+)"]))

_LEADING_RE = re.compile(rf"[ {_NOT_PLAIN_SPACE}]*")

_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
# "oà", "oé", "uỷ"... at the end of a syllable: the tone moves to the first vowel.
# After "q" the "u" is part of the consonant ("quý"), so it is left alone.
_TONED_SECOND = "àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ"
_TONE_RE = re.compile(rf"(?<![qQ])([oOuU])([{_TONED_SECOND}])(?![^\W\d_])")
_VALID_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}


def _move_tone(match: re.Match) -> str:
    first, second = match.group(1), match.group(2)
    base, *marks = unicodedata.normalize("NFD", second)
    if (first.lower(), base.lower()) not in _VALID_PAIRS or len(marks) != 1 or marks[0] not in _TONES:
        return match.group(0)
    return unicodedata.normalize("NFC", first + marks[0]) + base


@dataclass(frozen=True)
class NormalizedText:
    """A normalized text and the way back to the raw input's offsets.

    `anchors` is a sorted list of (normalized_offset, original_offset) pairs; between
    two anchors both texts advance in step, so any offset maps in O(log n).
    """

    text: str
    original_length: int
    anchors: tuple[tuple[int, int], ...] = field(default=((0, 0),))

    def to_original(self, offset: int) -> int:
        """Map an offset in the normalized text to the raw input's offset."""
        if not self.anchors:
            return offset
        i = bisect.bisect_right(self.anchors, (offset, float("inf"))) - 1
        norm_at, orig_at = self.anchors[max(i, 0)]
        return min(orig_at + (offset - norm_at), self.original_length)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text to the raw input."""
        if end <= start:
            point = self.to_original(start)
            return point, point
        return self.to_original(start), self.to_original(end - 1) + 1


def _check_input(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bytes, bytearray)):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"input bytes are not UTF-8 text (bad byte at offset {exc.start}); "
                "decode the file with its real encoding first"
            ) from None
    raise InputError(f"expected text (str), got {type(raw).__name__}; pass the article text as a string")


def _whitespace(run: str) -> str:
    newlines = run.count("\n") + run.count("\r") - run.count("\r\n") + sum(run.count(c) for c in "\v\f\u2028\u2029")
    if newlines >= 2:
        return "\n\n"
    if newlines == 1:
        return "\n"
    if any(c not in _ZERO_WIDTH for c in run):
        return " "
    return ""


def normalize(raw: str | bytes) -> NormalizedText:
    """Normalize raw article text; see the module docstring for the rules.

    >>> normalize("Hoà  Bình\\u00a0thuỷ").text
    'Hòa Bình thủy'
    """
    text = _check_input(raw)
    normalized = _normalize(text, _EDIT_RE)
    if not unicodedata.is_normalized("NFC", normalized.text):
        normalized = _normalize(text, _EDIT_WORDS_RE)
    return normalized


def _normalize(text: str, edits: re.Pattern) -> NormalizedText:
    # Leading whitespace and control characters are skipped; the first kept character
    # anchors normalized offset 0.
    lead = _LEADING_RE.match(text).end()
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = [(0, lead)]
    norm_pos = 0
    orig_pos = lead
    for match in edits.finditer(text, lead):
        start, end = match.span()
        kind = match.lastgroup
        if kind == "comb":
            replacement = unicodedata.normalize("NFC", match.group())
        elif kind == "ws":
            replacement = _whitespace(match.group())
        elif kind == "word":
            replacement = unicodedata.normalize("NFC", match.group()).replace("Ð", "Đ")
        else:
            replacement = "Đ"
        if replacement == match.group():
            continue
        pieces.append(text[orig_pos:start])
        norm_pos += start - orig_pos
        anchors.append((norm_pos, start))
        pieces.append(replacement)
        norm_pos += len(replacement)
        orig_pos = end
        anchors.append((norm_pos, end))
    pieces.append(text[orig_pos:])
    joined = "".join(pieces)
    # A space left by a control character next to other whitespace: collapse once more is
    # not needed for offsets (same-length edits only below).
    joined = _TONE_RE.sub(_move_tone, joined)
    return NormalizedText(text=joined.rstrip(" \n"), original_length=len(text), anchors=_dedupe(anchors))


def _dedupe(anchors: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: dict[int, int] = {}
    for n, o in anchors:
        out[n] = o
    return tuple(sorted(out.items()))


def normalize_text(raw: str | bytes) -> str:
    """The normalized string alone (see `normalize`)."""
    return normalize(raw).text


_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def fold_diacritics(text: str) -> str:
    """Strip Vietnamese diacritics: "Vĩnh Long" -> "Vinh Long" (for matching unaccented input)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
