"""Positive evidence for a metric row: the shape of the number must fit its key.

The cue rules (`cchc_nlp.metrics.label`) propose a metric for a number; a row is kept only
when the number itself is evidence for that key. What is turned down keeps its mention
(`number_mentions`, status "rejected", with the reason):

* list markers ("(1) … (8)", "1)") and counts of other things ("4 yếu tố", "8 chỉ số
  thành phần", "15 bộ, ngành": the counted noun's family is "other") are never figures;
* ordinals of years ("năm thứ 15 liên tiếp") are not ranks; a group ("Top 10", "nhóm 5
  tỉnh dẫn đầu") is an upper-bound rank only in a target;
* index figures (cchc_nlp.metrics.indices) must be ranks (an ordinal or N/M after a rank
  word) or scores in the index's plausible range (data/metrics/metric_index_ranges.csv):
  a percent, points, a decimal, or N/M with M the index's scale; component scores
  ("16,5/18") and scales ("thang điểm 60") are not;
* a percent is a share: never above 100;
* a bound ("trên 3%", "dưới 80 điểm") in a rule or condition ("đơn vị có tỷ lệ trễ hạn
  trên 3% phải giải trình", "cơ quan nào … thì") is a threshold, and a rate or score of a
  counted set of units ("15/19 sở, ngành đạt tỷ lệ 100%", "có 6 địa phương đạt trên 85%")
  describes each member, not an aggregate: neither is a row. A count of such a set is an
  aggregate and stays ("124 xã, phường tiếp nhận 46.220 hồ sơ").

Words come from data/metrics/metric_markers.csv (kinds set_quantifier, set_unit,
condition, not_rank_ordinal, group) and metric_nouns.csv.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import cache

from cchc_nlp.metrics.lexicon import Lexicon, _alternation, at_word_start, lexicon
from cchc_nlp.metrics.mentions import UPPER, Mention, Sentence
from cchc_nlp.text.numbers import NumberMention

__all__ = ["mark_shapes", "reject", "vet_mentions", "in_target", "is_ordinal"]

MARKER_WINDOW = 3  # a list marker's parentheses: "(3)" stands within this many characters
SET_LOOKBACK = 80  # how far before a figure its subject (a set of units) is looked for
TARGET_LOOKBACK = 120  # how far before a figure a target word makes it a target (local check)
NAME_NUMBER_MAX = 30  # "phường Hà Giang 1": a small bare number right after a place name is part of it

_LIST_MARKER = re.compile(r"(?:^|[\s:;,.])\(\s*$")
_LIST_MARKER_CLOSE = re.compile(r"\s*\)")
_BARE_MARKER = re.compile(r"(?:^|[:;])\s*$")
_SLASH_MARKER = re.compile(r"/\s")  # "1/ " (a fraction has no space after its slash)
_LINE_START = re.compile(r"[\s\-+•*–]*")  # what may stand before a list marker opening a sentence
_DIGIT = re.compile(r"\d")
FIELD_LOOKBACK = 70  # how far before a figure its field subject ("lĩnh vực đất đai tiếp nhận") is looked for
_FIELD_SUBJECT = re.compile(
    r"(?i)(?:^\s*|[,;:]\s*|(?<!\w)riêng\s+|(?<!\w)trong\s+đó\s+)"
    # ", chủ yếu trên lĩnh vực đất đai (chiếm 99,2%)": the field's share of the figure before
    r"(?:(?:chủ\s+yếu|tập\s+trung)\s+(?:ở|tại|trên|thuộc|vào)\s+)?lĩnh\s+vực\s+[^\d;:()]{2,50}?(?:\s+|\s*\(\s*)"
    r"(?:(?:tiếp\s+nhận|có|giải\s+quyết|đã\s+giải\s+quyết|chiếm)\s+(?:\S+\s+){0,2})?\Z"
)
# the words every match of _FIELD_SUBJECT holds: a quick check first (a class opens it: a fast scan)
_FIELD_WORDS = re.compile(r"(?i)(?-i:[Ll])(?<=l)ĩnh\s+vực")
_DELAY_SUBSET = re.compile(
    r"(?i)\s*(?:hồ\s+sơ\s+)?(?:giải\s+quyết\s+)?(?:quá|trễ|chậm)\s+hạn\s+(?:từ|trên|hơn|dưới)\s+\d+\s+(?:ngày|tháng)"
)
_DIGIT_NEXT = re.compile(r"\s*\d")
# "tổng đài 1022", "đường dây nóng 0263…": a service number, not a figure
_SERVICE_NUMBER = re.compile(r"(?i)(?<!\w)(?:tổng\s+đài|đường\s+dây\s+nóng|hotline|số\s+điện\s+thoại|số\s+máy)\s*\Z")
# its last words, right before the spaces that end the text: a quick check before the scan
_SERVICE_NUMBER_END = re.compile(r"(?i)(?:đài|nóng|hotline|thoại|máy)\Z")
SERVICE_NUMBER_END_MAX = 7  # characters of the longest of those words
# "Kỳ 2: Giải quyết 9.800 hồ sơ trễ hạn", "Điều 5", "Phần 3": the number of a part, an article
_LABEL_NUMBER = re.compile(r"(?i)(?<!\w)(?:kỳ|phần|bài|chương|mục|điều|khoản|tập|phụ\s+lục)\s+\Z")
_PER_UNIT = re.compile(
    r"(?i)(?<!\w)mỗi\s+(?:xã|phường|huyện|thị\s+trấn|đơn\s+vị|cơ\s+quan|địa\s+phương|sở|ngày|tuần|tháng|công\s+chức|người)(?!\w)"
)
_QUANTIFIER_WORD = re.compile(r"(?<!\w)(?:các|những|mọi|mỗi|tất|một\s+số)(?!\w)")
_NAME_NUMBER = re.compile(rf"(?<!\w)(?:phường|xã|quận|thị\s+trấn|khu\s+phố|tổ)\s+(?:{UPPER}[^\s,;:()]*\s+)+\Z")
_PROCESS = re.compile(
    r"(?i)(?<!\w)(?:(?:trên|qua|vào)\s+(?:hệ\s+thống|phần\s+mềm|cổng|môi\s+trường\s+mạng)"
    r"|tại\s+(?:các\s+)?(?:trung\s+tâm|bộ\s+phận\s+một\s+cửa))(?!\w)"
)


def _first_letters(phrases) -> str:
    """A character class body of the phrases' first characters (a case-insensitive pattern
    matches their other cases)."""
    return "".join(sorted({re.escape(p.strip()[0]) for p in phrases if p.strip()}))


@cache
def _patterns() -> dict[str, re.Pattern]:
    lex = lexicon()
    markers = lex.markers
    quantifier = _alternation(markers["set_quantifier"])
    unit = _alternation(markers["set_unit"])
    return {
        # the subject of "có"/"đạt": "các đơn vị có", "15/19 sở, ngành đạt", "có 6 địa phương
        # đạt", "11/14 xã, thị trấn có" (not after a preposition: "giữa các cơ quan", "của
        # các huyện", "trong số 22 quận, huyện"; not a year: "năm 2024 tỉnh đạt")
        "counted_set": re.compile(
            # (every match opens with a quantifier's first letter or a digit: a look-ahead on them
            # fails fast before the seven look-behinds)
            rf"(?i)(?=[{_first_letters(markers['set_quantifier'])}\d])(?<!giữa\s)(?<!của\s)(?<!tại\s)(?<!với\s)(?<!cho\s)(?<!trong\s)(?<!số\s)"
            rf"(?:(?<!\w)(?:{quantifier})\s+|(?<![\d.,/])(?<!tháng\s)(?<!quý\s)(?<!năm\s)(?<!ngày\s)(?<!thứ\s)"
            rf"(?!(?:19|20)\d\d(?!\d))\d+(?:/\d+)?\s+)(?:{unit})(?!\w)"
            # (not across "đó là", "gồm": "có 3 địa phương, đó là Bạc Liêu đứng hạng 59, …" names them)
            rf"(?:[\s,]+(?!(?i:đó\s+là|gồm|bao\s+gồm)(?!\w))[^\s,;:()\d]+){{0,5}}?\s+(?:có|đạt|còn|để|xếp|đứng)(?!\w)"
        ),
        # a unit named between the set and the figure: the figure is that unit's
        "named_unit": re.compile(
            rf"(?:huyện|thị xã|thành phố|TP\.?|xã|phường|quận|thị trấn|tỉnh|Sở|Văn phòng)\s+(?:{UPPER}|\d)"
            rf"|{UPPER}[^\s,;:()]*\s*\(\s*\Z"
            # the members named after a colon: "Một số địa phương có bước tiến: Đà Nẵng xếp thứ 11"
            rf"|:\s*{UPPER}"
        ),
        # "cơ quan nào", "UBND cấp xã nào", "không còn đơn vị cấp huyện nào"
        "any_unit": re.compile(rf"(?i)(?<!\w)(?:{unit})(?:\s+[^\s,;]+){{0,3}}?\s+nào(?!\w)"),
        # a bare generic body opening a condition: "đơn vị có tỷ lệ trễ hạn trên 3%"
        "generic_unit": re.compile(
            r"(?i)(?:^|[,;:]\s*|\s)(?:đơn\s+vị|cơ\s+quan|địa\s+phương|cá\s+nhân)\s+(?:có|đạt|để)(?!\w)"
        ),
        "condition": re.compile(rf"(?i){at_word_start(markers['condition'])}(?!\w)"),
        "average": re.compile(rf"(?i){at_word_start(markers['average'])}(?!\w)"),
        "not_rank_ordinal": re.compile(rf"(?i){at_word_start(markers['not_rank_ordinal'])}\s+(?:thứ\s+)?\Z"),
        "group": re.compile(rf"(?i){at_word_start(markers['group'])}\s+\Z"),
    }


def _service_number_before(text: str, start: int, end: int) -> bool:
    """`_SERVICE_NUMBER.search(text, start, end)`, after the quick check that the last word
    before the spaces at `end` ends one of its phrases (the scan tries every position)."""
    stop = end
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    if not _SERVICE_NUMBER_END.search(text, max(start, stop - SERVICE_NUMBER_END_MAX), stop):
        return False
    return _SERVICE_NUMBER.search(text, start, end) is not None


def is_ordinal(number: NumberMention) -> bool:
    """A rank written as a word ("thứ nhất", made by `cchc_nlp.metrics.indices.ordinal_numbers`)."""
    return number.raw.startswith(("thứ ", "hạng ")) and not _DIGIT.search(number.raw)


def reject(mention: Mention, reason: str) -> None:
    """Turn a candidate down: it stays a mention (status "rejected"), never a row."""
    mention.status, mention.reason, mention.metric, mention.cue = "rejected", reason, None, None


def in_target(lex: Lexicon, text: str, sentence: Sentence, pos: int) -> bool:
    """A target word ("phấn đấu", "mục tiêu", "đặt chỉ tiêu" …) stands before `pos` in its clause."""
    start = max(sentence.start, pos - TARGET_LOOKBACK, text.rfind(";", sentence.start, pos) + 1)
    blocked = [
        (a, b)
        for a, b, _ in lex.marker_matcher["not_target"].finditer(text, start, pos)
        if not _DIGIT_NEXT.match(text, b)
    ]
    return any(
        not any(a <= m_start < b for a, b in blocked)
        for m_start, _, _ in lex.marker_matcher["target"].finditer(text, start, pos)
    )


def mark_shapes(lex: Lexicon, text: str, sentence: Sentence, mentions: list[Mention]) -> None:
    """Before labelling: list markers, ordinals of years and groups become "other" numbers;
    a number listed right after a rank ("xếp thứ 1, 2, 3") is a rank too."""
    patterns = _patterns()
    previous: Mention | None = None
    for mention in mentions:
        number = mention.number
        before = text[max(sentence.start, number.start - MARKER_WINDOW) : number.start]
        bare = number.unit is None and number.denominator is None and isinstance(number.value, int)
        closed = bare and _LIST_MARKER_CLOSE.match(text, number.end) is not None
        # "(3) …" anywhere, "3) …" at the start of the sentence or after ":" or ";"
        # (but "(trước hạn: 1.030; đúng hạn: 178; quá hạn: 8)": the ")" closes an open parenthesis)
        opened = text.count("(", sentence.start, number.start) > text.count(")", sentence.start, number.start)
        if closed and (
            _LIST_MARKER.search(before) or (not opened and _BARE_MARKER.search(text, sentence.start, number.start))
        ):
            mention.family, mention.reason = "other", "list marker"
        elif (
            bare and _SLASH_MARKER.match(text, number.end) and _LINE_START.fullmatch(text, sentence.start, number.start)
        ):
            mention.family, mention.reason = "other", "list marker"  # "1/ Về tiếp nhận hồ sơ: …", "- 2/ …"
        if not _DIGIT.search(number.raw) and not is_ordinal(number):
            # figures are written in digits: "Ngã Bảy", "đến cuối năm tỷ lệ …" hold number words
            mention.family, mention.reason = "other", "number word"
        elif (
            bare
            and mention.family == "none"
            and number.raw.isdigit()
            and number.value <= NAME_NUMBER_MAX
            and _NAME_NUMBER.search(text, sentence.start, number.start)
        ):
            mention.family, mention.reason = "other", "part of a name"  # "phường Hà Giang 1 tiếp nhận"
        elif bare and _service_number_before(text, sentence.start, number.start):
            mention.family, mention.reason = "other", "a service number"
        elif bare and number.value <= NAME_NUMBER_MAX and _LABEL_NUMBER.search(text, sentence.start, number.start):
            mention.family, mention.reason = "other", "a label ('Kỳ 2:', 'Điều 5')"
        lead = text[max(sentence.start, number.start - 20) : number.start]
        if (
            previous is not None
            and mention.unit == "percent"
            and mention.family == "none"
            and previous.unit == "percent"
            and previous.family == "other"
            and not previous.reason
            and previous.clause == mention.clause
            and previous.number.qualifier == number.qualifier
        ):
            # "trên 90% tổng số hồ sơ công việc tại cấp tỉnh, … và trên 60% tại cấp xã": the list's noun
            mention.family, mention.reason = "other", "the noun of the list before it"
        if mention.unit == "rank" and patterns["not_rank_ordinal"].search(lead):
            mention.unit, mention.family, mention.reason = "count", "other", "ordinal of years"
        elif mention.unit == "rank" and not _DIGIT.search(number.raw) and not is_ordinal(number):
            mention.unit, mention.family = "count", "other"  # "xếp ba vị trí dẫn đầu": a count
        elif patterns["group"].search(lead) and bare:
            mention.family, mention.reason = "group", "group (Top N)"
        elif (
            previous is not None
            and previous.unit == "rank"
            and mention.unit == "count"
            and bare
            and re.fullmatch(r"\s*(?:,|và)\s*(?:thứ\s+)?", text[previous.end : number.start])
        ):
            mention.unit, mention.family, mention.noun_end = "rank", "none", number.end
        previous = mention


RATIO_LOOKBACK = 20
_EQUAL_TO = re.compile(r"(?i)(?<!\w)bằng(?:\s+\S+)?\s+\Z")
_OF_ANOTHER = re.compile(r"(?i)\s*(?:số|so\s+với|tổng\s+số|cùng\s+kỳ)(?!\w)")
_PLAN_IN_PARENTHESES = re.compile(r"(?i)(?<!\w)(?:kế\s+hoạch|chỉ\s+tiêu)(?:\s+[^\s()]+){0,2}\s*\(\s*\Z")
_ALL_OF_THEM = re.compile(r"(?i)(?<!\w)đều\s+(?:đạt|có|là|ở\s+mức)(?!\w)")
_PLURAL = re.compile(r"(?i)(?<!\w)(?:các|những|tất\s+cả)\s")
_GROUP_BEFORE = re.compile(r"(?i)(?<!\w)(?:nhóm|top)\s+\Z")


def _set_subject(text: str, mention: Mention) -> str | None:
    """Why the figure's subject is a set of units or a condition, or None."""
    patterns = _patterns()
    start = max(mention.clause[0], mention.start - SET_LOOKBACK)
    lead = text[start : mention.start]
    lowered = lead.lower()
    if " nào" in lowered and patterns["any_unit"].search(lead):
        return "threshold (any unit)"
    if (
        "mỗi" in lowered
        and mention.unit == "count"
        and (
            _PER_UNIT.search(text, max(start, mention.segment[0]), mention.start)
            or (_PER_UNIT.search(lead) and re.search(r"(?i)bình\s+quân|trung\s+bình", lead))
        )
    ):
        # "bình quân mỗi xã tiếp nhận khoảng 1.700 hồ sơ", "Bình quân mỗi ngày, Trung tâm tiếp nhận 350 hồ sơ"
        return "a figure per unit or per day"
    bound = mention.number.qualifier in ("lower_bound", "upper_bound")
    intensive = mention.unit in ("percent", "score", "rank")
    quick = intensive and (_DIGIT.search(lead) or _QUANTIFIER_WORD.search(lowered))
    counted = list(patterns["counted_set"].finditer(lead)) if quick else []
    if counted and mention.unit == "rank":
        # "nằm trong nhóm 16 tỉnh có điểm cao nhất và xếp thứ 12": the group is not the subject
        counted = [c for c in counted if not _GROUP_BEFORE.search(lead, 0, c.start())]
    if counted:
        rest = text[start + counted[-1].end() : mention.start]
        if patterns["average"].search(rest) or patterns["named_unit"].search(rest):
            counted = []
    # "có ít nhất 20 địa phương đạt trên 90%": the count is the figure, also in a target (but
    # "nhóm 20 địa phương dẫn đầu" is a group)
    if (
        counted
        and bound
        and counted[-1].group(0)[:1].isdigit()
        and not patterns["group"].search(lead, 0, counted[-1].start())
    ):
        return "threshold of a counted set of units"
    if bound and patterns["generic_unit"].search(lead):
        return "threshold (condition)"
    if intensive and counted:
        return "property of a set of units"
    if intensive and _ALL_OF_THEM.search(lead) and _PLURAL.search(text, mention.clause[0], mention.start):
        return "property of a set of units"  # "Các đơn vị … đều đạt tỷ lệ giải quyết 100%"
    if bound and patterns["condition"].search(text, mention.end, mention.clause[1]):
        return "threshold (condition)"
    return None


_IN_TOTAL = re.compile(r"(?i)(?<!\w)(?:trong|trên)\s+tổng\s+số\s+\Z")
IN_TOTAL_LOOKBACK = 16


def _attach_totals(text: str, mentions: list[Mention]) -> None:
    """ "143 hồ sơ trễ hạn trong tổng số 1.260 hồ sơ": the total is the denominator of the
    count before it, not a figure of that count's key ("trên tổng số 45.880 hồ sơ tiếp nhận"
    names its own key after it: a figure of its own)."""
    for previous, mention in itertools.pairwise(mentions):
        if (
            mention.status == "metric"
            and previous.status == "metric"
            and mention.unit == previous.unit == "count"
            and previous.number.denominator is None
            and (mention.cue_span is None or mention.cue_span[1] <= mention.start)
            and _IN_TOTAL.search(text, max(previous.end, mention.start - IN_TOTAL_LOOKBACK), mention.start)
        ):
            previous.number = replace(previous.number, denominator=mention.number.value)
            reject(mention, "the total the figure before it is counted in")


def vet_mentions(lex: Lexicon, text: str, sentence: Sentence, mentions: list[Mention]) -> None:
    """After labelling: reject the rows without evidence for their key (module docstring)."""
    _attach_totals(text, mentions)
    for mention in mentions:
        if mention.status != "metric" or mention.metric is None:
            continue
        number = mention.number
        if mention.family in ("other", "group") and not mention.metric.startswith("index."):
            reject(mention, mention.reason or "count of something else")
            continue
        if mention.unit == "percent" and number.value > 100:
            reject(mention, "a percent above 100")
            continue
        if mention.unit == "percent" and number.value == 100 and _PROCESS.search(text, *mention.clause):
            # "100% hồ sơ được tiếp nhận, xử lý trên Hệ thống …", "100% TTHC được giải quyết tại trung
            # tâm hành chính công": process compliance, no key measures it
            reject(mention, "process compliance")
            continue
        lead = text[max(mention.clause[0], mention.start - FIELD_LOOKBACK) : mention.start]
        if _FIELD_WORDS.search(lead) and _FIELD_SUBJECT.search(lead):
            # "Riêng lĩnh vực đăng ký xe tiếp nhận 31.285 hồ sơ": a field's subtotal (no scope names a field)
            reject(mention, "a field's subtotal")
            continue
        if (
            mention.unit == "percent"
            and _EQUAL_TO.search(text, max(mention.clause[0], mention.start - RATIO_LOOKBACK), mention.start)
            and _OF_ANOTHER.match(text, mention.end)
        ):
            # "bằng trên 90% số hồ sơ trực tuyến của cả năm 2021", "bằng 120% so với cùng kỳ"
            reject(mention, "a ratio to another figure")
            continue
        if mention.metric == "plan.completion" and _PLAN_IN_PARENTHESES.search(text, mention.clause[0], mention.start):
            # "tăng 7,83%, vượt kế hoạch đề ra (7%)": the plan's own figure, not how much of it was done
            reject(mention, "the plan's own figure")
            continue
        if _DELAY_SUBSET.match(text, mention.end, mention.clause[1]):
            # "312 hồ sơ quá hạn từ 10 ngày trở lên": a subset picked by a length of delay
            reject(mention, "a subset by length of delay")
            continue
        key = lex.keys.get(mention.metric)
        if key is not None and key.needs == "fraction" and number.denominator is None:
            reject(mention, f"{mention.metric} figures are n/N")
            continue
        reason = _set_subject(text, mention)
        if reason is not None and not (
            reason not in ("threshold (any unit)", "threshold of a counted set of units")
            and in_target(lex, text, sentence, mention.start)
        ):
            # in a target only "không còn đơn vị nào dưới 80 điểm" is a threshold: "phấn đấu khối địa
            # phương đạt tối thiểu 70%", "các xã phấn đấu đạt trên 70%" are the target figures
            reject(mention, reason)
            continue
        if mention.family == "group":
            mention.number = replace(number, qualifier="upper_bound")
