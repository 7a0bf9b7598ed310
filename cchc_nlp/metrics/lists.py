"""Bulleted lists whose key stands in the line that introduces them.

Long articles often name the metric once, in a line ending with a colon, and list the
units after it, one bullet each:

    Tỷ lệ hồ sơ trực tuyến năm 2023:
    - Sở Tư pháp: 95,2%
    - Sở Xây dựng: 60,4%

An item's figure that no cue of its own labels takes the key the introducing line names
(the highest-priority cue there that fits the figure's unit and counted noun), with a lower
confidence. Index keys are vetted afterwards like any other index figure (ranks must be
ranks, scores in range)."""

from __future__ import annotations

import re

from cchc_nlp.metrics.label import _compatible
from cchc_nlp.metrics.lexicon import NO_METRIC, Lexicon
from cchc_nlp.metrics.mentions import Mention, Sentence, _cue_matches

__all__ = ["is_list_item", "key_from_intro"]

INTRO_CONFIDENCE = 0.6  # a key taken from the line introducing a list
MAX_ITEMS_BACK = 12  # how many items above the current one the introducing line may stand

_LIST_ITEM = re.compile(r"\s*[-+•*–]\s")


def is_list_item(text: str, sentence: Sentence) -> bool:
    """A bulleted line ("- Cấp tỉnh: 99,1%;", "+ Hồ sơ trực tuyến: 8.100 hồ sơ")."""
    return _LIST_ITEM.match(text, sentence.start, sentence.end) is not None


def _intro(text: str, sentences: list[Sentence], sentence: Sentence) -> Sentence | None:
    i = sentence.index - 1
    while i >= 0 and sentence.index - i <= MAX_ITEMS_BACK and is_list_item(text, sentences[i]):
        i -= 1
    if i < 0 or is_list_item(text, sentences[i]):
        return None
    intro = sentences[i]
    return intro if text[intro.start : intro.end].rstrip().endswith(":") else None


def key_from_intro(
    lex: Lexicon, text: str, sentences: list[Sentence], sentence: Sentence, mentions: list[Mention]
) -> None:
    """Label the unlabelled figures of a list item with the key its introducing line names."""
    if not is_list_item(text, sentence):
        return
    waiting = [
        m
        for m in mentions
        if m.status == "unlabelled" and m.reason == "no cue" and m.family not in ("other", "change", "group")
    ]
    if not waiting:
        return
    intro = _intro(text, sentences, sentence)
    if intro is None:
        return
    cues = _cue_matches(lex, text, intro.start, intro.end)
    for mention in waiting:
        best = None
        for match in cues:
            for cue in match.cues:
                if cue.metric == NO_METRIC or not _compatible(cue, mention):
                    continue
                if best is None or cue.priority > best[0].priority:
                    best = (cue, match)
        if best is None:
            continue
        cue, match = best
        mention.metric, mention.cue, mention.cue_span = cue.metric_for(mention.unit), cue, (match.start, match.end)
        mention.status, mention.reason, mention.confidence = (
            "metric",
            "key of the list's introducing line",
            INTRO_CONFIDENCE,
        )
