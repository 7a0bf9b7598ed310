"""What surrounds a figure: its period, whether it is a target, who it belongs to.

* Period: the time expression in the figure's segment, else the nearest one before it
  in its clause, then in its sentence, then after it in the sentence, then the last one
  of the previous sentences of its paragraph, then the first one of the article stated
  before the figure (title, lead).
  Reference points are skipped ("tăng 5 bậc so với năm 2018"), and so are event dates
  ("Ngày 02/7/2018, ... tổ chức hội nghị"), except as-of dates ("tính đến ngày
  22/1/2025" -> period_end 2025-01-22, period_start None); "đến hết quý III năm 2020"
  likewise ends a cumulative period of unknown start.
* Target: a target word ("phấn đấu", "mục tiêu", "chỉ tiêu", "dự kiến", "sẽ") marks the
  figures after it up to the end of its clause; a heading that ends with ":" marks the
  rest of its paragraph ("Mục tiêu năm 2023:" and the list under it).
* Subject and scope: the nearest holder before the figure in its clause, else in its
  sentence: an agency ("Công an tỉnh", "Sở Nội vụ" -> scope tỉnh), a unit ("huyện Mỹ
  Xuyên" -> huyện, "xã Tân Thành" -> xã), a level ("cấp huyện": no subject, scope
  huyện) or the province as a whole ("toàn tỉnh", "UBND tỉnh": no subject, no scope).
  "cấp xã" right after the counted noun ("137 thủ tục cấp xã") counts too. Holders after
  "tại", "với", "theo", "cho" are places or partners, not owners, and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from cchc_nlp.metrics.lexicon import PhraseMatcher, lexicon, phrase_key
from cchc_nlp.metrics.mentions import Mention, Sentence
from cchc_nlp.tag.timex import find_times
from cchc_nlp.text.phrases import case_variants, grouped_alternation

__all__ = [
    "Period",
    "Holder",
    "find_times",
    "time_periods",
    "assign_period",
    "target_spans",
    "find_holders",
    "assign_holder",
]

# Windows and limits, in characters of the normalized text.
COMPARISON_GAP = 24  # "so với" at most this far before a time expression makes it a reference point
REFERENCE_LOOKBACK = 25  # where "so với" / "tính đến" are looked for before a time expression
HEADING_MAX = 60  # a target heading ("Mục tiêu năm 2023:") ends with ":" within this many characters
LEVEL_FOLLOW = 20  # the words after a level ("cấp huyện") where a verb makes it the subject
LEVEL_LOOKBACK = 6  # "các", "cấp", "toàn" just before a level word
LEVEL_AFTER_GAP = 40  # a level after the counted noun ("thủ tục tại cấp xã") at most this far
OWNER_AFTER_GAP = 60  # "của <holder>" after a figure at most this far
POST_NOMINAL_LOOKBACK = 30  # "134 thủ tục cấp xã": a number and a few words before a level
POST_NOMINAL_WORDS = 3  # ... of at most this many words
HOLDER_LEAD = 12  # the words before a holder: "tại", "với" (a place, a partner), "thứ 6" (a ranking)
LIST_ITEM_DIGIT = 4  # a holder followed this closely by a number heads a list item
ENUMERATION_GAP = 40  # levels and units this close together are an enumeration, not a scope

_CITY_PROVINCES = ("Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Huế")
_SKIP_HOLDER_AFTER = re.compile(r"(?i)(?<!\w)(?:tại|với|theo|cho|đến|tới|từ|giữa)\s+$")
_LEVEL_GAP = re.compile(r"(?i)\s*(?:(?:tại|ở|thuộc|của)\s+)?(?:các\s+)?(?:UBND\s+|cơ\s+quan\s+)?")
_LEVEL_AT = re.compile(r"(?i)(?<!\w)(?:tại|ở)\s+(?:các\s+)?(?:UBND\s+)?$")
_POST_NOMINAL = re.compile(rf"\d(?:[\d.,/]*\d)?%?\s+(?:(?!(?:và|hoặc|còn)\s)[^\W\d]+\s+){{1,{POST_NOMINAL_WORDS}}}$")
_RANK_UNIVERSE = re.compile(r"(?i)(?:(?<!\w)thứ\s+\d+(?:/\d+)?|(?<!\w)trong|(?<!\w)của)\s*$")
_HOLDER_VERBS = (
    "đã",
    "đạt",
    "có",
    "tiếp nhận",
    "xếp",
    "đứng",
    "thực hiện",
    "giải quyết",
    "hoàn thành",
    "cung cấp",
    "ký",
    "tinh giản",
    "triển khai",
    "được",
    "còn",
    "vẫn",
    "luôn",
    "nhận",
    "trả",
    "xử lý",
    "công bố",
)


@dataclass(frozen=True)
class Period:
    start: int
    end: int
    text: str
    period_start: str | None
    period_end: str | None
    label: str  # DATE | PERIOD
    kind: str | None


@dataclass(frozen=True)
class Holder:
    start: int
    end: int
    subject: str | None
    scope: str | None
    kind: str  # agency | unit | level | province


# --------------------------------------------------------------------------- periods


@cache
def _reference_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(a comparison shortly before a time expression, an as-of word right before it)."""
    lex = lexicon()
    comparison = re.compile(
        rf"(?:{lex.marker_re['comparison'].pattern})[^,;.()\d]{{0,{COMPARISON_GAP}}}\Z", re.IGNORECASE
    )
    return comparison, lex.marker_tail_re["asof"]


