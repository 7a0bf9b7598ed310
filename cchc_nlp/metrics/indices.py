"""Index figures: PAR INDEX, SIPAS, PAPI, PCI and the 766 index (docs/domain.md §1.1).

* A rank is an ordinal after a rank word ("xếp thứ 16/63", "đứng thứ nhất", "thị xã Điện
  Bàn thứ nhì") within its universe; "năm thứ 15 liên tiếp" is not one.
* A score is a percent (PAR INDEX, SIPAS, 766), points ("67,74 điểm"), a decimal
  ("93,77") or N/M with M the index's scale ("45,62/80"), inside the index's plausible
  range (data/metrics/metric_index_ranges.csv); a component ("Cải cách TTHC đạt
  12,5/14 điểm"), a scale ("trên thang điểm 60"), a count ("Top 10", "5 yếu tố") is not.
  A PAPI- or PCI-sized "47.326 điểm", "42.269" (a dot before three digits, read as
  thousands by the number finder) is 47.326 when only that reading fits the range.
* An average or median ("trung bình cả nước 83,04%", "trung vị 42,27 điểm") is a
  national figure (scope "national"), also after "cao hơn mức trung bình cả nước
  (83,04%)"; a difference ("thấp hơn trung bình cả nước 6,43%") is out of range, no row.
* A group ("Top 10", "nhóm 10 địa phương dẫn đầu") is a rank of 10 at most, in a target only.
* An index named in an earlier sentence of the paragraph carries over to a rank, a score
  in points, or a percent after "đạt" or in parentheses, of a sentence that names no index
  and no rate ("Chỉ số SIPAS năm 2021 của tỉnh đạt 83,4%. Tỉnh xếp thứ 9/63"); when the
  article names one index only, it carries over from any earlier paragraph (a national
  announcement of one index), and the first index an article names (its topic) carries
  over to ranks and scores in points of later paragraphs. The mention records that
  antecedent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from cchc_nlp.metrics.evidence import _patterns, in_target, reject
from cchc_nlp.metrics.lexicon import Lexicon, at_word_start, lexicon
from cchc_nlp.metrics.mentions import UPPER, CueMatch, Mention, Sentence
from cchc_nlp.resources import read_csv
from cchc_nlp.text.numbers import NumberMention
from cchc_nlp.text.phrases import word_start_alternation

__all__ = [
    "IndexRange",
    "index_ranges",
    "index_base",
    "ordinal_numbers",
    "group_numbers",
    "vet_index",
    "index_cue",
    "first_index_cue",
    "carry_index",
    "group_ranks",
    "mark_national",
    "index_year",
    "ORDINAL_RE",
]

RANK_UNIVERSE = 63  # a rank without "/N" is at most this (63 provinces before July 2025)
ORDINAL_LOOKBACK = 24  # a rank word this close before "thứ nhất" makes it a rank
CARRY_CONFIDENCE = 0.6  # confidence of a figure whose index stands in an earlier sentence
GROUP_LOOKAHEAD = 40  # "nhóm 10 địa phương dẫn đầu": where "dẫn đầu" is looked for
SCALE_LOOKBACK = 25  # "thang điểm", "tối đa" this close before a figure make it a scale

_ORDINAL_WORDS = {row["word"]: int(row["value"]) for row in read_csv("metrics/metric_ordinals.csv")}
ORDINAL_RE = re.compile(  # (?<!\w)(?:thứ|(?<=xếp )hạng)\s+…, its first letter read by a class
    r"[th](?<!\w[\s\S])(?:(?<=t)hứ|(?<=xếp h)ạng)\s+("
    + "|".join(sorted(map(re.escape, _ORDINAL_WORDS), key=len, reverse=True))
    + r")(?!\w)"
)
_RANK_VERB_BEFORE = re.compile(
    rf"(?i:(?:xếp|đứng|vị\s+trí|hạng|giữ|vươn\s+lên|lên|trở\s+lại|là)(?:\s+ở)?\s*)\Z|{UPPER}[^\s,;:()]*\s+\Z"
)
_NEXT_IN_RANKING = re.compile(rf"\s+là\s+{UPPER}")  # "…; thứ hai là Sở Nội vụ 95,39 điểm"
_RANKING_LEAD = re.compile(r"(?i)(?<!\w)(?:dẫn\s+đầu|đứng\s+đầu|(?:xếp|đứng)\s+thứ\s+nhất)(?!\w)")
_LEADING_GROUP = re.compile(r"(?i)(?<!\w)(?:dẫn\s+đầu|đứng\s+đầu|cao\s+nhất|tốt\s+nhất|đầu)(?!\w)")
_PERCENT_LEAD = re.compile(
    r"(?i)(?:\(|(?<!\w)(?:đạt|với|là)(?:\s+(?:giá\s+trị|kết\s+quả|mức))?|(?<=\d%)\s*(?:,|và))\s*\Z"
)
PERCENT_LEAD_WINDOW = 24  # how far before a percent its lead ("đạt", "với giá trị", "(") is looked for
_RATE = re.compile(r"(?i)(?<!\w)t[ỷỉ]\s+lệ(?!\w)")
_POINTS_BEFORE = re.compile(r"(?i)(?<!\w)(?:số\s+điểm|điểm\s+số|tổng\s+điểm|số\s+điểm\s+đạt\s+được)(?!\w)")
_COMPARATIVE = re.compile(r"(?i)(?<!\w)(?:cao|thấp)\s+hơn(?!\w)|(?<!\w)vượt(?!\w)")


@dataclass(frozen=True)
class IndexRange:
    base: str  # "index.par"
    units: frozenset[str]  # percent | score
    low: float
    high: float
    scales: frozenset[int]  # the index's "of N" (100; PAPI 80, 60 before 2018)


@cache
def index_ranges() -> dict[str, IndexRange]:
    return {
        row["index"]: IndexRange(
            row["index"],
            frozenset(row["units"].split("|")),
            float(row["min"]),
            float(row["max"]),
            frozenset(int(v) for v in row["scales"].split("|")),
        )
        for row in read_csv("metrics/metric_index_ranges.csv")
    }


@cache
def _scale_re() -> re.Pattern:
    return re.compile(rf"(?i){at_word_start(lexicon().markers['scale'])}(?!\w)")


@cache
def _national_re() -> re.Pattern:
    return re.compile(rf"(?i){at_word_start(lexicon().markers['national'])}(?!\w)")


def index_base(metric: str | None) -> str | None:
    """ "index.par" of "index.par.rank", None for other keys."""
    if not metric or not metric.startswith("index."):
        return None
    return metric.rsplit(".", 1)[0]


_GROUP_RE = re.compile(r"(?i)(?-i:[Nn])(?<!\w[\s\S])(?<=n)hóm\s+(\d{1,2})\s+(?=[^\W\d])")  # (?<!\w)nhóm…


def group_numbers(text: str, start: int, end: int) -> list[NumberMention]:
    """ "nhóm 10 địa phương dẫn đầu": the number finder leaves "nhóm N" aside (a label,
    "nhóm 4"); followed by a word it is a group of N (see `group_ranks`)."""
    found = _GROUP_RE.finditer(text, start, end)
    return [NumberMention(m.start(1), m.end(1), int(m.group(1)), raw=m.group(1)) for m in found]


def ordinal_numbers(text: str, start: int, end: int) -> list[NumberMention]:
    """Ranks written as words ("xếp thứ nhất", "thành phố Hội An thứ nhì") in text[start:end];
    enumerations ("thứ nhất, việc số hóa …") are not ranks."""
    out = []
    for m in ORDINAL_RE.finditer(text, start, end):
        before = text[max(start, m.start() - ORDINAL_LOOKBACK) : m.start()]
        # without a rank verb, "; thứ hai là Văn phòng UBND tỉnh 95,43 điểm" only after "… dẫn đầu với …"
        if not _RANK_VERB_BEFORE.search(before) and not (
            _NEXT_IN_RANKING.match(text, m.end(), end) and _RANKING_LEAD.search(text, start, m.start())
        ):
            continue
        if re.match(r"\s*,", text[m.end() : m.end() + 2]) and re.search(r"(?:^|[:;,])\s*\Z", before):
            continue
        value = _ORDINAL_WORDS[m.group(1).lower()]
        out.append(NumberMention(m.start(), m.end(), value, raw=text[m.start() : m.end()]))
    return out


def index_cue(cues: list[CueMatch]) -> tuple[str, CueMatch] | None:
    """(index base, cue match) of the last index name among a sentence's cues."""
    found = None
    for match in cues:
        for cue in match.cues:
            base = index_base(cue.metric)
            if base is not None:
                found = (base, match)
    return found


