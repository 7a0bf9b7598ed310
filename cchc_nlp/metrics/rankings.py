"""Figures shared by units named together: one row for each unit.

"huyện Phú Lộc và huyện Quảng Điền cùng xếp thứ 2 (89,48 điểm)", "phường A và phường B
có tỷ lệ trực tuyến trên 90%": the figures belong to each unit of the group, so each unit
gets its own row (tests/gold/README.md, "Round 2": one row per unit of a ranking). Units
joined by "và" (the last join) right before a verb ("cùng", "đều", "có", "đạt", "xếp",
"đứng"); when the group has as many figures of one kind as units ("A và B đạt 79,87% và
78,94%", "A, B và C lần lượt …") they are one each, and there is nothing to copy.

The copies keep the figure's offsets and carry the unit (`Mention.subject`, and
`Mention.province` for a province); they and the original are `ranking` rows. Who every
other row is about (scope, subject) is decided by `cchc_nlp.metrics.scope`. Units come
from the entity records of a tagged Doc, else from `cchc_nlp.tag.places.find_places`, and
the agency and unit names of `cchc_nlp.metrics.context.find_holders`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from cchc_nlp.metrics.context import find_holders
from cchc_nlp.metrics.mentions import Mention, Sentence
from cchc_nlp.tag.places import find_places

__all__ = ["Unit", "units_in", "shared_figures"]

_JOIN = re.compile(r"\s*(?:,\s*(?:và\s+)?|và\s+)")
_AND = re.compile(r"\s*,?\s*và\s+")
_TOGETHER_VERB = re.compile(r"(?i)\s*(?:cùng|đều|có|đạt|xếp|đứng)(?!\w)")


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    text: str
    province: str | None  # canonical province of a province unit, else None


def units_in(text: str, sentence: Sentence, records: list[dict[str, Any]] | None, day: str | None = None) -> list[Unit]:
    """The provinces, districts, communes and agencies named in a sentence, in text order;
    a unit in parentheses after another only locates it ("xã Mỹ Yên (huyện Bến Lức)"), a
    name right after an agency is part of it ("Chi nhánh … TP. Thanh Hóa")."""
    if records:
        units = [
            Unit(r["start"], r["end"], r.get("text") or "", _province_of(r))
            for r in records
            if r.get("label") in ("PROVINCE", "DISTRICT", "COMMUNE")
            and sentence.start <= r["start"]
            and r["end"] <= sentence.end
        ]
    else:
        units = [
            Unit(sentence.start + p["start"], sentence.start + p["end"], p["text"], _province_of(p))
            for p in find_places(text[sentence.start : sentence.end], day)
        ]
    for h in find_holders(text, sentence.start, sentence.end, None, None, sentence.tokens):
        if h.kind in ("agency", "unit") and h.subject and not any(u.start < h.end and h.start < u.end for u in units):
            units.append(Unit(h.start, h.end, h.subject, None))
    units.sort(key=lambda u: u.start)
    merged: list[Unit] = []
    for u in units:
        if merged and re.fullmatch(r"\s*\(\s*", text[merged[-1].end : u.start]):
            continue
        if merged and re.fullmatch(r" ?", text[merged[-1].end : u.start]):
            last = merged.pop()
            u = Unit(last.start, u.end, text[last.start : u.end], last.province or u.province)
        merged.append(u)
    return merged


def _province_of(record: dict[str, Any]) -> str | None:
    if record.get("label") != "PROVINCE":
        return None
    return (record.get("attrs") or {}).get("mentioned") or record.get("norm")


def _kind(mention: Mention) -> str:
    """Figures of one series: ranks, percents, other values (counts, scores)."""
    if mention.unit == "rank" or (mention.metric or "").endswith(".rank"):
        return "rank"
    return "percent" if mention.unit == "percent" else "value"


def _group_before(text: str, units: list[Unit], index: int) -> list[Unit]:
    """The units named together with units[index], ending with it ("A, B và C")."""
    group = [units[index]]
    i = index
    while i > 0 and _JOIN.fullmatch(text, units[i - 1].end, units[i].start):
        group.insert(0, units[i - 1])
        i -= 1
    return group


def shared_figures(text: str, sentence: Sentence, mentions: list[Mention], units: list[Unit]) -> list[Mention]:
    """Copies of the sentence's figures that units named together share, one for each unit
    of the group but the last (the original becomes the last unit's); all are ranking rows."""
    figures = [m for m in mentions if m.status == "metric" and m.scope != "national"]
    groups: dict[int, list[Unit]] = {}
    owner: dict[int, int] = {}
    for m in figures:
        clause_start = max(sentence.start, text.rfind(";", sentence.start, m.start) + 1)
        before = [i for i, u in enumerate(units) if clause_start <= u.start and u.end <= m.start]
        if not before:
            continue
        index = before[-1]
        group = _group_before(text, units, index)
        together = len(group) > 1 and _AND.fullmatch(text, group[-2].end, group[-1].start)
        if together and _TOGETHER_VERB.match(text, units[index].end):
            groups[index] = group
            owner[id(m)] = index
    copies: list[Mention] = []
    for m in figures:
        index = owner.get(id(m))
        if index is None:
            continue
        same = [f for f in figures if owner.get(id(f)) == index and _kind(f) == _kind(m)]
        if len(same) != 1:
            continue  # as many figures as units ("A và B đạt 79,87% và 78,94%"): one each
        last = groups[index][-1]
        m.subject, m.province, m.scope = last.text, last.province, "ranking"
        copies.extend(replace(m, subject=u.text, province=u.province) for u in groups[index][:-1])
    return copies
