"""Rates and figures named by reference: the rate a sentence is about ("Xét theo tỷ lệ quá
hạn, huyện A đứng thứ nhất với 9,1%"), "tỷ lệ này" / "tỷ lệ chung", "con số này", a target
stated in an aside ("(kế hoạch 30%)") or compared with ("thấp hơn chỉ tiêu 80% của Chính
phủ"). Helpers of `cchc_nlp.metrics.label`, which calls them for the figures its cues leave
without a metric."""

from __future__ import annotations

import re

from cchc_nlp.metrics.lexicon import NO_METRIC, Cue
from cchc_nlp.metrics.mentions import CueMatch, Mention, Sentence

__all__ = [
    "INHERIT_BREAKDOWN",
    "INHERIT_PARALLEL",
    "RATE_WORD",
    "RATE_ANAPHOR",
    "unless_present",
    "rate_frame",
    "rate_anaphor",
    "target_aside",
    "figure_anaphor",
    "compared_metric",
]

INHERIT_BREAKDOWN = 0.6  # confidence of a figure inheriting the metric of the total it breaks down
INHERIT_PARALLEL = 0.5  # confidence of a figure inheriting the metric of the first of a parallel list


def _fits(cue: Cue, mention: Mention) -> bool:
    return mention.unit in cue.units and mention.family in cue.nouns


def _family_of(metric: str) -> str:
    return metric.split(".")[0]


def unless_present(cues: list[CueMatch], metric: str) -> bool:
    """True when a cue of `metric` stands in the sentence (its cue matches)."""
    return any(c.metric == metric for match in cues for c in match.cues)


RATE_ANAPHOR = re.compile(
    r"(?i)(?<!\w)t[ỷỉ]\s+lệ\s+(?:này|đó|trên|nói\s+trên|chung|chung\s+của\s+\S+(?:\s+\S+)?|cao\s+nhất|thấp\s+nhất)(?!\w)"
)


def _percent_cue(mention: Mention, cues: list[CueMatch], start: int, end: int) -> tuple[Cue, CueMatch] | None:
    """The highest-priority cue inside [start, end) that a percent of the mention's family fits."""
    best = None
    for match in cues:
        if match.start < start or match.end > end:
            continue
        for cue in match.cues:
            usable = cue.metric != NO_METRIC and not cue.metric.startswith("index.") and _fits(cue, mention)
            if usable and (best is None or cue.priority > best[0].priority):
                best = (cue, match)
    return best


_FRAME_PIECE = re.compile(r"[^,;:()]+")
FRAME_CONTINUATION_WORDS = 3  # "tỷ lệ chậm, quá hạn": at most this many words continue a rate's name


def rate_frame(text: str, sentence: Sentence, mention: Mention, cues: list[CueMatch]) -> None:
    """ "Xếp theo tỷ lệ giải quyết đúng hạn, huyện A đứng thứ nhất với 99,96%, thị xã B thứ 2
    với 99,9%": a piece of the sentence that names a rate and holds no figure frames the
    percents after it that have no cue of their own."""
    if mention.unit != "percent" or mention.family != "none":
        return
    frame = None
    for piece in _FRAME_PIECE.finditer(text, sentence.start, mention.segment[0]):
        if RATE_WORD.search(piece.group()) and not re.search(r"\d", piece.group()):
            frame = piece
    if frame is None:
        return
    end = frame.end()
    # "Xét theo tỷ lệ chậm, quá hạn, …": a short piece after a comma continues the rate's name
    while (more := _FRAME_PIECE.match(text, end + 1, mention.segment[0])) is not None and text[end] == ",":
        if re.search(r"\d", more.group()) or len(more.group().split()) > FRAME_CONTINUATION_WORDS:
            break
        end = more.end()
    found = _percent_cue(mention, cues, frame.start(), end)
    if found is None:
        return
    cue, match = found
    mention.metric, mention.cue, mention.cue_span = cue.metric_for("percent"), cue, (match.start, match.end)
    if cue.metric != mention.metric and cue.unless_metric and unless_present(cues, cue.unless_metric):
        mention.metric = cue.metric
    mention.confidence, mention.status, mention.reason = INHERIT_BREAKDOWN, "metric", "the rate the sentence is about"


RATE_WORD = re.compile(r"(?i)(?<!\w)t[ỷỉ]\s+lệ(?!\w)")


