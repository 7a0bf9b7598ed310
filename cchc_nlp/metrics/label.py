"""Which metric a number mention reports: the best compatible cue, stated shares and change
amounts set aside, inheritance in breakdowns and parallel lists, context modifiers, and
the classifier hook for what the rules leave unlabelled (steps 3-7 of `cchc_nlp.metrics.extract`)."""

from __future__ import annotations

import re
from dataclasses import replace

from cchc_nlp.metrics.lexicon import NO_METRIC, Cue, Lexicon
from cchc_nlp.metrics.mentions import (
    Classifier,
    CueMatch,
    Mention,
    MentionContext,
    Sentence,
    _counted_noun,
    _ends_with,
    _noun_before,
)
from cchc_nlp.metrics.rates import (
    INHERIT_BREAKDOWN,
    INHERIT_PARALLEL,
    RATE_ANAPHOR,
    RATE_WORD,
    compared_metric,
    figure_anaphor,
    rate_anaphor,
    rate_frame,
    target_aside,
    unless_present,
)
from cchc_nlp.text.phrases import word_start_alternation

__all__ = ["label_sentence", "apply_contexts", "classify_unlabelled"]


# Confidence of a rule row by where its cue stands, and the thresholds around it.
CONFIDENCE = {"segment": 0.9, "loose": 0.8, "clause": 0.7, "sentence": 0.65}
WEAK_PRIORITY = 4  # cues at or below this lose to an inherited metric in a breakdown
WEAK_CUE_PENALTY = 0.1  # confidence taken off a weak cue's row
AMBIGUOUS_BELOW = 0.6  # rule rows below this confidence may be re-keyed or removed by the classifier
REMOVE_AT = 0.8  # the classifier's probability of "none" that removes such a row
NONE_CLASS = "none"  # the classifier's class of numbers that are not metrics

# Windows, in characters of the normalized text, around a possible change amount.
CHANGE_LOOKBACK = 40  # where "tăng", "giảm", "từ" are looked for before a number
CHANGE_LOOKAHEAD = 30  # where "xuống", "lên", "đến" are looked for after "từ <number>"
CHANGE_GAP_WORDS = 4  # words allowed between the number and "xuống"/"lên"
COMPARATIVE_LOOKBACK = 40  # where "cao hơn", "vượt" make a bare percent a difference


# "thấp hơn chỉ tiêu 80% của Chính phủ", "cao hơn mức 1% mà UBND tỉnh đặt ra", "vượt chỉ tiêu
# tối thiểu 10% mà Trung ương giao": the figure compared with is a target, not a difference
_TARGET_NOUN_BEFORE = re.compile(
    r"(?i)(?<!\w)(?P<noun>mục\s+tiêu|chỉ\s+tiêu|kế\s+hoạch|mức)"
    r"(?:\s+(?:đề\s+ra|đặt\s+ra|được\s+giao|chung))?"
    r"\s+(?P<bound>(?:tối\s+thiểu|tối\s+đa|ít\s+nhất|trên|dưới|không\s+quá|là)\s+)?\Z"
)
_TARGET_OWNER_AFTER = re.compile(
    r"(?i)\s*(?:mà\s+(?:[^\d,;.]{0,40}?\s)?(?:đề\s+ra|đặt\s+ra|giao|quy\s+định|yêu\s+cầu)(?!\w)"
    r"|(?:của|do|theo)\s+(?:Chính\s+phủ|Trung\s+ương|Thủ\s+tướng|tỉnh|UBND|HĐND|Nghị\s+quyết|kế\s+hoạch|Bộ)(?!\w))"
)
_OWN_VERB = re.compile(r"(?i)(?<!\w)(?:đạt|là|với|trung\s+bình|bình\s+quân|trung\s+vị)(?!\w)")
# (?<!\w)(?:cao|thấp|nhiều|ít)\s+hơn(?!\w)|(?<!\w)vượt(?!\w), opening with a class of its first letters
_COMPARATIVE = re.compile(
    "(?i)"
    + word_start_alternation([(w, r"\s+hơn(?!\w)") for w in ("cao", "thấp", "nhiều", "ít")] + [("vượt", r"(?!\w)")])
)
# "từ", "còn" ending the text before a figure (trailing spaces allowed)
_FROM_END = re.compile("(?i)" + word_start_alternation([("từ", r"\s*$")]))
_STILL_END = re.compile("(?i)" + word_start_alternation([("còn", r"\s*$")]))