def time_periods(text: str, published: str | None, records: list[dict[str, Any]] | None = None) -> list[Period]:
    """Usable time expressions of a text, with reference points and event dates removed.

    records: DATE/PERIOD entity records (doc._.entities) when a tagger made them; else
    they are found here (`cchc_nlp.tag.timex.find_times`).
    """
    raw: list[tuple[int, int, str, str | None, str | None, str, str | None]] = []
    if not records:
        records = find_times(text, published)
    for r in records:
        if r.get("label") not in ("DATE", "PERIOD"):
            continue
        attrs = r.get("attrs") or {}
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None or end is None) and r.get("norm"):
            parts = str(r["norm"]).split("..")
            start, end = parts[0], parts[-1]
        raw.append(
            (
                r["start"],
                r["end"],
                r.get("text") or text[r["start"] : r["end"]],
                start,
                end,
                r["label"],
                attrs.get("kind"),
            )
        )
    comparison, asof = _reference_patterns()
    lex = lexicon()
    comparison_words = {p.split()[0].lower() for p in lex.markers.get("comparison", ())}
    asof_words = lex.marker_last_words.get("asof", frozenset())
    out = []
    for start, end, expr_text, p_start, p_end, label, kind in sorted(raw):
        before = text[max(0, start - REFERENCE_LOOKBACK) : start]
        before_tail = before.rsplit(";", 1)[-1]
        words = before_tail.lower().split()
        if comparison_words.intersection(words) and comparison.search(before_tail):
            continue  # "so với năm 2018", "so với các kỳ báo cáo tháng 7": a reference point
        as_of = bool(words) and words[-1] in asof_words and asof.search(before_tail) is not None
        if label == "DATE":
            if not as_of:
                continue
            p_start = None
        elif as_of and kind not in ("horizon", "range", "ytd"):
            p_start = None
        out.append(Period(start, end, expr_text, p_start, p_end, label, kind))
    return _apply_aliases(text, out)


def _apply_aliases(text: str, periods: list[Period]) -> list[Period]:
    """ "quý I năm 2020 (tính từ 1/12/2019 đến 29/2/2020)": later mentions of the same
    reporting period ("quý I") take the explicit range (shifted reporting periods)."""
    aliases: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
    for a, b in pairwise(periods):
        if (
            a.label == "PERIOD"
            and b.kind == "range"
            and re.fullmatch(r"\s*\(\s*(?:tính\s+)?", text[a.end : b.start], re.I)
            and (a.period_start, a.period_end) != (b.period_start, b.period_end)
            and a.kind in ("month", "quarter", "half_year")
        ):
            aliases[(a.period_start, a.period_end)] = (b.period_start, b.period_end)
    if not aliases:
        return periods
    out = []
    for p in periods:
        if (p.period_start, p.period_end) in aliases and p.kind in ("month", "quarter", "half_year"):
            start, end = aliases[(p.period_start, p.period_end)]
            p = Period(p.start, p.end, p.text, start, end, p.label, p.kind)
        out.append(p)
    return out