def rate_anaphor(
    text: str, mention: Mention, sentence_rows: list[Mention], last_rate: Mention | None, cues: list[CueMatch]
) -> None:
    """ "nâng tỷ lệ này lên tối thiểu 40%", "tỷ lệ chung của huyện đạt 24,3%": a percent named
    by a rate that refers back takes the metric of the last percent row before it in its
    sentence, else of a rate named earlier in the sentence ("chưa đạt chỉ tiêu hồ sơ trực
    tuyến; tỷ lệ chung …"), else of the article's last percent row."""
    if mention.unit != "percent" or mention.family != "none":
        return
    anaphor = RATE_ANAPHOR.search(text, mention.segment[0], mention.start)
    if anaphor is None:
        return
    rates = [m for m in sentence_rows if m.unit == "percent" and m.metric]
    if not rates:
        found = _percent_cue(mention, cues, mention.sentence.start, anaphor.start())
        if found is not None:
            cue, match = found
            mention.metric, mention.cue, mention.cue_span = cue.metric_for("percent"), cue, (match.start, match.end)
            mention.confidence, mention.status, mention.reason = INHERIT_PARALLEL, "metric", "the rate referred back to"
            return
    referent = rates[-1] if rates else last_rate
    if referent is None or referent.metric is None or referent.metric.startswith("index."):
        return
    mention.metric, mention.cue, mention.cue_span = referent.metric, referent.cue, referent.cue_span
    mention.confidence, mention.status, mention.reason = INHERIT_PARALLEL, "metric", "the rate referred back to"


_TARGET_ASIDE = re.compile(
    r"(?i)\s*\(\s*(?:kế\s+hoạch|chỉ\s+tiêu|mục\s+tiêu)(?:\s+(?:đề\s+ra|được\s+giao|giao|năm\s+\d{4}))?"
    r"\s*(?:là\s+|:\s*)?(?:(?:trên|dưới|tối\s+thiểu|ít\s+nhất)\s+)?\Z"
)


def target_aside(text: str, mention: Mention, previous: Mention | None) -> None:
    """ "đạt 31,5% (kế hoạch 30%)", "(chỉ tiêu 98%)": the aside states the target of the rate before it."""
    if mention.unit != "percent" or previous is None or previous.unit != "percent":
        return
    if previous.status != "metric" or previous.metric is None:
        return
    if not _TARGET_ASIDE.fullmatch(text, previous.end, mention.start):
        return
    mention.metric, mention.cue, mention.cue_span = previous.metric, previous.cue, previous.cue_span
    mention.confidence, mention.status, mention.reason = INHERIT_BREAKDOWN, "metric", "the target of the rate before"
    mention.target = True


_FIGURE_ANAPHOR = re.compile(r"(?i)(?<!\w)con\s+số\s+(?:này|đó|tương\s+ứng)(?!\w)")


def figure_anaphor(text: str, mention: Mention, sentence_rows: list[Mention], previous_rows: list[Mention]) -> None:
    """ "tiếp nhận là 210.455; con số này năm 2022 là 186.020 hồ sơ": the figure referred back
    to, of another period or unit, takes its metric (same unit and noun family)."""
    if not _FIGURE_ANAPHOR.search(text, mention.clause[0], mention.start):
        return
    rows = sentence_rows or previous_rows
    if not rows:
        return
    referent = rows[-1]
    if referent.metric is None or referent.unit != mention.unit:
        return
    if mention.family not in ("none", _family_of(referent.metric)):
        return
    mention.metric, mention.cue, mention.cue_span = referent.metric, referent.cue, referent.cue_span
    mention.confidence, mention.status, mention.reason = INHERIT_PARALLEL, "metric", "the figure referred back to"


def compared_metric(mention: Mention, before: list[Mention]) -> None:
    """A target compared with (`_compared_target`) is a figure of the rate before it: "tỷ lệ số
    hóa … đạt 48,5%, thấp hơn chỉ tiêu 80%", "trễ hạn 2.311 hồ sơ, chiếm 4,79%, cao hơn mục
    tiêu dưới 1% mà tỉnh đề ra" (the rate is the count's stated share)."""
    for other in reversed(before):
        if other.metric is None or other.status not in ("metric", "share"):
            continue
        if other.unit != "percent":
            return
        mention.metric, mention.cue, mention.cue_span = other.metric, other.cue, other.cue_span
        mention.confidence, mention.status, mention.reason = INHERIT_BREAKDOWN, "metric", "a target compared with"
        return