# words after a stated share that describe its base ("chiếm 0,92% tổng số hồ sơ đã giải quyết")
_BASE_AFTER = re.compile(r"(?i)\s*(?:\)\s*)?(?:trên\s+|so\s+với\s+|của\s+)?(?:tổng|số\s+hồ\s+sơ|kế\s+hoạch)")


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
        rate = _RATE_OF.match(text, mention.segment[0]) if mention.unit == "percent" else None
        if rate is not None:
            # "tỷ lệ hồ sơ nộp qua dịch vụ công trực tuyến đạt 58%": a rate of dossiers, whatever
            # noun follows
            first, _ = _counted_noun(lex, text, rate.end(), mention.start, mention.sentence)
            family = first if first in ("dossier", "tthc", "edoc") else family
        if family is not None:
            mention.family = family


_RATE_OF = re.compile(r"(?i)[\s,;:(]*t[ỷỉ]\s+lệ\s+")


_COMPARED_AFTER = re.compile(r"(?i)\s*so\s+với(?!\w)")
_OPEN_BOUND_AFTER = re.compile(r"(?i)\s*(?:%\s*)?trở\s+(?:lên|xuống)(?!\w)")


def _is_change(lex: Lexicon, text: str, mention: Mention) -> bool:
    if mention.family == "change":
        return True
    before = text[max(mention.sentence.start, mention.start - CHANGE_LOOKBACK) : mention.start]
    if _OPEN_BOUND_AFTER.match(text, mention.end):
        return False  # "từ 98% trở lên": a bound, not the start of a change
    if _FROM_END.search(before) and re.match(
        rf"(?i)\s*(?:\S+\s+){{0,{CHANGE_GAP_WORDS}}}?(?:xuống|lên|đến|tới)(?!\w)",
        text[mention.end : mention.end + CHANGE_LOOKAHEAD],
    ):
        return True  # "giảm từ 10,85% xuống còn 1,31%": the starting point
    if _STILL_END.search(before):
        return False
    verb = _ends_with(lex, "change", before)
    if verb is None:
        if _compared_target(text, mention):
            mention.target = True
            return False
        return _compared_by(text, mention)
    if mention.unit == "score" or mention.family == "score":
        return True
    if mention.family == "staff":
        return False  # "giảm 45 biên chế so với năm 2015", "giảm ít nhất 10% biên chế": a cut is the figure itself
    if mention.unit == "percent" and not re.search(r"(?i)(?<!\w)(?:lên|xuống|đến|tới|ở\s+mức)\s*\Z", before):
        return True  # "tăng 9,6%", "giảm 1,27%" (but "tăng lên 80%" is the new level)
    if (
        mention.unit == "percent"
        and re.search(r"(?i)(?<!\w)(?:tới|đến)\s*\Z", before)
        and _COMPARED_AFTER.match(text, mention.end)
    ):
        return True  # "giảm tới 49,54% so với tháng 01/2021": by as much as, not down to
    if re.search(r"(?i)(?<!\w)(?:lên|xuống|đến|tới)\s*\Z", before):
        return False  # "tăng lên 412.506 hồ sơ": the new level
    # "tăng 2,5% so với năm 2022", "giảm 38 hồ sơ so với tháng trước", "So với cùng kỳ, … tăng 18.400 hồ sơ"
    around = text[mention.clause[0] : max(mention.segment[1], mention.loose[1])]
    return bool(lex.marker_re["comparison"].search(around))


_FROM_TO = re.compile(
    r"(?i)\s*(?:%\s*)?(?:hồ\s+sơ\s+|điểm\s+)?(?:\(?\s*(?:năm|tháng|quý)\s+[\w/]+\s*\)?\s*)?"
    r"(?:xuống|lên|đến|tới)(?:\s+(?:còn|mức))?\s*\Z"
)


def _new_level(text: str, mention: Mention, previous: Mention | None, cues: list[CueMatch]) -> None:
    """ "tăng từ 35% lên 62%", "giảm từ 1.200 hồ sơ xuống còn 450 hồ sơ": the starting point is
    set aside as a change; the figure it moves to is the new level, of the key the cue before
    "từ" names."""
    if previous is None or previous.status != "change" or previous.unit != mention.unit:
        return
    if not _FROM_TO.match(text[previous.end : mention.start]):
        return
    if not re.search(r"(?i)(?<!\w)từ\s*\Z", text[max(mention.sentence.start, previous.start - 6) : previous.start]):
        return
    probe = replace(mention, segment=previous.segment, loose=previous.loose, clause=mention.clause)
    _choose_metric(probe, cues)
    if probe.status == "metric":
        mention.metric, mention.cue, mention.cue_span = probe.metric, probe.cue, probe.cue_span
        mention.status, mention.confidence, mention.reason = "metric", probe.confidence, "the level a change reached"


