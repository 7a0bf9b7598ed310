"""Vietnamese numbers: parse, format and find quantities in running text.

Conventions of the genre (docs/domain.md §1.3):

* ``.`` groups thousands (``1.937``, ``14.002.598``) and ``,`` is *always* the
  decimal mark (``57,41%``; ``94,696 điểm`` is 94.696, not 94 696);
* a dot followed by one or two digits is a decimal only before ``%``, a scale word
  or "điểm" (``54.9%``); elsewhere ``1.5`` is ambiguous (a date "1.5", a section
  number) and is not read as a number;
* scale words ngàn/nghìn (10^3), triệu (10^6), tỷ/tỉ (10^9), also compounded
  (``12 nghìn tỷ`` = 1.2e13);
* zero-padded counts (``03 bậc``), fractions ``a/b`` (``1132/1937``, ``7,5/12``);
* number words (``hai mươi lăm``); the vocabulary is in data/text/number_words.csv;
* qualifiers before the number (trên, hơn, gần, khoảng, dưới, tối đa ...) from
  data/text/qualifiers.csv.

`find_numbers` returns only *quantities*: it skips dates, years after năm/tháng/quý,
document numbers (``09/2015/QĐ-TTg``), ISO versions, phone numbers, clock times,
URLs, e-mails, file names, numbered names (``Phường 2``, ``Nghị quyết Trung ương 6``)
and level lists (``mức độ 3,4`` = levels 3 and 4, not 3.4). The context vocabulary
is in data/text/number_contexts.csv.

The module depends only on the standard library and the bundled data files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from cchc_nlp.resources import read_csv
from cchc_nlp.text.phrases import dispatched_alternation, grouped_alternation

__all__ = [
    "ParsedNumber",
    "NumberMention",
    "parse_number",
    "parse_number_words",
    "format_number",
    "find_numbers",
    "QUALIFIER_VALUES",
]

Number = int | float

# Qualifier labels (the metric gold format, tests/gold/README.md).
QUALIFIER_VALUES = ("exact", "approx", "lower_bound", "upper_bound")


@dataclass(frozen=True)
class ParsedNumber:
    """One number expression, parsed.

    value: int when integral and no decimal was written (or when a scale word makes
    it integral: "5,65 ngàn" -> 5650), else float. For a fraction "a/b" value is the
    numerator a. For a percent, value is the percent (57.41 for "57,41%").
    """

    value: Number
    is_percent: bool = False
    numerator: Number | None = None
    denominator: Number | None = None
    scale: str | None = None
    qualifier: str = "exact"
    raw: str = ""

    @property
    def is_fraction(self) -> bool:
        return self.denominator is not None


@dataclass(frozen=True)
class NumberMention:
    """A quantity found in a text; `text[start:end] == raw`.

    The span covers the qualifier word, the number, the % sign and a scale word when
    present, never the unit noun. unit is "percent" when a % (or "phần trăm") follows,
    else None (the caller decides count / score / rank from the noun).
    """

    start: int
    end: int
    value: Number
    unit: str | None = None
    numerator: Number | None = None
    denominator: Number | None = None
    scale: str | None = None
    qualifier: str = "exact"
    raw: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"

    @property
    def is_fraction(self) -> bool:
        return self.denominator is not None


# --------------------------------------------------------------------------- data


def _alternation(phrases) -> str:
    """A regex alternation, longest phrase first, inner spaces matching any space run; for
    case-insensitive patterns only (every one of this module)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return grouped_alternation(ordered, lambda p: r"\s+".join(re.escape(part) for part in p.split()), ignorecase=True)


def _first_chars(phrases) -> str:
    """A regex character-class body with the first letter of each phrase, both cases."""
    chars = {c for p in phrases for c in (p[0].lower(), p[0].upper())}
    return "".join(re.escape(c) for c in sorted(chars))


@cache
def _number_words() -> dict[str, tuple[int, str, bool]]:
    return {
        row["word"]: (int(row["value"]), row["kind"], row["standalone"] == "true")
        for row in read_csv("text/number_words.csv")
    }