def _bracketed(text: str, period: Period, clause_start: int) -> bool:
    """True when the period sits inside a parenthesis opened in its clause."""
    head = text[clause_start : period.start]
    return head.count("(") > head.count(")")


def assign_period(text: str, mention: Mention, periods: list[Period], sentences: list[Sentence]) -> Period | None:
    """The period of a figure (see the module docstring)."""
    if not periods:
        return None
    sent = mention.sentence
    in_sentence = [p for p in periods if sent.start <= p.start and p.end <= sent.end]
    seg = mention.segment
    in_segment = [p for p in in_sentence if seg[0] <= p.start and p.end <= seg[1]]
    if in_segment:
        return min(in_segment, key=lambda p: abs(p.start - mention.start))
    # "Bảo hiểm xã hội tỉnh 96 hồ sơ (từ ngày 8/5 - 15/8)": a parenthesis right after
    bracketed = [
        p
        for p in in_sentence
        if seg[1] <= p.start and p.end <= mention.clause[1] and re.fullmatch(r"[\s,]*\(\s*", text[seg[1] : p.start])
    ]
    if bracketed:
        return bracketed[0]
    clause = mention.clause
    before_clause = [p for p in in_sentence if clause[0] <= p.start and p.end <= mention.start]
    if before_clause:
        return before_clause[-1]
    before = [
        p for p in in_sentence if p.end <= mention.start and not _bracketed(text, p, _clause_start(text, sent, p.start))
    ]
    if before:
        return before[-1]
    after = [p for p in in_sentence if p.start >= mention.end and clause[0] <= p.start < clause[1]]
    if after:
        return after[0]
    earlier = [
        p for p in periods if p.end <= sent.start and not _bracketed(text, p, _clause_start(text, None, p.start))
    ]
    same_paragraph = [p for p in earlier if _paragraph_of(p.start, sentences) == sent.paragraph]
    if same_paragraph:
        return same_paragraph[-1]
    # the article's period: the first one stated before the figure (title, lead)
    article = [p for p in earlier if p.label == "PERIOD"]
    return article[0] if article else None


def _clause_start(text: str, sent: Sentence | None, pos: int) -> int:
    lower = sent.start if sent is not None else max(0, text.rfind("\n", 0, pos) + 1)
    cut = max(text.rfind(";", lower, pos), text.rfind(".", lower, pos))
    return cut + 1 if cut >= 0 else lower


def _paragraph_of(pos: int, sentences: list[Sentence]) -> int:
    for s in sentences:
        if s.start <= pos < s.end or pos < s.start:
            return s.paragraph
    return sentences[-1].paragraph if sentences else 0


# --------------------------------------------------------------------------- targets


_DIGIT_NEXT = re.compile(r"\s*\d")
_ACTUAL_CLAUSE = re.compile(
    r"(?i)(?<!\w)(?:đã|kết\s+quả|thực\s+tế|hiện\s+nay|hiện\s+có|năm\s+\d{4}|tháng\s+\d|quý\s+[IVX\d])(?!\w)"
)


def _target_end(text: str, start: int, sentence_end: int) -> int:
    """A target reaches the end of its clause, and, when that clause states a target
    figure, the next clauses of the list ("chỉ tiêu 100% …; 95% …") until one reports an
    actual figure ("đã", "kết quả", a new period)."""
    end = text.find(";", start, sentence_end)
    if end >= 0 and (not re.search(r"\d", text[start:end]) or _ACTUAL_CLAUSE.search(text, start, end)):
        return end
    while end >= 0:
        following = text.find(";", end + 1, sentence_end)
        clause_end = sentence_end if following < 0 else following
        if _ACTUAL_CLAUSE.search(text, end + 1, clause_end):
            return end
        end = following
    return sentence_end