def _compared_target(text: str, mention: Mention) -> bool:
    """A percent after a comparison and a target noun that names a target: "thấp hơn chỉ tiêu
    80% của Chính phủ", "cao hơn mức 1% mà UBND tỉnh đặt ra", "so với mục tiêu dưới 1% mà tỉnh
    đề ra". Without a bound or an owner of the target after it ("thấp hơn mục tiêu 1,28%")
    the figure stays a difference."""
    if mention.unit != "percent":
        return False
    lead = text[mention.clause[0] : mention.start]
    found = _TARGET_NOUN_BEFORE.search(lead)
    if found is None or not (_COMPARATIVE.search(lead) or re.search(r"(?i)(?<!\w)so\s+với(?!\w)", lead)):
        return False
    owner = _TARGET_OWNER_AFTER.match(text, mention.end, mention.clause[1])
    if found.group("noun").lower() == "mức":
        return owner is not None and owner.group().lstrip().lower().startswith("mà")
    return owner is not None or found.group("bound") is not None


def _compared_by(text: str, mention: Mention) -> bool:
    """A percent or score after "cao hơn", "thấp hơn", "vượt" (and no verb of its own), a
    count right after "nhiều hơn", "ít hơn", is a difference: "cao hơn Hải Dương 4,2%,
    Nghệ An 8,05%", "cao hơn chỉ tiêu Chính phủ giao 10%". Not a change: a value in
    parentheses ("vượt Đà Nẵng (58,89%)"), an average (see
    `cchc_nlp.metrics.indices.mark_national`). "thấp hơn mục tiêu 1,28%" is a difference
    too, and so, for want of a way to tell, is "thấp hơn mục tiêu 30% của tỉnh"."""
    lead = text[mention.clause[0] : mention.start]
    found = list(_COMPARATIVE.finditer(lead))
    if not found:
        return False
    between = lead[found[-1].end() :]
    if mention.unit not in ("percent", "score") and mention.family != "score":
        # "tiếp nhận nhiều hơn cùng kỳ gần 312 ngàn hồ sơ": a count right after "nhiều/ít hơn"
        return bool(re.match(r"(?i)(?:nhiều|ít)", found[-1].group())) and len(between) <= COMPARATIVE_LOOKBACK
    if len(between) > COMPARATIVE_LOOKBACK * 2 or between.rstrip().endswith("("):
        return False
    return not _OWN_VERB.search(between)


def _cue_phrases(text: str, cues: list[CueMatch], start: int, end: int) -> set[str]:
    """The metric cue phrases (as written, lowercased) inside [start, end)."""
    return {
        " ".join(text[c.start : c.end].lower().split())
        for c in cues
        if start <= c.start and c.end <= end and any(cue.metric != NO_METRIC for cue in c.cues)
    }


def _share_like(lex: Lexicon, text: str, mention: Mention, previous: Mention | None, cues: list[CueMatch] = ()) -> bool:
    """A percent that states the share of the figure just before it."""
    if mention.unit != "percent" or previous is None or previous.unit in ("percent", "rank", "score"):
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
    rate = RATE_WORD.search(text, mention.segment[0], mention.start)
    if (
        rate is not None
        and mention.cue_span is not None
        and rate.end() <= mention.cue_span[0] < mention.start
        and _cue_phrases(text, cues, rate.end(), mention.start) - _cue_phrases(text, cues, *previous.segment)
    ):
        # "356.120 hồ sơ trực tuyến, tỷ lệ hồ sơ trực tuyến toàn trình đạt 61,3%": another rate, named in
        # full ("quá hạn 1.218 hồ sơ, tỷ lệ quá hạn 16,4%" states the count's share)
        return False
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


_HAS_BEFORE = re.compile(r"(?i)(?<!\w)(?:(?:đều|đã|cũng)\s+)*có\s+(?:[^\W\d]+\s+){0,2}\Z")