@cache
def _qualifiers() -> dict[str, str]:
    return {" ".join(row["phrase"].split()): row["qualifier"] for row in read_csv("text/qualifiers.csv")}


@cache
def _contexts() -> dict[str, tuple[str, ...]]:
    roles: dict[str, list[str]] = {}
    for row in read_csv("text/number_contexts.csv"):
        roles.setdefault(row["role"], []).append(row["phrase"])
    return {role: tuple(phrases) for role, phrases in roles.items()}


_WORDS = _number_words()
_SCALE_WORDS = {w: v for w, (v, kind, _) in _WORDS.items() if kind == "scale"}
_CTX = _contexts()

# --------------------------------------------------------------------------- regexes

_QUAL = _alternation(_qualifiers())
_SCALE_ALT = _alternation(_SCALE_WORDS)
_SCALE = rf"(?:{_SCALE_ALT})(?:\s+(?:{_SCALE_ALT}))*"
_PERCENT = r"\s?%|\s+phần\s+trăm(?!\w)"
_NUMBER_WORD_ALT = _alternation(_WORDS)

# A numeric token: digits with inner . , / : separators. Not glued on the left to a
# word or to a "code/" or "code-" prefix; not glued on the right to letters. (In the
# mention regex it follows a word start or a space: no (?<!\w) of its own; a look-ahead on
# the digit first, so a word that is no qualifier fails at once.)
_TOKEN = r"(?=\d)(?<!\w[/:])(?<![^\W\d_]-)\d+(?:[.,/:]\d+)*(?![^\W\d_])"

_DIGIT_MENTION_RE = re.compile(
    rf"(?<!\w)(?=[0-9{_first_chars(_qualifiers())}])"
    rf"(?:(?P<qual>(?i:{_QUAL}))\s+)?"
    rf"(?P<num>{_TOKEN})"
    rf"(?:(?P<pct>{_PERCENT})|\s+(?P<scale>(?i:{_SCALE}))(?!\w)|(?=\s+(?P<diem>điểm)(?!\w)))?"
)
_WORD_MENTION_RE = re.compile(
    rf"(?<!\w)(?=[{_first_chars(list(_qualifiers()) + list(_WORDS))}])"
    rf"(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?P<words>(?:{_NUMBER_WORD_ALT})(?:\s+(?:{_NUMBER_WORD_ALT}))*)(?!\w)"  # at a word start or after a space
    rf"(?P<pct>\s+phần\s+trăm(?!\w))?",
    re.IGNORECASE,
)

_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_PLAIN_RE = re.compile(r"\d+(?:,\d+)?")
_DOT_DECIMAL_RE = re.compile(r"\d+\.\d{1,2}")
_DOC_SUFFIX_RE = re.compile(r"[/-][^\W\d_]")
_WORD_RE = re.compile(r"[^\W\d_]+")

_YEAR = r"(?:19|20)\d{2}"
_DM = r"\d{1,2}[/.-]\d{1,2}"
_DMY_OPT = r"\d{1,2}[/.-]\d{1,2}(?:[/.-](?:\d{4}|\d{2}))?(?!\d)"
_RANGE_SEP = r"\s*(?:-|–|(?i:đến|tới))\s*"
_LIST_SEP = r"\s*(?:,|;|(?i:và|hoặc))\s*"
# One level of a level list: "3" in "mức độ 3,4", not the "1" of "1.537".
_LEVEL = r"[1-4](?!\d|\.\d|,\d\d)"


def _ctx(role: str) -> str:
    """The phrases of one role, case-insensitive, as a group ending at a word boundary
    (behind a look-ahead on their first letters: a quick failure elsewhere)."""
    phrases = _CTX.get(role, ())
    ahead = f"(?=[{_first_chars(phrases)}])" if phrases else ""
    return f"(?i:{ahead}{_alternation(phrases)})(?!\\w)"


_CTX_PHRASES = [p for phrases in _CTX.values() for p in phrases] + ["từ", "ngày", "sa", "ch"]