def first_index_cue(cues: list[CueMatch]) -> tuple[str, CueMatch] | None:
    """(index base, cue match) of the first index name among a sentence's cues: the topic of
    a headline naming two ("Công bố PAR INDEX 2024 và SIPAS 2024")."""
    for match in cues:
        for cue in match.cues:
            base = index_base(cue.metric)
            if base is not None:
                return base, match
    return None


def _decimal_reading(mention: Mention, bounds: IndexRange) -> None:
    """ "47.326 điểm" read as 47326: the decimal 47.326 when only that fits the range."""
    number = mention.number
    digits = number.raw.split()[-1] if number.raw else ""
    if (
        isinstance(number.value, int)
        and number.value > bounds.high
        and re.fullmatch(r"\d{1,3}\.\d{3}", digits)
        and bounds.low <= number.value / 1000 <= bounds.high
    ):
        mention.number = replace(number, value=round(number.value / 1000, 3))


_AVERAGE_WORD = re.compile(  # trung\s+bình|bình\s+quân|trung\s+vị
    "(?i)"
    + word_start_alternation(
        [("trung bình", ""), ("bình quân", ""), ("trung vị", "")],
        lambda w: re.escape(w).replace(r"\ ", r"\s+"),
        lead="",
    )
)
_LEVEL_AVERAGE = re.compile(
    r"(?i)(?<!\w)(?:cấp|khối)\s+(?:tỉnh|huyện|xã)|(?<!\w)của\s+(?:các\s+)?(?:\d+\s+)?(?:xã|huyện|phường|sở)"
)