def _nearer_than_predicate(
    text: str, mention: Mention, cues: list[CueMatch], match: CueMatch, scopes: tuple[str, ...]
) -> tuple[Cue, CueMatch] | None:
    """ "8 hồ sơ quá hạn đều đã có thư xin lỗi": a cue after "có" describes the items counted, and
    a cue between the figure and that predicate keys it (the 8 are overdue dossiers)."""
    if match.start < mention.end or not _HAS_BEFORE.search(text, mention.end, match.start):
        return None
    best = None
    for other in cues:
        if other.start < mention.end or other.end > match.start:
            continue
        for cue in other.cues:
            usable = cue.metric != NO_METRIC and cue.scope in scopes and _compatible(cue, mention)
            if usable and (best is None or cue.priority > best[0].priority):
                best = (cue, other)
    return best


_LEVEL_VERB_BEFORE = re.compile(r"(?i)(?<!\w)(?:đạt|là|lên|ở\s+mức|còn|với)\s+(?:(?:trên|gần|hơn|khoảng)\s+)?\Z")


def _past_change(text: str, mention: Mention, before: list[Mention], cues: list[CueMatch]) -> None:
    """ "số hồ sơ tiếp nhận … tăng 15% so với năm 2022, đạt 245.000 hồ sơ": the level after a
    change amount is the figure the change is of; its cue stands before the change."""
    if not before or before[-1].status != "change" or before[-1].clause != mention.clause:
        return
    if not _LEVEL_VERB_BEFORE.search(text, max(mention.segment[0], mention.start - 16), mention.start):
        return  # "tăng 0,42% … do ảnh hưởng của bão số 3": no new level, the number is something else
    earlier = [m for m in before if m.status != "change" and m.clause == mention.clause]
    start = earlier[-1].end if earlier else mention.clause[0]
    found = _best_cue(mention, cues, (start, mention.segment[1]), ("segment", "clause", "sentence"), False)
    if found is None or found[0].metric == NO_METRIC:
        return
    cue, match = found
    mention.metric, mention.cue, mention.cue_span = cue.metric_for(mention.unit), cue, (match.start, match.end)
    mention.confidence, mention.status, mention.reason = CONFIDENCE["loose"], "metric", "the level after a change"


def _choose_metric(mention: Mention, cues: list[CueMatch], text: str = "") -> None:
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
        if text and level == "segment" and (nearer := _nearer_than_predicate(text, mention, cues, match, scopes)):
            cue, match = nearer
        if cue.metric == NO_METRIC:
            mention.reason = f"blocked by '{cue.phrase}'"
            return
        metric = cue.metric_for(mention.unit)
        if metric != cue.metric and cue.unless_metric and unless_present(cues, cue.unless_metric):
            metric = cue.metric  # "trước hạn 80,2%, đúng hạn 18,3%": reported apart
        mention.metric = metric
        mention.cue = cue
        mention.cue_span = (match.start, match.end)
        mention.confidence = CONFIDENCE[level] - (WEAK_CUE_PENALTY if cue.priority <= WEAK_PRIORITY else 0.0)
        mention.status = "metric"
        return
    mention.reason = "no cue"


def label_sentence(
    lex: Lexicon,
    text: str,
    sentence: Sentence,
    mentions: list[Mention],
    cues: list[CueMatch],
    previous_rows: list[Mention],
    last_rate: Mention | None = None,
) -> None:
    """Label the mentions of one sentence (steps 3-6 of `cchc_nlp.metrics.extract`).
    last_rate: the last percent row of the article before this sentence, the referent of
    "tỷ lệ này", "tỷ lệ chung" (`_rate_anaphor`)."""
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
            if (
                following is not None
                and mention.unit != "percent"
                and following.clause == mention.clause
                and _leads_share(lex, text, following)
            ):
                # "Có 90 hồ sơ (chiếm 2,16%), các cơ quan thụ lý trả lại hồ sơ": the cue
                # may stand after the stated share
                mention.loose = (mention.loose[0], max(mention.loose[1], following.loose[1]))
            _choose_metric(mention, cues, text)
            if mention.status == "unlabelled" and mention.reason == "no cue":
                _new_level(text, mention, previous, cues)
            if mention.status == "unlabelled" and mention.reason == "no cue":
                _past_change(text, mention, mentions[:index], cues)
            if mention.status == "unlabelled" and mention.reason == "no cue":
                rate_frame(text, sentence, mention, cues)
            target_aside(text, mention, previous)
        if mention.target and mention.status != "metric":
            compared_metric(mention, mentions[:index])
        if _share_like(lex, text, mention, previous, cues):
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
        if mention.status == "unlabelled" and mention.reason == "no cue":
            rate_anaphor(text, mention, sentence_rows, last_rate, cues)
        if mention.status == "unlabelled" and mention.reason == "no cue":
            figure_anaphor(text, mention, sentence_rows, previous_rows)
        if mention.status == "metric":
            sentence_rows.append(mention)
        previous = mention
    _fill_backwards(text, mentions, cues)
    _total_to_process(text, mentions)
    _fill_lists(text, mentions)