# Spans whose digits are not quantities. Each alternative consumes the whole shape; one
# that starts with a digit or a fixed letter says so first, in a look-ahead (the phrases
# of `_ctx` have theirs): elsewhere it fails at once.
_BLOCK_PATTERNS = [
    r"(?=[TI])(?:(?:TCVN\s+)?ISO(?:/IEC)?\s*\d+(?:[:-]\d{4})?|TCVN\s*\d+(?:[:-]\d{4})?)",  # standards
    r"(?=\d)(?<!\w)\d{3,5}:" + _YEAR + r"(?!\w)",
    # phone after a cue; "ĐT" inside an agency's initials is no cue ("Sở GD-ĐT 15 thủ tục")
    rf"(?<![\w&-])(?:{_ctx('phone_cue')})\s*[:.]?\s*\(?\+?\d[\d\s.()-]*\d",
    r"(?=[+(0])(?<![\w.,])(?:\+84|\(?0\d{1,3}\)?)(?:[\s.-]?\d){7,9}(?!\d)",  # phone shape
    r"(?=[tT])(?<!\w)(?i:thứ\s+\d{1,2},?\s+từ\s+(?:trái|phải)\s+(?:sang|qua))(?!\w)",  # a place in a photo
    r"(?=\d)(?<!\w)\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?i:SA|CH|AM|PM)(?!\w))?",  # clock time
    rf"(?<!\w)(?:{_ctx('time_cue')})\s+\d{{1,2}}(?:\s*(?:giờ|h)(?:\s*\d{{1,2}}(?:\s*phút)?)?)?",
    rf"(?=[12])(?<!\w){_YEAR}-\d{{2}}-\d{{2}}(?:T[\d:.+Z-]*)?",  # ISO date
    rf"(?=\d)(?<![\w/.])\d{{1,2}}(?:/\d{{1,2}}/|\.\d{{1,2}}\.|-\d{{1,2}}-)(?:{_YEAR}|\d{{2}})(?![\w/])",  # d/m/y
    rf"(?=\d)(?<![\w/.]){_DM}{_RANGE_SEP}(?:(?i:ngày)\s+)?\d{{1,2}}[/.-]\d{{1,2}}[/.-]{_YEAR}",  # d/m - d/m/y
    rf"(?i:(?=[tn]))(?<!\w)(?i:từ|ngày)\s+{_DM}{_RANGE_SEP}(?:(?i:ngày)\s+)?{_DMY_OPT}",  # (từ ngày) 8/5 - 15/8
    rf"(?<!\w)(?:{_ctx('weekday')})\s*[,|–-]?\s*(?:(?i:ngày)\s+)?{_DMY_OPT}",
    rf"(?<!\w)(?:{_ctx('day_cue')})\s+\d{{1,2}}(?:{_LIST_SEP}\d{{1,2}})*(?:[/.-]\d{{1,2}}(?:[/.-](?:\d{{4}}|\d{{2}}))?"
    rf"|\s+(?i:tháng)\s+\d{{1,2}}(?:\s+(?i:năm)\s+{_YEAR})?)(?!\d)",
    rf"(?<!\w)(?:{_ctx('date_cue')})(?:\s+(?i:ngày))?\s+{_DMY_OPT}(?!\d)",
    rf"(?=\d)(?<![\w/.,])(?:0?[1-9]|1[0-2])[/-]{_YEAR}(?![\w/])",  # month/year
    rf"(?=[IVX])(?<!\w)[IVX]+\s*[/-]\s*{_YEAR}(?!\d)",  # quý IV/2020
    rf"(?<!\w)(?:{_ctx('year_cue')})\s+(?:(?:[IVX]+|\d{{1,2}})(?:\s*[/-]\s*|\s+(?i:năm)\s+))?{_YEAR}"
    rf"(?:(?:{_RANGE_SEP}|{_LIST_SEP})(?:(?i:năm)\s+)?{_YEAR}(?!\d|[.,]\d))*(?!\d|[.,]\d)",
    rf"(?<!\w)(?:{_ctx('month_cue')})\s+(?:0?[1-9]|1[0-2])(?!\d|[.,]\d)",
    rf"(?<!\w)(?:{_ctx('quarter_cue')})\s+(?:[1-4]|[IVX]+)(?!\w)",
    rf"(?=[12])(?<![\w.,]){_YEAR}\s*(?:-|–)\s*{_YEAR}(?!\w|[.,]\d)",  # year range
    rf"(?<!\w)(?:{_ctx('label')})\s+(?:(?i:số|thứ)\s+)?\d++(?:[.,/-]\d+)*+(?!\s?%)",  # Phường 2
    rf"(?<!\w)(?:{_ctx('level')})\s+{_LEVEL}(?:\s*(?:,|và|hoặc|-|–|đến)\s*{_LEVEL})*(?!\s?%)",  # mức độ 3,4
    r"(?=[GU])(?<!\w)(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?",  # time zone
    # "6 tháng đầu năm": a period, not a count
    rf"(?=\d)(?<![\w.,])\d{{1,2}}\s+(?:{_ctx('period_tail')})(?:\s*[/-]?\s*{_YEAR}(?!\d))?",
]
# Every shape starts at a word start with one of these characters (failing fast elsewhere
# keeps the scan cheap on long texts); at each, only the shapes that can start with it are
# tried, as their look-aheads say (the most frequent first letters first).
_BLOCK_STARTS = sorted(
    set(_first_chars(_CTX_PHRASES).replace("\\", "") + "0123456789(+IVXGUTivxgut"),
    key=lambda c: ("0123456789tcnđhlmvkgsbqpxd".find(c.lower()) % 99, c),
)
_WORD_START = r"(?<!\w)"
_BLOCK_RE = re.compile(
    f"{_WORD_START}(?:{dispatched_alternation(_BLOCK_PATTERNS, ''.join(_BLOCK_STARTS), _WORD_START)})"
)