def target_spans(
    text: str,
    sentences: list[Sentence],
    wanted: set[int] | None = None,
    tokens: dict[int, list] | None = None,
    kind: str = "target",
) -> list[tuple[int, int]]:
    """Character spans whose figures are targets, in the sentences `wanted` (indices;
    default all). tokens: the words of sentences already tokenized (PhraseMatcher.tokens).
    kind "request": the spans after a request ("đề nghị", "yêu cầu"), whose rates are
    targets ("đề nghị … nâng tỷ lệ này lên tối thiểu 40%"; "kiến nghị cắt giảm 74 thủ tục"
    is done)."""
    lex = lexicon()
    target, not_target = lex.marker_matcher[kind], lex.marker_matcher["not_target"]
    tokens = tokens or {}
    spans: list[tuple[int, int]] = []
    heading_paragraph = None
    for index, s in enumerate(sentences):
        if heading_paragraph is not None and s.paragraph == heading_paragraph:
            spans.append((s.start, s.end))
            continue
        heading_paragraph = None
        is_wanted = wanted is None or index in wanted
        if not is_wanted and text.find(":", s.start, s.end) < 0:
            continue  # only a heading ("Mục tiêu năm 2023:") matters for other sentences
        words = tokens.get(index) or PhraseMatcher.tokens(text, s.start, s.end)
        # "mục tiêu trên" blocks ("the target above"), "mục tiêu trên 80%" does not
        blocked = [
            (a, b) for a, b, _ in not_target.finditer(text, s.start, s.end, words) if not _DIGIT_NEXT.match(text, b)
        ]
        for m_start, m_end, _ in target.finditer(text, s.start, s.end, words):
            if any(a <= m_start < b for a, b in blocked):
                continue
            heading = re.match(rf"[^.;:]{{0,{HEADING_MAX}}}:", text[m_end : s.end])
            end = s.end if heading else _target_end(text, m_end, s.end)
            if is_wanted or heading:
                spans.append((m_start, end))
            if heading:  # "Mục tiêu đến hết năm 2025: ..." and the list under it
                heading_paragraph = s.paragraph
    return spans


# --------------------------------------------------------------------------- holders


@cache
def _holder_patterns() -> tuple[PhraseMatcher, dict[str, tuple[str, str | None]], re.Pattern]:
    """(named holders, phrase -> (kind, scope), unit words)."""
    rows = lexicon().holders
    named = {}
    units = {}
    for row in rows:
        kind, scope = row["kind"], row["scope"] or None
        if kind in ("unit", "province_unit", "agency_head"):
            units[row["phrase"].lower()] = (kind, scope)
        else:
            named[" ".join(row["phrase"].lower().split())] = (kind, scope)
    named_re = PhraseMatcher(named)
    named = {phrase_key(p): v for p, v in named.items()}
    unit_words = sorted(units, key=len, reverse=True)
    # The match is the first letter (UBND, Ủy ban, a unit word) at a word start, read by a
    # class of its every case (the engine's fast scan stops only there); the holder, a look-
    # ahead from that letter, is group 1. A scan skips the matches inside the last holder.
    holder = (
        r"(?:(?:UBND|Ủy ban nhân dân)\s+)?("
        + grouped_alternation(unit_words, lambda u: re.escape(u).replace(r"\ ", r"\s+"), ignorecase=True)
        + r")(?=\s|$)"
    )
    variants = [None if c.isspace() else case_variants(c) for c in {u[0] for u in unit_words} | {"U", "Ủ"}]
    if all(v is not None for v in variants):
        letters = "".join(sorted(re.escape(c) for v in variants for c in v))
        unit_re = re.compile(rf"(?-i:[{letters}])(?<!\w[\s\S])(?<=(?={holder})[\s\S])", re.IGNORECASE)
    else:  # a unit word that does not open with a Latin letter: the plain pattern
        unit_re = re.compile(rf"(?<!\w){holder}", re.IGNORECASE)
    return named_re, {**named, **units}, unit_re


_NAME_WORD = re.compile(r"\s*([^\s,;:.()]+)")