def _fill_lists(text: str, mentions: list[Mention]) -> None:
    """ "lần lượt tiếp nhận 9.612, 8.045 và 7.330 hồ sơ": a figure between two figures of one
    metric, joined by a comma or "và" only, is that metric's too."""
    for prev, mention, following in zip(mentions, mentions[1:], mentions[2:], strict=False):
        if mention.status != "unlabelled" or mention.family not in ("none", _family_of_metric(prev.metric or "")):
            continue
        if prev.status != "metric" or following.status != "metric" or prev.metric != following.metric:
            continue
        if prev.unit != mention.unit or following.unit != mention.unit:
            continue
        joined = _LIST_JOIN.fullmatch(text, prev.end, mention.start) and _LIST_JOIN.fullmatch(
            text, mention.end, following.start
        )
        if joined:
            mention.metric, mention.cue, mention.cue_span = prev.metric, prev.cue, prev.cue_span
            mention.confidence, mention.status, mention.reason = INHERIT_PARALLEL, "metric", "inherited in a list"


_LIST_JOIN = re.compile(r"\s*(?:,|và)\s*")


_BREAKDOWN_WORD = re.compile(r"(?i)(?<!\w)(?:trong\s+đó|trong\s+số\s+đó|bao\s+gồm|gồm)(?!\w)")


_BREAKDOWN_WORD = re.compile(r"(?i)(?<!\w)(?:trong\s+đó|bao\s+gồm|gồm)(?!\w)")


def _total_to_process(text: str, mentions: list[Mention]) -> None:
    """ "tổng số hồ sơ giải quyết trong tháng … là 21.686 hồ sơ, trong đó tiếp nhận mới 18.477 hồ
    sơ, số còn lại từ trước chuyển sang": a "resolved" total broken down into new and carried-over
    intake is the total to process (resolved dossiers break down into early, on time, late)."""
    for i, total in enumerate(mentions):
        if total.status != "metric" or total.metric != "dossier.resolved":
            continue
        for part in mentions[i + 1 :]:
            if part.status != "metric":
                continue
            new_intake = part.metric == "dossier.received" and part.cue is not None and "mới" in part.cue.phrase
            if (new_intake or part.metric == "dossier.carried_over") and _BREAKDOWN_WORD.search(
                text, total.end, part.start
            ):
                total.metric, total.reason = (
                    "dossier.to_process",
                    "a total broken down into new and carried-over intake",
                )
            break


def _fill_backwards(text: str, mentions: list[Mention], cues: list[CueMatch]) -> None:
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
        if _BREAKDOWN_WORD.search(text, mention.end, following.start):
            continue  # "1.824 DVCTT, trong đó 1.205 dịch vụ toàn trình": the total, not a sibling
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
        if lex.marker_re["breakdown"].search(between) or between.rfind("(") > between.rfind(")"):
            parent = row
            break
    if parent is None and not sentence_rows and previous_rows:
        opening = text[sentence.start : mention.start]
        if lex.marker_re["breakdown"].match(opening.lstrip()):
            parent = previous_rows[-1]
    # "đã công bố 1.937 thủ tục; trong đó cấp tỉnh 1.492 thủ tục": a clause opening a breakdown
    if (
        parent is None
        and sentence_rows
        and sentence_rows[-1].clause != mention.clause
        and lex.marker_re["breakdown"].match(text[mention.clause[0] : mention.start].lstrip())
    ):
        parent = sentence_rows[-1]
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
        if bare_percent and RATE_WORD.search(lead) and not RATE_ANAPHOR.search(lead):
            return  # "nâng tỷ lệ giải ngân lên 80%": a rate of its own, which no cue names
        # "…; UBND huyện Cư Kuin (2.800 hồ sơ)": a figure in parentheses after its holder
        holder_lead = text[mention.clause[0] : mention.start] if lead.strip() == "(" else lead
        if not _opens_with_holder(lex, holder_lead) and not bare_percent and not _colon_item(lex, text, mention):
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
    r"(?i)^\s*(?:(?:riêng|còn|trong\s+khi|tại|ở|đối\s+với|với|(?:tiếp\s+theo|tiếp\s+đến|kế\s+đến|sau\s+đó|"
    r"đứng\s+sau)\s+là)\s+)?(?:các\s+)?"
    r"(?:cấp\s+(?:tỉnh|huyện|xã)|sở|công\s+an|bảo\s+hiểm|bưu\s+điện|trung\s+tâm|văn\s+phòng|ubnd|"
    r"huyện|thị\s+xã|thành\s+phố|tp\.?|xã|phường|thị\s+trấn|chi\s+nhánh|cục|chi\s+cục|kho\s+bạc|ban|thanh\s+tra)(?!\w)"
)