# A number inside a URL, an e-mail address, a domain or a file name ("cchc1.jpg").
_LINKISH_RE = re.compile(
    r"://|@|www\.|\.(?:vn|com|net|org|gov|edu|info|int|jpe?g|png|gif|webp|bmp|svg|pdf|docx?|xlsx?"
    r"|pptx?|zip|rar|html?|aspx?|php)(?![^\W\d_])",
    re.IGNORECASE,
)

_WORD_ORDINAL_CUE_RE = re.compile(rf"(?:^|(?<=\W))(?:{_ctx('word_ordinal_cue')}|{_ctx('label')})\s+$", re.IGNORECASE)

# --------------------------------------------------------------------------- parsing


def _decimal_of(part: str, allow_dot_decimal: bool) -> tuple[Decimal, bool] | None:
    """(value, decimal written) for one numeric part, or None when not a number."""
    if _THOUSANDS_RE.fullmatch(part):
        return Decimal(part.replace(".", "").replace(",", ".")), "," in part
    if _PLAIN_RE.fullmatch(part):
        return Decimal(part.replace(",", ".")), "," in part
    if allow_dot_decimal and _DOT_DECIMAL_RE.fullmatch(part):
        return Decimal(part), True
    return None


def _as_number(value: Decimal, decimal_written: bool) -> Number:
    if not decimal_written and value == value.to_integral_value():
        return int(value)
    return float(value)


def _scale_factor(scale: str) -> int:
    factor = 1
    for word in scale.lower().split():
        factor *= _SCALE_WORDS[word]
    return factor


def _looks_like_date(a: str, b: str) -> bool:
    """ "23/12", "02/7", "24/7": a day/month pair rather than a fraction."""
    if not (a.isdigit() and b.isdigit()):
        return False
    day, month = int(a), int(b)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return day > month or (len(a) == 2 and a[0] == "0") or (len(b) == 2 and b[0] == "0")