def mark_national(lex: Lexicon, text: str, mention: Mention, mentions: list[Mention]) -> bool:
    """An average or median of the country ("trung bình cả nước", "trung vị PCI" in an index
    sentence): the mention's scope becomes "national"."""
    lead = text[mention.clause[0] : mention.start]
    if not _AVERAGE_WORD.search(lead):
        return False  # the quick check
    average = list(_patterns()["average"].finditer(lead))
    if not average:
        return False
    if _LEVEL_AVERAGE.search(lead):
        return False  # "bình quân của 13 xã", "trung bình cấp xã": a level, not the country
    national = _national_re().search(text, mention.clause[0], mention.clause[1])
    # without "cả nước", "toàn quốc" …, only an index's average or median is the country's
    index_average = index_base(mention.metric) is not None and re.search(r"(?i)trung\s+(?:vị|bình)", lead)
    if national is None and not index_average:
        return False
    since = mention.clause[0] + average[-1].end()
    if any(
        since <= other.start < mention.start and other.family not in ("other",) and other.status != "rejected"
        for other in mentions
    ):
        return False  # another figure stands between the average and this one
    mention.scope = "national"
    return True


def group_ranks(
    lex: Lexicon,
    text: str,
    sentence: Sentence,
    mentions: list[Mention],
    index: tuple[str, CueMatch] | None,
    cues: list[CueMatch] | None = None,
) -> None:
    """ "phấn đấu … vào nhóm 10 địa phương dẫn đầu", "đưa PCI vào Top 10": in a target, a group
    is a rank of at most N of the index named in the sentence (or earlier in the paragraph);
    of several indices, the one the group's own clause names ("đưa PAPI vào nhóm 20 … và PCI
    đạt trên 66 điểm": PAPI; "vào nhóm 3 địa phương dẫn đầu về Chỉ số CCHC, Chỉ số SIPAS …": CCHC)."""
    for mention in mentions:
        if mention.family != "group" or mention.status == "rejected":
            continue
        index = _group_index(text, mention, cues or [], index)
        if index is None or not in_target(lex, text, sentence, mention.start):
            reject(mention, "a group (Top N), not a rank")
            continue
        after = text[mention.end : mention.end + GROUP_LOOKAHEAD]
        is_top = re.search(r"(?i)(?:top|tốp)\s*\Z", text[mention.start - 6 : mention.start])
        if not is_top and re.match(r"(?i)\s*[^\W\d]", after) and not _LEADING_GROUP.search(after):
            reject(mention, "a group, not the leading one")  # "thoát khỏi nhóm 10 địa phương cuối bảng"
            continue
        mention.metric, mention.unit, mention.status = index[0] + ".rank", "rank", "metric"
        mention.reason, mention.confidence = "a group in a target", CARRY_CONFIDENCE
        mention.number = replace(mention.number, qualifier="upper_bound")
        if not (sentence.start <= index[1].start < sentence.end):
            mention.antecedent = text[index[1].start : index[1].end]
            mention.antecedent_span = (index[1].start, index[1].end)


_ABOUT_AFTER = re.compile(r"(?i)[^,;.]*?(?<!\w)về\s*\Z")


def _group_index(
    text: str, mention: Mention, cues: list[CueMatch], default: tuple[str, CueMatch] | None
) -> tuple[str, CueMatch] | None:
    """The index a group refers to: one named after it with "về" in its clause ("nhóm 3 địa
    phương dẫn đầu tỉnh về Chỉ số CCHC"), else the nearest one before it in the sentence."""
    named = [(index_base(cue.metric), match) for match in cues for cue in match.cues if index_base(cue.metric)]
    after = [(b, m) for b, m in named if m.start >= mention.end and _ABOUT_AFTER.match(text[mention.end : m.start])]
    if after:
        return min(after, key=lambda found: found[1].start)  # type: ignore[return-value]
    before = [(b, m) for b, m in named if m.end <= mention.start]
    if before:
        return max(before, key=lambda found: found[1].start)  # type: ignore[return-value]
    return default


def vet_index(lex: Lexicon, text: str, sentence: Sentence, mention: Mention, mentions: list[Mention]) -> None:
    """Keep an index candidate as a rank or a score only with the evidence of its shape."""
    base = index_base(mention.metric)
    bounds = index_ranges().get(base or "")
    if base is None or bounds is None:
        return
    number = mention.number
    if mention.family == "group":
        return  # group_ranks decided it
    if mention.family == "other":
        reject(mention, mention.reason or "count of something else")
        return
    if mention.unit == "rank":
        universe = number.denominator or RANK_UNIVERSE
        if not (1 <= number.value <= universe) or number.value != int(number.value):
            reject(mention, "not a rank in its universe")
            return
        mention.metric = base + ".rank"
        return
    _decimal_reading(mention, bounds)
    number = mention.number
    value = number.value
    if number.denominator is not None:
        if number.denominator not in bounds.scales:
            reject(mention, "a component score (N/M with M not the index's scale)")
            return
    elif mention.unit == "percent":
        if "percent" not in bounds.units:
            reject(mention, "this index is not a percent")
            return
    elif mention.unit != "score" and not isinstance(value, float):
        reject(mention, "no evidence of a score (no %, điểm or decimal)")
        return
    lead = text[max(mention.clause[0], mention.start - SCALE_LOOKBACK) : mention.start]
    if value in bounds.scales and _scale_re().search(lead):
        reject(mention, "the scale of the index")
        return
    if not bounds.low <= value <= bounds.high:
        reject(mention, "outside the index's plausible range")
        return
    mention.metric = base + ".score"
    if mark_national(lex, text, mention, mentions):
        return
    if _COMPARATIVE.search(lead) and "(" not in text[mention.start - 2 : mention.start]:
        reject(mention, "compared with, not the figure")  # "cao hơn tỉnh X 85,1%"


def carry_index(
    text: str,
    sentence: Sentence,
    mentions: list[Mention],
    cues: list[CueMatch],
    antecedent: tuple[str, CueMatch] | None,
    earlier: tuple[str, CueMatch] | None = None,
    adjacent: tuple[str, CueMatch] | None = None,
) -> None:
    """A rank, a score in points, or a percent after "đạt" or in parentheses, in a sentence
    that names no index and no rate takes the index named earlier in the paragraph
    (`antecedent`: base and cue match); a rank or a score in points also takes the first
    index the article names, its topic (`earlier`: "Khối huyện, thị xã Phú Mỹ đứng thứ 1/8
    với 90,05 điểm" a few paragraphs after the PAR INDEX results)."""
    named = index_cue(cues)
    if named is not None:
        _ranks_of_sentence_index(text, mentions, cues, named)
        return
    if (
        antecedent is None
        and adjacent is not None
        and (earlier is None or earlier[0] == adjacent[0])
        and any(m.unit in ("rank", "score") or m.family == "score" for m in mentions)
    ):
        # ranks and scores in points of a paragraph that names no index take the one the
        # previous paragraph named, and so do the percents stated with them ("lần lượt xếp
        # thứ 1, 2, 3 với 93,17%, 92,4% …")
        antecedent = adjacent
    if antecedent is None and earlier is None:
        return
    for mention in mentions:
        base, match = antecedent or earlier  # type: ignore[misc]
        if mention.status != "unlabelled" or mention.family in ("other", "change", "group"):
            continue
        if mention.reason.startswith("blocked"):
            continue  # "Chỉ số công khai minh bạch xếp thứ 22/63": a component index's rank
        if _RATE.search(text, mention.clause[0], mention.start):
            continue  # "Xếp theo tỷ lệ giải quyết đúng hạn, huyện A đứng thứ nhất": that rate's ranks
        if mention.unit == "rank":
            mention.metric = base + ".rank"
        elif mention.unit == "score" or mention.family == "score":
            mention.metric = base + ".score"
        elif (
            antecedent is not None
            and mention.unit == "percent"
            and mention.family == "none"
            and "percent" in index_ranges()[base].units
            and _PERCENT_LEAD.search(text, max(sentence.start, mention.start - PERCENT_LEAD_WINDOW), mention.start)
        ):
            mention.metric = base + ".score"  # "Dẫn đầu vùng là Đồng Tháp (88,1%)", "Hải Phòng đạt 87,05%"
        elif (
            mention.unit == "count"
            and mention.family == "none"
            and isinstance(mention.number.value, float)
            and _POINTS_BEFORE.search(text, sentence.start, mention.start)
        ):
            mention.metric = base + ".score"  # "với số điểm lần lượt là 91,4; 89,92; 88,67"
        else:
            continue
        mention.status, mention.reason = "metric", "index named in an earlier sentence"
        mention.confidence = CARRY_CONFIDENCE
        mention.antecedent = text[match.start : match.end]
        mention.antecedent_span = (match.start, match.end)


def _ranks_of_sentence_index(
    text: str, mentions: list[Mention], cues: list[CueMatch], named: tuple[str, CueMatch]
) -> None:
    """In a sentence that names one index, a rank left without a key in another clause is
    that index's ("huyện A có tỷ lệ hài lòng đạt 90,12%, đứng thứ nhất; huyện B đạt 88,63%,
    đứng thứ 2"): ranks are of an index unless a rate names them."""
    bases = {index_base(cue.metric) for match in cues for cue in match.cues} - {None}
    if len(bases) != 1:
        return
    base, match = named
    for mention in mentions:
        if mention.status != "unlabelled" or mention.unit != "rank" or mention.family in ("other", "group"):
            continue
        if mention.reason.startswith("blocked") or _RATE.search(text, mention.clause[0], mention.start):
            continue
        if mention.start < match.start:
            continue  # the index is named after the rank: not its antecedent
        mention.metric, mention.status = base + ".rank", "metric"
        mention.reason, mention.confidence = "index named earlier in the sentence", CARRY_CONFIDENCE


_YEAR_AFTER = re.compile(r"\s*(?:\(\s*)?(?:[A-Z][A-Z\s-]*\s)?(?:năm\s+)?((?:19|20)\d\d)(?!\d)")


def index_year(text: str, mention: Mention) -> int | None:
    """The year an index figure measures when the index name states it ("PAPI 2023",
    "Chỉ số CCHC năm 2022", "Chỉ số cải cách hành chính năm 2023 (PAR INDEX 2023)"): results
    are announced the year after, so the publication year would be wrong."""
    if index_base(mention.metric) is None:
        return None
    span = mention.antecedent_span or mention.cue_span
    if span is None:
        return None
    found = _YEAR_AFTER.match(text, span[1])
    return int(found.group(1)) if found else None