def _colon_item(lex: Lexicon, text: str, mention: Mention) -> bool:
    """An item of a list written "holder: figure; holder: figure" ("xã Hoàn Lão: 1.406 hồ sơ;
    xã Nhân Trạch: 1.121 hồ sơ"): its clause opens with the holder and ends with a colon."""
    lead = text[mention.clause[0] : mention.start]
    return lead.rstrip().endswith(":") and _opens_with_holder(lex, lead)


# "Năm 2022, số hồ sơ trực tuyến là 45.210, năm 2023 là 88.412 hồ sơ": the same figure of another period
_PERIOD_OPENING = re.compile(r"(?i)^\s*(?:năm\s+\d{4}|cùng\s+kỳ(?:\s+năm\s+\d{4})?)\s+(?:là|đạt|có)\s*\Z")


def _opens_with_holder(lex: Lexicon, lead: str) -> bool:
    lead = re.sub(r"(?i)^[\s,;:()–-]*(?:(?:và|hoặc|còn)\s+)?", "", lead)
    return bool(_HOLDER_OPENING.match(lead) or _PERIOD_OPENING.match(lead))


def apply_contexts(lex: Lexicon, text: str, mentions: list[Mention]) -> None:
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
            if (
                m.end() <= mention.start
                and text.rfind("(", clause_start, m.start()) > text.rfind(")", clause_start, m.start())
                and ")" in text[m.end() : mention.start]
            ):
                continue  # "nhận 5.604 hồ sơ (…, bưu chính công ích 402 hồ sơ), đã trả kết quả 5.388": an aside's
            mapping = lex.contexts.get(" ".join(m.group().lower().split()), {})
            if mention.metric in mapping:
                mention.metric = mapping[mention.metric]
                break


def classify_unlabelled(lex: Lexicon, text: str, mentions: list[Mention], classifier: Classifier) -> None:
    """Let the classifier re-key or remove the low-confidence rows of the rules.

    It never makes a row of a mention the rules did not make one of (a figure needs the
    evidence of `cchc_nlp.metrics.evidence`): for a rule row below AMBIGUOUS_BELOW, a
    more probable other key replaces the rule's, and "none" (the classifier's probability
    of no metric at least REMOVE_AT) removes the row. A classifier with a
    `classify_batch(contexts)` method is called once for all of them; any other callable
    once per mention.
    """
    candidates = [m for m in mentions if m.status == "metric" and m.confidence < AMBIGUOUS_BELOW]
    if not candidates:
        return
    contexts = [MentionContext(text[m.clause[0] : m.clause[1]], text, m.start, m.end) for m in candidates]
    # judge_batch (the shipped model) also says "none"; a plain hook only proposes keys
    batch = getattr(classifier, "judge_batch", None) or getattr(classifier, "classify_batch", None)
    decisions = batch(contexts) if batch is not None else [classifier(context) for context in contexts]
    for mention, decision in zip(candidates, decisions, strict=True):
        if not decision:
            continue
        metric, probability = decision
        if metric == NONE_CLASS and probability >= REMOVE_AT:
            mention.status, mention.reason, mention.metric = "rejected", "classifier: not a metric", None
            continue
        if metric not in lex.keys or metric == mention.metric or probability <= mention.confidence:
            continue
        if _family_of_metric(metric) != _family_of_metric(mention.metric or "") and mention.family != "none":
            continue  # a re-key stays within what the number counts ("hồ sơ" stays a dossier figure)
        mention.metric = metric
        mention.confidence = round(float(probability), 4)
        mention.reason = "classifier"
        mention.cue = None