def _parse_token(token: str, after_ok_for_dot: bool) -> tuple[tuple[Decimal, bool], tuple[Decimal, bool] | None] | None:
    """(numerator, denominator or None) of a numeric token, None when not a quantity."""
    if ":" in token:
        return None
    parts = token.split("/")
    if len(parts) > 2:
        return None
    if len(parts) == 2:
        if _looks_like_date(*parts):
            return None
        first = _decimal_of(parts[0], False)
        second = _decimal_of(parts[1], False)
        if first is None or second is None:
            return None
        return first, second
    single = _decimal_of(token, after_ok_for_dot)
    if single is None:
        return None
    return single, None


@lru_cache(maxsize=4096)  # the same figures recur ("100%", "2023"); the result is immutable
def _build(token: str, sign: str | None, pct: str | None, scale: str | None, dot_ok: bool):
    """(value, numerator, denominator, scale, is_percent) or None."""
    parsed = _parse_token(token, dot_ok)
    if parsed is None:
        return None
    (num, num_dec), den = parsed
    if sign:
        num = -num
    if scale:
        scale = " ".join(scale.split())
        num = num * _scale_factor(scale)
        num_dec = num != num.to_integral_value()
    value = _as_number(num, num_dec)
    denominator = _as_number(*den) if den is not None else None
    numerator = value if den is not None else None
    return value, numerator, denominator, scale, pct is not None


def parse_number_words(text: str) -> int | None:
    """The value of a whole Vietnamese number-word phrase ("hai mươi lăm" -> 25), or None."""
    words = text.lower().split()
    if not words:
        return None
    return _words_value(words)


def _words_value(words: list[str]) -> int | None:
    """Value of a sequence of number words (all from number_words.csv), None if invalid."""
    total = 0  # completed groups above a scale word
    current = 0  # the group below 1000 being read
    last_digit: int | None = None  # the last unit digit added to current
    prev_kind = None
    big_scale = 0  # the largest scale applied to total so far
    last_scale = 0
    for index, word in enumerate(words):
        entry = _WORDS.get(word)
        if entry is None:
            return None
        value, kind, _ = entry
        nxt = _WORDS.get(words[index + 1])[1] if index + 1 < len(words) and words[index + 1] in _WORDS else None
        if kind == "digit":
            if prev_kind in ("digit", "unit_after_tens"):
                return None
            # Inside a phrase "năm" is 5 only before a multiplier or after linh/lẻ;
            # otherwise it is the noun "year" ("mười năm" = ten years).
            if (
                word == "năm"
                and len(words) > 1
                and prev_kind != "filler"
                and nxt not in ("tens_multiplier", "hundred", "scale")
            ):
                return None
            current += value
            last_digit = value
        elif kind == "unit_after_tens":
            if prev_kind not in ("ten", "tens_multiplier"):
                return None
            current += value
            last_digit = value
        elif kind == "ten":
            if prev_kind in ("digit", "ten", "unit_after_tens", "tens_multiplier"):
                return None
            current += 10
            last_digit = None
        elif kind == "tens_multiplier":
            if prev_kind != "digit" or last_digit is None or last_digit < 1:
                return None
            current += last_digit * 9
            last_digit = None
        elif kind == "filler":
            if prev_kind != "hundred" and prev_kind != "scale":
                return None
        elif kind == "hundred":
            if prev_kind not in (None, "digit"):
                return None
            if current >= 10:
                return None
            current = last_digit * 100 if prev_kind == "digit" else 100  # "không trăm" = 0
            last_digit = None
        elif kind == "scale":
            if prev_kind == "filler":
                return None
            group = current or (0 if prev_kind == "scale" else 1)
            if value > big_scale:
                total = (total + group) * value
                big_scale = value
            else:
                total += group * value
            current = 0
            last_digit = None
            last_scale = value
        elif kind == "half":
            if prev_kind not in ("scale", "hundred"):
                return None
            unit = last_scale if prev_kind == "scale" else 100
            if prev_kind == "hundred":
                current += 50
            else:
                total += unit // 2
        prev_kind = kind
    if prev_kind == "filler":
        return None
    return total + current