def _proper_name_end(text: str, pos: int, limit: int) -> int:
    """End of the run of capitalised words (or a number: "Phường 2") starting at pos."""
    end = pos
    for m in _NAME_WORD.finditer(text, pos, limit):  # (not a copy of the rest of the text)
        word = m.group(1)
        if word[0].isupper() or (end == pos and word.isdigit()) or (end > pos and word in ("-", "–")):
            end = m.end()
        else:
            break
    return end


def find_holders(
    text: str,
    start: int,
    end: int,
    entities: list[dict[str, Any]] | None = None,
    reserved: list[tuple[int, int]] | None = None,
    tokens: list[tuple[int, int, str]] | None = None,
) -> list[Holder]:
    """Holders (who a figure may belong to) in text[start:end], in text order.

    reserved: spans of lexicon cues; a holder inside one is part of a name ("Chỉ số
    năng lực cạnh tranh cấp tỉnh"), not a holder. tokens: the words of text[start:end]
    when already known (PhraseMatcher.tokens).
    """
    named_re, table, unit_re = _holder_patterns()
    found: list[Holder] = []
    reserved = reserved or []
    taken: list[tuple[int, int]] = list(reserved)
    for m_start, m_end, key in named_re.finditer(text, start, end, tokens):
        # (the names found do not overlap: no earlier one holds this one, only a reserved span can)
        if reserved and any(a <= m_start and m_end <= b for a, b in reserved):
            continue
        kind, scope = table[key]
        subject = text[m_start:m_end] if kind == "agency" else None
        found.append(Holder(m_start, m_end, subject, scope, kind))
        taken.append((m_start, m_end))
    last = -1
    for m in unit_re.finditer(text, start, end):
        if m.start() < last:
            continue  # inside the last holder
        last = m.end(1)
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        word = m.group(1)
        kind, scope = table[" ".join(word.lower().split())]
        name_end = _proper_name_end(text, m.end(1), end)
        if name_end > m.end(1):
            name = text[m.end(1) : name_end].strip()
            if kind == "province_unit" or (word.lower() in ("thành phố", "tp.", "tp") and name in _CITY_PROVINCES):
                found.append(Holder(m.start(), name_end, None, None, "province"))
            elif kind == "agency_head":
                found.append(Holder(m.start(1), name_end, text[m.start(1) : name_end], scope, "agency"))
            else:
                found.append(Holder(m.start(1), name_end, text[m.start(1) : name_end], scope, "unit"))
            taken.append((m.start(), name_end))
            continue
        follow = text[m.end(1) : m.end(1) + LEVEL_FOLLOW].lstrip().lower()
        before = text[max(start, m.start() - LEVEL_LOOKBACK) : m.start()].lower()
        if before.endswith(("các ", "cấp ", "toàn ")) or kind == "agency_head":
            continue
        if any(follow.startswith(v + " ") or follow == v for v in _HOLDER_VERBS):
            if kind == "province_unit":
                found.append(Holder(m.start(), m.end(1), None, None, "province"))
            else:
                found.append(Holder(m.start(), m.end(1), None, scope, "level"))
    for record in entities or ():
        if record.get("label") not in ("ORG", "DISTRICT", "COMMUNE") or not (
            start <= record["start"] and record["end"] <= end
        ):
            continue
        if any(a < record["end"] and record["start"] < b for a, b in taken):
            continue
        holder = _entity_holder(record)
        if holder is not None:
            found.append(holder)
    found.sort(key=lambda h: (h.start, -h.end))
    return found


def _entity_holder(record: dict[str, Any]) -> Holder | None:
    text = record.get("text") or ""
    lower = text.lower()
    if record["label"] == "DISTRICT":
        return Holder(record["start"], record["end"], text, "huyện", "unit")
    if record["label"] == "COMMUNE":
        return Holder(record["start"], record["end"], text, "xã", "unit")
    if lower in ("ubnd tỉnh", "ủy ban nhân dân tỉnh", "tỉnh ủy", "hđnd tỉnh") or lower.startswith(
        ("ubnd tỉnh ", "tỉnh ủy ")
    ):
        return Holder(record["start"], record["end"], None, None, "province")
    if re.search(r"(?<!\w)(?:huyện|thị xã|quận|thành phố|tp\.)(?!\w)", lower):
        scope = "huyện"
    elif re.search(r"(?<!\w)(?:xã|phường|thị trấn)(?!\w)", lower):
        scope = "xã"
    elif lower.startswith("sở ") or lower.endswith(" tỉnh"):
        scope = "tỉnh"
    else:
        scope = None
    return Holder(record["start"], record["end"], text, scope, "agency")


def _clean_subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    return re.sub(r"(?i)^(?:UBND|Ủy ban nhân dân)\s+", "", subject).strip() or None


def assign_holder(text: str, mention: Mention, holders: list[Holder]) -> tuple[str | None, str | None]:
    """(subject, scope_level) of a figure (see the module docstring)."""
    sent = mention.sentence
    in_sentence = [h for h in holders if sent.start <= h.start and h.end <= sent.end]
    # "137 thủ tục cấp xã", "98,2% văn bản đi của các cơ quan cấp tỉnh": right after the figure
    after = []
    for h in in_sentence:
        if not (mention.end <= h.start and h.end <= mention.segment[1]):
            continue
        gap = text[mention.end : h.start]
        near_gap = text[max(mention.noun_end, mention.end) : h.start]
        if (
            h.kind == "level"
            and (
                _LEVEL_GAP.fullmatch(near_gap)
                or (
                    len(near_gap) <= LEVEL_AFTER_GAP
                    and not re.search(r"[\d;]", near_gap)
                    and _LEVEL_AT.search(near_gap)
                )
            )
        ) or (len(gap) <= OWNER_AFTER_GAP and re.search(r"(?i)(?<!\w)của(?!\w)", gap)):
            after.append(h)
    before = []
    for h in in_sentence:
        if h.end > mention.start:
            continue
        if h.kind == "level" and _POST_NOMINAL.search(text[max(sent.start, h.start - POST_NOMINAL_LOOKBACK) : h.start]):
            continue  # "134 thủ tục cấp xã": the level of another figure
        lead = text[max(sent.start, h.start - HOLDER_LEAD) : h.start]
        if h.kind in ("agency", "unit") and _SKIP_HOLDER_AFTER.search(lead):
            continue  # "tại Trung tâm ...", "phối hợp với Sở ...": a place or a partner
        if h.kind == "province" and _RANK_UNIVERSE.search(lead):
            continue  # "đứng thứ 6 toàn tỉnh": the field of a ranking
        if h.start < mention.clause[0]:
            # from an earlier clause only the subject of the sentence's first clause
            # carries over, unless it heads a list item ("Công an tỉnh 2.668 hồ sơ;")
            first_clause_end = text.find(";", sent.start, sent.end)
            if first_clause_end >= 0 and h.start > first_clause_end:
                continue
            if re.match(r"\s*\d", text[h.end : h.end + LIST_ITEM_DIGIT]):
                continue
        before.append(h)
    chosen = before[-1] if before else None
    if chosen is not None and chosen.kind == "province" and len(before) > 1:
        # "Với cấp xã, toàn tỉnh quý I tiếp nhận ...": the level stands
        prior = before[-2]
        if prior.kind == "level" and re.fullmatch(r"[\s,]*", text[prior.end : chosen.start]):
            chosen = prior
    if (
        chosen is not None
        and chosen.kind == "level"
        and any(
            h.kind in ("level", "unit")
            and h.scope != chosen.scope
            and chosen.start - h.end <= ENUMERATION_GAP
            and not re.search(r"\d", text[h.end : chosen.start])
            for h in before[:-1]
        )
    ):
        # "các sở, ngành, UBND huyện, thành phố, cấp xã": an enumeration, not a scope
        return None, None
    if after:
        nearest = after[0]
        if nearest.kind == "level":
            keep = chosen is not None and chosen.kind in ("agency", "unit") and chosen.scope == nearest.scope
            return _clean_subject(chosen.subject if keep else None), nearest.scope
        if nearest.kind == "province":
            return None, None
        return _clean_subject(nearest.subject), nearest.scope
    if chosen is None or chosen.kind == "province":
        return None, None
    return _clean_subject(chosen.subject), chosen.scope
