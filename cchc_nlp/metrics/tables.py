"""Flattened tables: figures in columns named by a header line.

"Kết quả của các huyện (tiếp nhận / đã giải quyết / tỷ lệ đúng hạn):" then "Huyện Mộ Đức
8.412 / 8.390 / 99,4%": a line whose figures, and nothing else, are separated by "/", "|"
or a spaced dash takes the metric of each column from the header a few lines above, which
names as many columns (or one more, the units' column: "Đơn vị | Tiếp nhận | Giải quyết").
A column whose name has no cue gives no row; a "điểm" or "xếp hạng" column makes its
figures scores or ranks of the index the paragraph names ("(đơn vị - điểm - xếp hạng)" /
"- Thành phố Vị Thanh - 91,25 - 1").
"""

from __future__ import annotations

import re

from cchc_nlp.metrics.lexicon import NO_METRIC, Lexicon
from cchc_nlp.metrics.mentions import Mention, Sentence, _cue_matches

__all__ = ["label_columns"]

HEADER_LOOKBACK = 4  # lines above a table line where its header is looked for
TABLE_CONFIDENCE = 0.7

_CELL_SEPARATOR = re.compile(r"\s*[/|]\s*|\s+[-–]\s+")
_HEADER_SEPARATOR = re.compile(r"(?<=\s)[/–-](?=\s)|\|")  # not the "/" of "4/2025"
_DIGIT = re.compile(r"\d")


def _header_parts(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """The column names of a header line (spans), [] when it is none."""
    line = text[sentence.start : sentence.end]
    cuts = [m.start() for m in _HEADER_SEPARATOR.finditer(line)]
    if not cuts:
        return []
    first = max(line.rfind("(", 0, cuts[0]), line.rfind(":", 0, cuts[0]), line.rfind(",", 0, cuts[0]))
    last_end = len(line)
    for mark in (")", ":"):
        found = line.find(mark, cuts[-1])
        if found >= 0:
            last_end = min(last_end, found)
    bounds = [first + 1, *[c + 1 for c in cuts]]
    ends = [*cuts, last_end]
    parts = [(sentence.start + a, sentence.start + b) for a, b in zip(bounds, ends, strict=True)]
    if any(_DIGIT.search(text, a, b) or not text[a:b].strip() for a, b in parts):
        return []
    return parts


def label_columns(
    lex: Lexicon, text: str, sentences: list[Sentence], sentence: Sentence, mentions: list[Mention]
) -> None:
    """Give the figures of a table line (module docstring) their columns' metrics."""
    if text.startswith("|", sentence.start):
        _label_markdown_row(lex, text, sentences, sentence, mentions)
        return
    if len(mentions) < 2 or any(not _open(m) or m.family not in ("none", "dossier") for m in mentions):
        return
    if not all(_CELL_SEPARATOR.fullmatch(text, a.end, b.start) for a, b in zip(mentions, mentions[1:], strict=False)):
        return
    if _DIGIT.search(text, mentions[-1].end, sentence.end):
        return
    for index in range(sentence.index - 1, max(-1, sentence.index - 1 - HEADER_LOOKBACK), -1):
        parts = _header_parts(text, sentences[index])
        if len(parts) == len(mentions) + 1:
            parts = parts[1:]  # the units' column
        if len(parts) != len(mentions):
            continue
        for mention, (start, end) in zip(mentions, parts, strict=True):
            _label_cell(lex, text, mention, start, end)
        return


_MARKDOWN_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")  # "|---|---|"
_CELL_FIGURE = re.compile(r"\s*[\d.,]+\s*%?\s*")


def _cells(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """The cells of a markdown table line "| a | b |" (spans, without the outer pipes)."""
    bars = [m.start() for m in re.finditer(r"\|", text[sentence.start : sentence.end])]
    spans = [(sentence.start + a + 1, sentence.start + b) for a, b in zip(bars, bars[1:], strict=False)]
    if not text[sentence.start : sentence.end].rstrip().endswith("|") and bars:
        spans.append((sentence.start + bars[-1] + 1, sentence.end))
    return spans


def _label_markdown_row(
    lex: Lexicon, text: str, sentences: list[Sentence], sentence: Sentence, mentions: list[Mention]
) -> None:
    """A markdown table ("| Đơn vị | Tiếp nhận | Trễ hạn |", "|---|---|---|", "| Huyện A | 3.412 | 12 |"):
    a figure alone in its cell takes the metric of its column's header (the line above the rule)."""
    index = sentence.index - 1
    while index >= 0 and text.startswith("|", sentences[index].start):
        rule = _MARKDOWN_RULE.fullmatch(text, sentences[index].start, sentences[index].end)
        if rule is not None:
            break
        index -= 1
    else:
        return
    if index < 1 or not text.startswith("|", sentences[index - 1].start):
        return
    header = _cells(text, sentences[index - 1])
    row = _cells(text, sentence)
    if len(header) != len(row):
        return
    for mention in mentions:
        if not (_open(mention) or mention.status == "metric" and mention.confidence < TABLE_CONFIDENCE):
            continue
        cell = next((i for i, (a, b) in enumerate(row) if a <= mention.start and mention.end <= b), None)
        if cell is None or not _CELL_FIGURE.fullmatch(text, *row[cell]):
            continue
        start, end = header[cell]
        if mention.status == "metric":
            mention.status, mention.metric, mention.cue, mention.cue_span = "unlabelled", None, None, None
        _label_cell(lex, text, mention, start, end)


def _open(mention: Mention) -> bool:
    """Unlabelled, or labelled only by inheritance (a table line's bare figures inherit the line above's)."""
    return mention.status == "unlabelled" or (mention.status == "metric" and mention.reason.startswith("inherited"))


def _label_cell(lex: Lexicon, text: str, mention: Mention, start: int, end: int) -> None:
    if mention.unit == "count" and lex.marker_re["rank_column"].search(text, start, end):
        # "(đơn vị - điểm - xếp hạng)": the index itself comes from the paragraph (carry_index)
        mention.unit, mention.family = "rank", "none"
        return
    if mention.unit == "count" and lex.marker_re["score_column"].search(text, start, end):
        mention.unit, mention.family = "score", "score"
        return
    best = None
    for match in _cue_matches(lex, text, start, end):
        for cue in match.cues:
            if (
                mention.unit in cue.units
                and mention.family in cue.nouns
                and (best is None or cue.priority > best.priority)
            ):
                best = cue
    if best is None or best.metric == NO_METRIC or best.metric.startswith("index."):
        return
    mention.metric, mention.cue, mention.cue_span = best.metric_for(mention.unit), best, (start, end)
    mention.confidence, mention.status, mention.reason = TABLE_CONFIDENCE, "metric", "a table column"