def _longest_word_prefix(words: list[str]) -> tuple[int, int] | None:
    """(number of words, value) of the longest valid prefix of a number-word sequence."""
    for size in range(len(words), 0, -1):
        value = _words_value(words[:size])
        if value is not None:
            return size, value
    return None


_PARSE_DIGIT_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<sign>[-−]\s?)?(?P<num>\d+(?:[.,/:]\d+)*)(?![^\W\d_])"
    rf"(?:(?P<pct>{_PERCENT})|\s+(?P<scale>{_SCALE})(?!\w)|(?=\s+(?P<diem>điểm)(?!\w)))?",
    re.IGNORECASE,
)


def _qualifier(phrase: str | None) -> str:
    if not phrase:
        return "exact"
    return _qualifiers().get(" ".join(phrase.lower().split()), "exact")


def parse_number(text: str) -> ParsedNumber | None:
    """Parse one number expression at the start of `text`; never raises.

    Accepts an optional qualifier ("hơn", "khoảng" ...), a sign, the number (digits,
    "a/b", or number words), an optional % / "phần trăm" or scale word, then optionally
    a unit phrase without digits ("03 bậc" -> 3, "94,696 điểm" -> 94.696). Returns None
    for anything else, including dates ("25/3/2015", "23/12"), document numbers, times,
    and a dot followed by 1-2 digits that is not before %, a scale word or "điểm".
    """
    try:
        return _parse_number(text)
    except (ValueError, ArithmeticError, InvalidOperation, KeyError, TypeError):  # defensive: never raise
        return None


def _rest_ok(rest: str) -> bool:
    if not rest:
        return True
    if not (rest[0].isspace() or rest[0] in ".,;:)]}\"'!?…"):
        return False
    if _DOC_SUFFIX_RE.match(rest):
        return False
    return not any(ch.isdigit() for ch in rest)


def _parse_number(text: str) -> ParsedNumber | None:
    if not isinstance(text, str):
        return None
    s = text.strip()
    match = _PARSE_DIGIT_RE.match(s)
    if match:
        rest = s[match.end() :]
        if not _rest_ok(rest):
            return None
        dot_ok = bool(match["pct"] or match["scale"] or match["diem"])
        built = _build(match["num"], match["sign"], match["pct"], match["scale"], dot_ok)
        if built is None:
            return None
        value, numerator, denominator, scale, is_percent = built
        return ParsedNumber(
            value, is_percent, numerator, denominator, scale, _qualifier(match["qual"]), s[: match.end()]
        )
    match = _WORD_MENTION_RE.match(s)
    if match:
        words = match["words"].lower().split()
        prefix = _longest_word_prefix(words)
        if prefix is None:
            return None
        size, value = prefix
        end = match.start("words") + _word_span_length(match["words"], size)
        is_percent = False
        if size == len(words) and match["pct"]:
            end = match.end("pct")
            is_percent = True
        if not _rest_ok(s[end:]):
            return None
        return ParsedNumber(value, is_percent, qualifier=_qualifier(match["qual"]), raw=s[:end])
    return None


def _word_span_length(words_text: str, size: int) -> int:
    """Length of the first `size` words of a whitespace-separated phrase."""
    spans = list(_WORD_RE.finditer(words_text))
    return spans[size - 1].end()


# --------------------------------------------------------------------------- formatting


