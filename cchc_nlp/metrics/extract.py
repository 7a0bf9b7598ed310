"""Rule-based metric extraction: number mentions -> metric records.

For each sentence of a normalized text:

1. number mentions come from `cchc_nlp.text.numbers.find_numbers` (dates, document numbers,
   ISO versions, phones and "mức độ 3,4" are already skipped there); mentions inside a
   time expression ("6 tháng đầu năm") are dropped;
2. each mention gets a unit (percent, rank after "xếp thứ", score before "điểm", else
   count), the family of its counted noun ("hồ sơ" -> dossier, "điểm" -> score, "đại
   biểu" -> other) and a *segment*: the words between the separators (, ; ( ) và trong
   đó ...) around it, never cutting a lexicon phrase ("đúng và trước hạn");
3. change amounts ("tăng 3 bậc", "giảm 1,59 điểm", "tăng 2,5% so với") are set aside;
4. the metric is the best lexicon cue compatible with the noun family and the unit:
   first in the segment (confidence 0.9), then between the neighbouring mentions (0.8),
   then in the clause (0.7) and, for the index names, in the sentence (0.65); a higher
   priority wins, then the nearer cue ("trước hạn" beats "giải quyết");
5. a percent right after a count, introduced by "đạt/chiếm/tỷ lệ" or a parenthesis,
   is that count's stated share ("1132/1937 thủ tục (đạt 57,41%)"), not a row;
6. a figure without a cue inherits the metric of the figure it breaks down ("trong đó
   cấp tỉnh 21.306 hồ sơ") or of the first figure of a parallel list ("Công an tỉnh
   2.668 hồ sơ"), with a lower confidence;
7. context modifiers map metrics after them in the clause ("bưu chính": received ->
   postal.received), targets are flagged ("phấn đấu", "mục tiêu", "dự kiến"), and the
   period, subject and scope are attached (cchc_nlp.metrics.context).

Everything the rules cannot label stays available as an "unlabelled" mention (with the
clause around it) for the optional classifier hook and for training one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from cchc_nlp.metrics.lexicon import NO_METRIC, Cue, Lexicon, lexicon
from cchc_nlp.text.numbers import NumberMention, find_numbers
from cchc_nlp.text.segment import split_sentences

__all__ = ["Mention", "Sentence", "analyze_text", "MentionContext", "Classifier"]

# (metric, probability) or None; see MentionContext for what it is called with.
Classifier = Callable[[Any], "tuple[str, float] | None"]

CONFIDENCE = {"segment": 0.9, "loose": 0.8, "clause": 0.7, "sentence": 0.65}
WEAK_PRIORITY = 4  # cues at or below this lose to an inherited metric in a breakdown
INHERIT_BREAKDOWN = 0.6
INHERIT_PARALLEL = 0.5
AMBIGUOUS_BELOW = 0.6  # rule rows below this confidence may be overruled by the classifier

_PUNCT_SEPARATOR = re.compile(r"[;,:()\[\]]|\s[-–]\s")
_CLAUSE_SEPARATOR = re.compile(r";")
_COMPARATIVE = re.compile(r"(?i)(?<!\w)(?:cao|thấp|nhiều|ít)\s+hơn(?!\w)|(?<!\w)vượt(?!\w)")
_SUBLIST = re.compile(r"\((?![^()\d;]{1,16}\))|(?i:(?<!\w)(?:trong\s+đó|trong\s+số\s+đó|bao\s+gồm|gồm)(?!\w))")
_DIGITS = re.compile(r"\d+")
# words after a stated share that describe its base ("chiếm 0,92% tổng số hồ sơ đã giải quyết")
_BASE_AFTER = re.compile(r"(?i)\s*(?:\)\s*)?(?:trên\s+|so\s+với\s+|của\s+)?(?:tổng|số\s+hồ\s+sơ|kế\s+hoạch)")
_CLOCK_BEFORE = re.compile(r"(?i)\d\s*(?:giờ|h)\s*\Z")
_BARE_YEAR = re.compile(r"(?:19|20)\d\d")
_SHORT_PAREN = re.compile(r"\([^()\d;]{1,16}\)")
_NOT_SEPARATOR_BEFORE = re.compile(r"(?i)(?<!\w)(?:đối|so|cùng|tương\s+ứng|kèm\s+theo|kèm)\s+\Z")
_SKIP_BEFORE_NOUN = re.compile(r"(?:\s|\(|các\s|những\s|mỗi\s)*", re.IGNORECASE)


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    index: int
    tokens: list[tuple[int, int, str]] | None = None  # its words, once a figure may be in it
    token_starts: list[int] | None = None

    def words(self, start: int, end: int) -> list[tuple[int, int, str]] | None:
        """The sentence's words inside [start, end), or None when not tokenized."""
        if self.tokens is None or self.token_starts is None:
            return None
        i = bisect.bisect_left(self.token_starts, start)
        j = bisect.bisect_left(self.token_starts, end)
        return [t for t in self.tokens[i:j] if t[1] <= end]


@dataclass
class CueMatch:
    start: int
    end: int
    cues: list[Cue]


@dataclass
class Mention:
    """A number mention and what the rules made of it."""

    number: NumberMention
    sentence: Sentence
    unit: str
    family: str
    noun_end: int
    segment: tuple[int, int] = (0, 0)
    loose: tuple[int, int] = (0, 0)
    clause: tuple[int, int] = (0, 0)
    status: str = "unlabelled"  # metric | share | change | unlabelled
    reason: str = ""
    metric: str | None = None
    cue: Cue | None = None
    cue_span: tuple[int, int] | None = None
    confidence: float = 0.0
    share: float | None = None
    share_of: int | None = None  # index of the mention this percent is the share of

    @property
    def start(self) -> int:
        return self.number.start

    @property
    def end(self) -> int:
        return self.number.end


class MentionContext(str):
    """What the classifier hook receives: the clause around a number (a str), with the
    full text and the number's offsets as attributes `text`, `start`, `end`."""

    text: str
    start: int
    end: int

    def __new__(cls, clause: str, text: str, start: int, end: int) -> MentionContext:
        obj = super().__new__(cls, clause)
        obj.text, obj.start, obj.end = text, start, end
        return obj


# --------------------------------------------------------------------------- helpers


def _sentences(text: str) -> list[Sentence]:
    paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]
    out = []
    for index, (start, end) in enumerate(split_sentences(text)):
        paragraph = bisect.bisect_right(paragraph_starts, start) - 1
        out.append(Sentence(start, end, paragraph, index))
    return out


def _cue_matches(lex: Lexicon, text: str, start: int, end: int, tokens=None) -> list[CueMatch]:
    found = [CueMatch(a, b, lex.cues_for(key)) for a, b, key in lex.cue_matcher.finditer(text, start, end, tokens)]
    for pattern, cue in lex.gap_cues:
        for m in pattern.finditer(text, start, end):
            found.append(CueMatch(m.start(), m.end(), [cue]))
    found.sort(key=lambda c: (c.start, -c.end))
    return found


def _covered(sorted_spans: list[tuple[int, int]], pos: int) -> bool:
    """True when pos falls in one of the (start-sorted, non-nested) spans."""
    i = bisect.bisect_right(sorted_spans, (pos, float("inf"))) - 1
    return i >= 0 and sorted_spans[i][0] <= pos < sorted_spans[i][1]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s < pos < e for s, e in spans)


def _ends_with(lex: Lexicon, kind: str, text: str) -> re.Match | None:
    """The marker of `kind` that ends `text` (only spaces after it), if any."""
    pattern = lex.marker_tail_re.get(kind)
    if pattern is None:
        return None
    words = text.split()
    if not words or words[-1].lower() not in lex.marker_last_words[kind]:
        return None  # the quick pre-check: the last word must end a marker
    return pattern.search(text)


def _counted_noun(
    lex: Lexicon, text: str, pos: int, limit: int, sentence: Sentence | None = None
) -> tuple[str | None, int]:
    """(family, end) of the noun right after a number, or (None, pos)."""
    skip = _SKIP_BEFORE_NOUN.match(text, pos, limit)
    at = skip.end() if skip else pos
    tokens = sentence.words(at, limit) if sentence is not None else None
    if tokens is None:
        tokens = lex.noun_matcher.tokens(text, at, limit)
    if not tokens or tokens[0][0] != at:  # the noun must follow the number directly
        return None, pos
    found = lex.noun_matcher.match_first(text, tokens)
    if found is None:
        return None, pos
    end, key = found
    return lex.noun_family.get(key), end


def _noun_before(lex: Lexicon, text: str, start: int, pos: int, sentence: Sentence | None = None) -> str | None:
    """The family of the nearest metric noun before `pos` in text[start:pos]."""
    family = None
    tokens = sentence.words(start, pos) if sentence is not None else None
    for _, _, key in lex.noun_matcher.finditer(text, start, pos, tokens):
        if key in lex.noun_lookback:
            family = lex.noun_family.get(key)
    return family


# --------------------------------------------------------------------------- analysis


@dataclass
class TextAnalysis:
    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    cue_matches: dict[int, list[CueMatch]] = field(default_factory=dict)  # sentence index -> cues
    tokens: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # sentence index -> words


def analyze_text(
    text: str,
    excluded: list[tuple[int, int]] | None = None,
    classifier: Classifier | None = None,
    all_mentions: bool = False,
) -> TextAnalysis:
    """Find and label the number mentions of a normalized text (no periods/subjects yet).

    excluded: spans (time expressions) whose numbers are not figures. Sentences without
    digits, and (unless `all_mentions` or a classifier is given) sentences with neither
    a cue, a metric noun nor a percent sign, cannot yield a row and are skipped.
    """
    lex = lexicon()
    sentences = _sentences(text)
    excluded = sorted(excluded or [])
    analysis = TextAnalysis(text, sentences, [])
    # one pass of the number finder over the whole text; sentences without numbers are
    # skipped altogether
    numbers_by_sentence: dict[int, list[NumberMention]] = {}
    cues_by_sentence: dict[int, list[CueMatch]] = {}
    everything = all_mentions or classifier is not None
    for sentence in sentences:
        # figures are written in digits (number words, "hai", "ba", are left aside) and
        # stand outside dates and periods ("Sáng ngày 23/12, ...")
        if not any(not _covered(excluded, m.start()) for m in _DIGITS.finditer(text, sentence.start, sentence.end)):
            continue
        tokens = lex.cue_matcher.tokens(text, sentence.start, sentence.end)
        analysis.tokens[sentence.index] = tokens
        sentence.tokens, sentence.token_starts = tokens, [t[0] for t in tokens]
        cues = _cue_matches(lex, text, sentence.start, sentence.end, tokens)
        if (
            not everything
            and not cues
            and "%" not in text[sentence.start : sentence.end]
            and not any(True for _ in lex.metric_noun_matcher.finditer(text, sentence.start, sentence.end, tokens))
        ):
            continue
        cues_by_sentence[sentence.index] = cues
    # one call of the number finder per run of consecutive wanted sentences
    wanted = sorted(cues_by_sentence)
    runs: list[list[int]] = []
    for index in wanted:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        first, last = sentences[run[0]], sentences[run[-1]]
        for number in find_numbers(text, first.start, last.end):
            for index in run:
                if sentences[index].start <= number.start and number.end <= sentences[index].end:
                    numbers_by_sentence.setdefault(index, []).append(number)
                    break
    previous_rows: list[Mention] = []  # labelled mentions of the previous sentence (same paragraph)
    last_paragraph = -1
    for sentence in sentences:
        if sentence.paragraph != last_paragraph:
            previous_rows = []
            last_paragraph = sentence.paragraph
        mentions = _sentence_mentions(lex, text, sentence, excluded, numbers_by_sentence.get(sentence.index, []))
        if not mentions:
            continue
        cues = cues_by_sentence[sentence.index]
        analysis.cue_matches[sentence.index] = cues
        _segment(lex, text, sentence, mentions, cues, analysis.tokens.get(sentence.index))
        _label(lex, text, sentence, mentions, cues, previous_rows)
        _apply_contexts(lex, text, mentions)
        analysis.mentions.extend(mentions)
        rows = [m for m in mentions if m.status == "metric"]
        if rows:
            previous_rows = rows
    if classifier is not None:
        # one call per article: a model's per-call cost dwarfs its per-mention cost
        _classify(lex, text, analysis.mentions, classifier)
    return analysis


def _sentence_mentions(
    lex: Lexicon, text: str, sentence: Sentence, excluded: list[tuple[int, int]], numbers: list[NumberMention]
) -> list[Mention]:
    out: list[Mention] = []
    for number in numbers:
        if any(s < number.end and number.start < e for s, e in excluded):
            continue
        if _CLOCK_BEFORE.search(text, max(sentence.start, number.start - 8), number.start):
            continue  # "từ 7 giờ 30": minutes of a clock time
        if _BARE_YEAR.fullmatch(number.raw) and number.unit is None and 1990 <= number.value <= 2035:
            family, _ = _counted_noun(lex, text, number.end, min(sentence.end, number.end + 40), sentence)
            if family in (None, "other", "score"):
                continue  # "PAR INDEX 2022", "PCI 2023": a year, not a figure
        before = text[max(sentence.start, number.start - 30) : number.start]
        after_limit = min(sentence.end, number.end + 40)
        unit = "percent" if number.unit == "percent" else "count"
        rank_cue = _ends_with(lex, "rank", before)
        if unit != "percent" and rank_cue is not None and not re.search(r"(?i)sắp\s+$", before[: rank_cue.start()]):
            unit = "rank"
        family, noun_end = _counted_noun(lex, text, number.end, after_limit, sentence)
        if unit == "count" and family == "score":
            unit = "score"
        if unit == "rank":
            family, noun_end = "none", number.end
        out.append(Mention(number, sentence, unit, family or "none", noun_end))
    return out


def _segment(
    lex: Lexicon, text: str, sentence: Sentence, mentions: list[Mention], cues: list[CueMatch], tokens=None
) -> None:
    """Set each mention's segment, loose region and clause (see the module docstring).

    Between two mentions the cut falls at the last separator (punctuation or a word such
    as "và", "trong đó"); around a mention the tight segment stops at punctuation only,
    so "được tiếp nhận và xử lý trực tuyến" stays with its figure. A short parenthesis
    without digits ("(DVC)", "(HS)") is transparent.
    """
    protected = [(c.start, c.end) for c in cues]
    transparent = [m.span() for m in _SHORT_PAREN.finditer(text, sentence.start, sentence.end)]
    punctuation: list[tuple[int, int]] = []
    for m in _PUNCT_SEPARATOR.finditer(text, sentence.start, sentence.end):
        if _inside(protected, m.start()) or any(a <= m.start() < b for a, b in transparent):
            continue
        punctuation.append((m.start(), m.end()))
    words: list[tuple[int, int]] = []
    for m_start, m_end, _ in lex.marker_matcher["separator"].finditer(text, sentence.start, sentence.end, tokens):
        if any(a <= m_start < b for a, b in protected):
            continue
        if _NOT_SEPARATOR_BEFORE.search(text, max(sentence.start, m_start - 12), m_start):
            continue  # "đối với", "so với": part of a phrase
        words.append((m_start, m_end))
    clause_cuts = [m.start() for m in _CLAUSE_SEPARATOR.finditer(text, sentence.start, sentence.end)]

    def clause_of(pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(clause_cuts, pos)
        start = clause_cuts[i - 1] + 1 if i > 0 else sentence.start
        end = clause_cuts[i] if i < len(clause_cuts) else sentence.end
        return start, end

    cuts = [sentence.start]
    for prev, cur in pairwise(mentions):
        lo, hi = prev.end, cur.number.start
        # punctuation first: in "2.171, lũy kế đã và đang giải quyết … 6.302" the "và"
        # joins two verbs, the comma separates the figures
        # the last punctuation mark, else the first separating word ("chiếm 18,4% | và số
        # quá hạn còn 634 hồ sơ")
        marks = [a for a, _ in punctuation if lo <= a < hi]
        joins = [a for a, _ in words if lo <= a < hi]
        if marks:
            cuts.append(marks[-1])
        elif joins:
            cuts.append(joins[0])
        else:
            cuts.append(max(lo, min(prev.noun_end, hi)))
    cuts.append(sentence.end)
    for i, mention in enumerate(mentions):
        left, right = cuts[i], cuts[i + 1]
        # the loose region reaches the neighbouring figures, skipping numbers of other
        # things ("16 quyết định … của 13 sở, ngành với 865 TTHC")
        figures_before = [m for m in mentions[:i] if m.family not in ("other", "change")]
        figures_after = [m for m in mentions[i + 1 :] if m.family not in ("other", "change")]
        gap_left = figures_before[-1].end if figures_before else sentence.start
        gap_right = figures_after[0].number.start if figures_after else sentence.end
        clause = clause_of(mention.start)
        before = [a for a, b in punctuation if left <= a and b <= mention.start]
        seg_start = max(left, before[-1]) if before else left
        after = [a for a, _ in punctuation if mention.end <= a < right]
        seg_end = after[0] if after else right
        seg_start, seg_end = max(seg_start, clause[0]), min(seg_end, clause[1])
        mention.segment = (seg_start, max(seg_end, mention.end))
        stop = _SUBLIST.search(text, mention.end, gap_right)
        if stop is not None:
            gap_right = stop.start()
        mention.loose = (max(gap_left, clause[0]), min(gap_right, clause[1]))
        mention.clause = clause


def _compatible(cue: Cue, mention: Mention) -> bool:
    if mention.unit not in cue.units:
        return False
    family = mention.family
    return family in cue.nouns


def _best_cue(
    mention: Mention, cues: list[CueMatch], region: tuple[int, int], scopes: tuple[str, ...], by_distance: bool
) -> tuple[Cue, CueMatch] | None:
    best = None
    best_key = None
    for match in cues:
        if match.start < region[0] or match.end > region[1]:
            continue
        if match.start < mention.end and mention.start < match.end:
            continue
        distance = mention.start - match.end if match.end <= mention.start else match.start - mention.end
        for cue in match.cues:
            if cue.scope not in scopes or not _compatible(cue, mention):
                continue
            key = (distance, -cue.priority) if by_distance else (-cue.priority, distance)
            if best_key is None or key < best_key:
                best, best_key = (cue, match), key
    return best


def _family_from_context(lex: Lexicon, text: str, mention: Mention) -> None:
    if mention.family == "none" and mention.unit in ("count", "percent"):
        family = _noun_before(lex, text, mention.segment[0], mention.start, mention.sentence)
        if family is not None:
            mention.family = family


def _is_change(lex: Lexicon, text: str, mention: Mention) -> bool:
    if mention.family == "change":
        return True
    before = text[max(mention.sentence.start, mention.start - 40) : mention.start]
    if re.search(r"(?i)(?<!\w)từ\s*$", before) and re.match(
        r"(?i)\s*(?:\S+\s+){0,2}?(?:xuống|lên|đến|tới)(?!\w)", text[mention.end : mention.end + 30]
    ):
        return True  # "giảm từ 10,85% xuống còn 1,31%": the starting point
    if re.search(r"(?i)(?<!\w)còn\s*$", before):
        return False
    verb = _ends_with(lex, "change", before)
    if verb is None:
        # "cao hơn chỉ tiêu Chính phủ giao 10%", "cao hơn mức trung bình cả nước (82,66%)"
        lead = text[min(mention.segment[0], mention.loose[0]) : mention.start]
        return mention.unit == "percent" and mention.family == "none" and bool(_COMPARATIVE.search(lead[-40:]))
    if mention.unit == "score" or mention.family == "score":
        return True
    if mention.family == "staff":
        return False  # "giảm 45 biên chế so với năm 2015": a cut is the figure itself
    # "tăng 2,5% so với năm 2022", "giảm 38 hồ sơ so với tháng trước"
    around = text[mention.segment[0] : max(mention.segment[1], mention.loose[1])]
    return bool(lex.marker_re["comparison"].search(around))


def _share_like(lex: Lexicon, text: str, mention: Mention, previous: Mention | None) -> bool:
    """A percent that states the share of the figure just before it."""
    if mention.unit != "percent" or previous is None or previous.unit == "percent":
        return False
    if previous.status != "metric" or previous.share is not None:
        return False
    if previous.clause != mention.clause and not lex.marker_re["share"].match(
        text[previous.end : mention.start].strip(" ,;()")
    ):
        return False  # another clause, unless it opens with "đạt", "chiếm", "tỷ lệ" …
    if (
        mention.metric is not None
        and mention.cue_span is not None
        and mention.end <= mention.cue_span[0]
        and mention.cue_span[1] <= mention.segment[1]
        and not _BASE_AFTER.match(text, mention.end)
        and not _same_share_metric(mention.metric, previous.metric)
    ):
        return False  # "…, 100% hồ sơ được giải quyết đúng hạn": a figure of its own
    lead = text[mention.segment[0] : mention.number.start]
    lead = re.sub(r"[\s,;:()\[\]–-]+", " ", lead).strip()
    if not lead or not lex.marker_re["share"].sub(" ", lead).strip():
        return True
    return mention.metric is not None and _same_share_metric(mention.metric, previous.metric)


def _leads_share(lex: Lexicon, text: str, mention: Mention) -> bool:
    """A percent introduced only by share words ("(chiếm 2,16%)", ", đạt 57,41%")."""
    if mention.unit != "percent":
        return False
    lead = re.sub(r"[\s,;:()\[\]–-]+", " ", text[mention.segment[0] : mention.number.start]).strip()
    return not lex.marker_re["share"].sub(" ", lead).strip()


def _same_share_metric(a: str | None, b: str | None) -> bool:
    canon = {"dossier.on_time": "dossier.on_time_or_early"}
    return a is not None and b is not None and canon.get(a, a) == canon.get(b, b)


def _unless_present(cues: list[CueMatch], metric: str) -> bool:
    """True when a cue of `metric` stands in the sentence (its cue matches)."""
    return any(c.metric == metric for match in cues for c in match.cues)


def _choose_metric(mention: Mention, cues: list[CueMatch]) -> None:
    levels = (
        ("segment", mention.segment, ("segment", "clause", "sentence"), False),
        ("loose", mention.loose, ("segment", "clause", "sentence"), False),
        ("clause", mention.clause, ("clause", "sentence"), True),
        ("sentence", (mention.sentence.start, mention.sentence.end), ("sentence",), True),
    )
    for level, region, scopes, by_distance in levels:
        found = _best_cue(mention, cues, region, scopes, by_distance)
        if found is None:
            continue
        cue, match = found
        if cue.metric == NO_METRIC:
            mention.reason = f"blocked by '{cue.phrase}'"
            return
        metric = cue.metric_for(mention.unit)
        if metric != cue.metric and cue.unless_metric and _unless_present(cues, cue.unless_metric):
            metric = cue.metric  # "trước hạn 80,2%, đúng hạn 18,3%": reported apart
        mention.metric = metric
        mention.cue = cue
        mention.cue_span = (match.start, match.end)
        mention.confidence = CONFIDENCE[level] - (0.1 if cue.priority <= WEAK_PRIORITY else 0.0)
        mention.status = "metric"
        return
    mention.reason = "no cue"


def _label(
    lex: Lexicon,
    text: str,
    sentence: Sentence,
    mentions: list[Mention],
    cues: list[CueMatch],
    previous_rows: list[Mention],
) -> None:
    previous: Mention | None = None
    sentence_rows: list[Mention] = []
    for index, mention in enumerate(mentions):
        _family_from_context(lex, text, mention)
        if _is_change(lex, text, mention):
            mention.status, mention.reason = "change", "change amount"
            previous = mention
            continue
        if mention.family in ("other", "change"):
            mention.reason = "not a metric noun"
        else:
            following = mentions[index + 1] if index + 1 < len(mentions) else None
            if following is not None and mention.unit != "percent" and _leads_share(lex, text, following):
                # "Có 90 hồ sơ (chiếm 2,16%), các cơ quan thụ lý trả lại hồ sơ": the cue
                # may stand after the stated share
                mention.loose = (mention.loose[0], max(mention.loose[1], following.loose[1]))
            _choose_metric(mention, cues)
        if _share_like(lex, text, mention, previous):
            mention.status, mention.metric, mention.reason = "share", previous.metric, "stated share"
            mention.share_of = mentions.index(previous)
            previous.share = float(mention.number.value)
            continue
        if (
            mention.status != "metric"
            and mention.family not in ("other", "change")
            and not mention.reason.startswith("blocked")
        ):
            _inherit(lex, text, sentence, mention, sentence_rows, previous_rows)
        elif mention.status == "metric" and mention.cue is not None and mention.cue.priority <= WEAK_PRIORITY:
            _inherit(lex, text, sentence, mention, sentence_rows, previous_rows, only_breakdown=True)
        if mention.status == "metric":
            sentence_rows.append(mention)
        previous = mention
    _fill_backwards(mentions, cues)


def _fill_backwards(mentions: list[Mention], cues: list[CueMatch]) -> None:
    """ "trên 90% … tại cấp tỉnh, trên 80% … tại cấp huyện và trên 60% tại cấp xã được xử
    lý trên môi trường mạng": figures listed before a shared cue take its metric."""
    for index in range(len(mentions) - 2, -1, -1):
        mention, following = mentions[index], mentions[index + 1]
        if mention.status != "unlabelled" or mention.reason != "no cue" or following.status != "metric":
            continue
        if following.unit != mention.unit or following.clause != mention.clause or following.cue_span is None:
            continue
        if following.cue_span[0] < following.end and following.reason != "inherited backwards":
            continue
        if any(mention.end <= c.start and c.end <= following.start for c in cues):
            continue
        if mention.family not in ("none", _family_of_metric(following.metric or "")):
            continue
        mention.metric, mention.cue, mention.cue_span = following.metric, following.cue, following.cue_span
        mention.confidence = INHERIT_PARALLEL
        mention.status, mention.reason = "metric", "inherited backwards"


def _family_of_metric(metric: str) -> str:
    return metric.split(".")[0]


def _inherit(
    lex: Lexicon,
    text: str,
    sentence: Sentence,
    mention: Mention,
    sentence_rows: list[Mention],
    previous_rows: list[Mention],
    only_breakdown: bool = False,
) -> None:
    """A figure without its own cue takes the metric of the figure it breaks down."""
    family = mention.family
    if family == "score":
        return
    candidates = sentence_rows or previous_rows
    if not candidates:
        return
    lead = text[mention.segment[0] : mention.start]
    if re.search(r"(?i)(?<!\w)còn\s+lại(?!\w)", text[mention.segment[0] : mention.segment[1]]):
        return
    # breakdown: a marker between the parent figure and this one
    parent = None
    for row in reversed(sentence_rows):
        if row.clause != mention.clause:
            break
        between = text[row.end : mention.start]
        if lex.marker_re["breakdown"].search(between) or "(" in between:
            parent = row
            break
    if parent is None and not sentence_rows and previous_rows:
        opening = text[sentence.start : mention.start]
        if lex.marker_re["breakdown"].match(opening.lstrip()):
            parent = previous_rows[-1]
    confidence = INHERIT_BREAKDOWN
    if parent is None and sentence_rows and not only_breakdown:
        # "giảm 203 chỉ tiêu biên chế hành chính và 2.458 chỉ tiêu biên chế sự nghiệp"
        last = sentence_rows[-1]
        if (
            re.fullmatch(r"(?i)[\s,]*(?:và|hoặc)?\s*", lead)
            and last.clause == mention.clause
            and family not in ("none",)
            and _family_of_metric(last.metric or "") == family
        ):
            parent = last
    if parent is None:
        if only_breakdown:
            return
        # parallel list: the clause opens with who or which level the figure is about;
        # a bare percent after a percent row ("chỉ tiêu 60% ...; kết quả đạt 63,5%")
        bare_percent = mention.unit == "percent" and mention.family == "none" and candidates[-1].unit == "percent"
        if not _opens_with_holder(lex, lead) and not bare_percent:
            return
        if family == "none" and mention.unit != "percent" and not sentence_rows:
            return  # a bare count in a new sentence: too little to go on
        parent = candidates[-1] if bare_percent else candidates[0]
        confidence = INHERIT_PARALLEL
    if parent.metric is None:
        return
    parent_family = _family_of_metric(parent.metric)
    if family not in ("none",) and family != parent_family and not (family == "tthc" and parent_family == "dvctt"):
        return
    if (
        mention.unit != parent.unit
        and not (mention.unit == "count" and parent.unit == "count")
        and not (mention.unit == "percent" and parent.unit == "percent")
    ):
        return
    mention.metric = parent.metric
    mention.cue = parent.cue
    mention.cue_span = parent.cue_span
    mention.confidence = confidence
    mention.status = "metric"
    mention.reason = "inherited"


_HOLDER_OPENING = re.compile(
    r"(?i)^\s*(?:(?:riêng|còn|trong\s+khi|tại|ở|đối\s+với|với)\s+)?(?:các\s+)?"
    r"(?:cấp\s+(?:tỉnh|huyện|xã)|sở|công\s+an|bảo\s+hiểm|bưu\s+điện|trung\s+tâm|văn\s+phòng|ubnd|"
    r"huyện|thị\s+xã|thành\s+phố|tp\.?|xã|phường|thị\s+trấn|chi\s+nhánh|cục|kho\s+bạc|ban)(?!\w)"
)


def _opens_with_holder(lex: Lexicon, lead: str) -> bool:
    lead = re.sub(r"(?i)^[\s,;:()–-]*(?:(?:và|hoặc|còn)\s+)?", "", lead)
    return bool(_HOLDER_OPENING.match(lead))


def _apply_contexts(lex: Lexicon, text: str, mentions: list[Mention]) -> None:
    """Modifiers map the metrics of the figures after them in their clause."""
    if lex.context_re is None or not mentions:
        return
    sentence = mentions[0].sentence
    if lex.context_re.search(text, sentence.start, sentence.end) is None:
        return
    for mention in mentions:
        if mention.status != "metric" or mention.metric is None:
            continue
        clause_start = mention.clause[0]
        for m in lex.context_re.finditer(text, clause_start, max(mention.start, mention.segment[1])):
            if mention.cue_span and m.start() >= mention.cue_span[0] and m.end() <= mention.cue_span[1]:
                continue
            if m.start() > mention.end and m.start() >= mention.segment[1]:
                continue
            mapping = lex.contexts.get(" ".join(m.group().lower().split()), {})
            if mention.metric in mapping:
                mention.metric = mapping[mention.metric]
                break


def _classify(lex: Lexicon, text: str, mentions: list[Mention], classifier: Classifier) -> None:
    """Let the classifier label unlabelled mentions and overrule low-confidence rule rows.

    A classifier with a `classify_batch(contexts)` method is called once for all of them;
    any other callable once per mention.
    """
    candidates = [
        m for m in mentions if m.status == "unlabelled" or (m.status == "metric" and m.confidence < AMBIGUOUS_BELOW)
    ]
    if not candidates:
        return
    contexts = [MentionContext(text[m.clause[0] : m.clause[1]], text, m.start, m.end) for m in candidates]
    batch = getattr(classifier, "classify_batch", None)
    decisions = batch(contexts) if batch is not None else [classifier(context) for context in contexts]
    for mention, decision in zip(candidates, decisions, strict=True):
        if not decision:
            continue
        metric, probability = decision
        if metric not in lex.keys:
            continue
        ambiguous = mention.status == "metric"
        if ambiguous and (metric == mention.metric or probability <= mention.confidence):
            continue
        mention.metric = metric
        mention.confidence = round(float(probability), 4)
        mention.status = "metric"
        mention.reason = "classifier"
        mention.cue = None