def format_number(value: Number, decimals: int | None = None, percent: bool = False) -> str:
    """Vietnamese notation: 1937 -> "1.937", 57.41 -> "57,41", percent -> "57,41%".

    decimals=None writes the shortest exact form of the value; an int never gets a
    decimal part unless decimals is given.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"format_number needs an int or float, got {type(value).__name__}")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError(f"format_number cannot write {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals)) if decimals > 0 else number.quantize(Decimal(1))
    text = format(number, "f")
    negative = text.startswith("-")
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    out = grouped + ("," + frac if frac else "")
    if negative and out.strip("0.,"):
        out = "-" + out
    return out + ("%" if percent else "")


# --------------------------------------------------------------------------- finding

_CONTEXT_MARGIN = 60


def _blocked_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    return [m.span() for m in _BLOCK_RE.finditer(text, lo, hi)]


def _in_link(text: str, start: int, end: int) -> bool:
    """Whether the whitespace-delimited chunk around text[start:end] is a URL, e-mail,
    domain or file name."""
    left = start
    while left > 0 and start - left < 200 and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and right - end < 200 and not text[right].isspace():
        right += 1
    if left == start and right == end:
        return False
    return _LINKISH_RE.search(text, left, right) is not None


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    for s, e in spans:
        if s < end and start < e:
            return True
        if s >= end:
            break
    return False


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberMention]:
    """Every quantity mention in text[start:end], with offsets into `text`; never raises.

    Skipped (not quantities): dates and day ranges, years after năm/tháng/quý/giai đoạn
    and year ranges, month names ("tháng 10"), document numbers, ISO/TCVN versions,
    phone and fax numbers, clock times, URLs, e-mails, file names, numbered names
    ("Phường 2", "Trung ương 6", "Kế hoạch 222") and levels ("mức độ 3,4").
    Number words are found too, except ambiguous single words ("một", "năm") and
    words after "thứ"/"tháng"/"ngày" (ordinals, weekdays, months).
    """
    if not isinstance(text, str) or not text:
        return []
    n = len(text)
    start = max(0, min(start, n))
    end = n if end is None else max(start, min(end, n))
    lo = max(0, start - _CONTEXT_MARGIN)
    hi = min(n, end + _CONTEXT_MARGIN)
    blocked = _blocked_spans(text, lo, hi)
    mentions: list[NumberMention] = []

    for match in _DIGIT_MENTION_RE.finditer(text, lo, hi):
        num_start, num_end = match.span("num")
        if match.start() < start or match.end() > end:
            continue
        if _overlaps(blocked, num_start, num_end):
            continue
        if _DOC_SUFFIX_RE.match(text, num_end) or _in_link(text, num_start, num_end):
            continue
        dot_ok = bool(match["pct"] or match["scale"] or match["diem"])
        built = _build(match["num"], None, match["pct"], match["scale"], dot_ok)
        if built is None:
            continue
        value, numerator, denominator, scale, is_percent = built
        mention_start, end_pos = match.span()
        mentions.append(
            NumberMention(
                mention_start,
                end_pos,
                value,
                "percent" if is_percent else None,
                numerator,
                denominator,
                scale,
                _qualifier(match["qual"]),
                text[mention_start:end_pos],
            )
        )

    digit_spans = [(m.start, m.end) for m in mentions]
    for match in _WORD_MENTION_RE.finditer(text, lo, hi):
        if match.start() < start or match.end("words") > end:
            continue
        words_text = match["words"]
        words = words_text.lower().split()
        prefix = _longest_word_prefix(words)
        if prefix is None:
            continue
        size, value = prefix
        w_start = match.start("words")
        w_end = w_start + _word_span_length(words_text, size)
        if size == 1 and not _WORDS[words[0]][2]:
            continue  # "một", "năm", "trăm" alone: not a quantity in running text
        if _overlaps(blocked, w_start, w_end) or _overlaps(digit_spans, w_start, w_end):
            continue  # blocked, or the scale word of a digit mention ("12 nghìn tỷ")
        if _WORD_ORDINAL_CUE_RE.search(text, max(0, w_start - 20), w_start):
            continue
        following = text[w_end : w_end + 2]
        if words_text[0].isupper() and len(following) == 2 and following[0] == " " and following[1].isupper():
            continue  # "Hai Bà Trưng", "Ba Tri": part of a name
        is_percent = size == len(words) and match["pct"] is not None
        m_end = match.end("pct") if is_percent else w_end
        m_start = match.start()
        if m_end > end:
            continue
        mentions.append(
            NumberMention(
                m_start,
                m_end,
                value,
                "percent" if is_percent else None,
                qualifier=_qualifier(match["qual"]),
                raw=text[m_start:m_end],
            )
        )

    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions
