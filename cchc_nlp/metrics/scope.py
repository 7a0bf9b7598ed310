"""Scope of a metric row: who the figure is about (`cchc_nlp.records.SCOPES`), decided by the
figure's sentence and its paragraph (conventions: tests/gold/README.md, "Round 2"; docs/domain.md §1.5).

The owner of a figure is the nearest owner written before it in its sentence, or one
tied to it right after ("137 thủ tục cấp xã", "tỷ lệ ... của huyện"). Owners:

* the province: "toàn tỉnh", "của tỉnh", "tỉnh ta", "UBND tỉnh", the article's province
  named ("tỉnh Quảng Nam"), its one-stop centre ("Trung tâm Phục vụ hành chính công tỉnh");
* a level: "cấp xã", "các xã, phường", "104 xã, phường của tỉnh";
* an agency: "Sở Tư pháp", "Công an tỉnh Sơn La";
* a unit: "huyện Kế Sách", "xã Tân Phú", a headline "Quy Nhơn: ...";
* another province: "vượt Quảng Ngãi (82,51%)" (a ranking entry);
* the country: "trung bình cả nước", "trung vị".

A word that refers back ("huyện tiếp nhận", "Sở đã số hóa", "Đơn vị đã giải quyết",
"Trung tâm tiếp nhận") takes the last unit of its kind named before it in the article.
Not owners: speakers ("Giám đốc Sở Nội vụ cho biết"), national bodies ("do Bộ Nội vụ
công bố"), places and partners ("tại Trung tâm", "phối hợp với Sở") unless they open
the sentence ("Tại huyện Núi Thành, ..."), the field of a ranking ("dẫn đầu thành phố"),
a province qualifying a group ("các xã, phường của tỉnh") and enumerated levels ("cấp
tỉnh, cấp huyện").

A figure without an owner in its sentence takes the last agency, unit or level owner of
the earlier sentences of its paragraph, else it is the province's. When the figures of a
sentence belong to two or more named units and the sentence ranks or compares them
("xếp thứ", "dẫn đầu", "lần lượt", "Tên (N%)"), or when the unit is another province,
the rows are `ranking` rows ("A, B và C lần lượt đạt x, y và z": the k-th figure of a
metric is the k-th unit's). PCI and PAPI rank provinces only.

Rows whose `scope` is already set (the metric rules set it for the rows they build from
ranked lists and national figures) are left as they are; every row gets the province
code columns of its `province` (a ranking row naming a province: that province; national
rows: none). Word lists: data/metrics/metric_scope.csv.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from cchc_nlp.metrics.mentions import Sentence
from cchc_nlp.metrics.owners import AFTER_WINDOW, NATIONAL_GAP, ArticleOwners, Owner, find_owners, owner_patterns
from cchc_nlp.tag.gazetteer import province, province_columns

__all__ = ["assign_scopes", "find_owners"]


# --------------------------------------------------------------------------- rows


def assign_scopes(
    text: str,
    rows: list[dict[str, Any]],
    sentences: list[Sentence],
    entities: list[dict[str, Any]] | None = None,
    published: str | None = None,
) -> None:
    """Fill `scope`, and with it `subject`, `scope_level` and `province`, of the rows whose
    scope is not set yet; fill the province code columns of every row. In place."""
    if not rows:
        return
    todo = [r for r in rows if r.get("scope") is None]
    if todo:
        sentences = sentences or [Sentence(0, len(text), 0, 0)]
        places = [r for r in entities or () if r.get("label") in ("ORG", "DISTRICT", "COMMUNE")]
        last = max(r["end"] for r in todo)
        limit = _sentence_of(last, sentences, [s.start for s in sentences]).end
        ctx = ArticleOwners(text, todo[0].get("province"), published, places, limit=max(limit, last))
        chosen = _choose(ctx, todo, sentences)
        _rankings(ctx, todo, chosen, sentences)
        for row in todo:
            _apply(ctx, row, chosen[id(row)])
    for row in rows:
        if row.get("scope") == "national":
            row["province"] = None
        elif row.get("scope") == "ranking" and row.get("subject"):
            ref = province(row["subject"], published)
            if ref is not None:
                row["province"] = ref.name
        row.update(province_columns(row.get("province"), published))


def _sentence_of(pos: int, sentences: list[Sentence], starts: list[int]) -> Sentence:
    i = max(0, bisect.bisect_right(starts, pos) - 1)
    return sentences[i]


def _choose(ctx: ArticleOwners, rows: list[dict[str, Any]], sentences: list[Sentence]) -> dict[int, Owner | None]:
    starts = [s.start for s in sentences]
    chosen: dict[int, Owner | None] = {}
    last_by_paragraph: dict[int, Owner] = {}
    for row in sorted(rows, key=lambda r: r["start"]):
        sent = _sentence_of(row["start"], sentences, starts)
        owner = _owner_of(ctx, row, sent)
        if owner is None:
            inherited = last_by_paragraph.get(sent.paragraph)
            if inherited is not None and inherited.scope in ("agency", "unit"):
                owner = inherited
        elif owner.scope != "national":
            last_by_paragraph[sent.paragraph] = owner
        if (
            owner is not None
            and row["metric"].startswith(("index.pci.", "index.papi."))
            and owner.scope
            in (
                "agency",
                "unit",
                "level",
            )
        ):
            owner = None  # PCI and PAPI rank provinces only
        chosen[id(row)] = owner
    return chosen


def _owner_of(ctx: ArticleOwners, row: dict[str, Any], sent: Sentence) -> Owner | None:
    text = ctx.text
    start, end = row["start"], row["end"]
    owners = ctx.in_span(sent.start, sent.end)
    clause_start = max(sent.start, *(text.rfind(c, sent.start, start) + 1 for c in ",;:"))
    first_clause_end = text.find(";", sent.start, sent.end)
    item_start = text.rfind(";", sent.start, start) + 1
    before = [
        o
        for o in owners
        if o.end <= start
        and o.scope != "national"
        # from an earlier clause only the sentence's first one carries over, and not an
        # owner tied to another figure ("382 thủ tục thuộc thẩm quyền cấp xã; 1.108 ...")
        and (
            o.start >= item_start
            or ((first_clause_end < 0 or o.start < first_clause_end) and not _post_nominal(text, o))
        )
        and not _bracketed(text, sent.start, o, start)
    ]
    if row["metric"].endswith(".rank"):
        # "đứng thứ 2 tỉnh Thái Nguyên", "; thứ hai là Sở Nội vụ": the unit right after its rank
        named_after = [
            o
            for o in owners
            if o.start >= end and o.named and o.scope != "national" and _RANK_THEN_UNIT.fullmatch(text, end, o.start)
        ]
        if named_after:
            return named_after[0]
    strong_before = [o for o in before if o.start >= clause_start]
    owner = _tied_after(text, start, end, sent, owners, strong_before)
    if owner is not None:
        return None if owner.scope == "level" and _enumerated(text, owner, owners) else owner
    national = [o for o in owners if o.scope == "national" and o.end <= start]
    if national and (not before or before[-1].end <= national[-1].start):
        gap = text[national[-1].end : start]
        if len(gap) <= NATIONAL_GAP and not re.search(r";|(?<![\d/])(?!(?:19|20)\d\d(?!\d))\d", gap):
            return national[-1]
    if not before:
        return None
    owner = before[-1]
    if owner.scope == "level" and _enumerated(text, owner, owners):
        return None
    if len(before) > 1 and before[-2].scope == owner.scope:
        prior = before[-2]
        if re.fullmatch(r"\s*(?:và|cùng)\s*", text[prior.end : owner.start]):
            return prior  # "huyện A và huyện B cùng xếp thứ 2": the row is the first one's
    if (
        row["metric"].endswith(".rank")
        and row.get("denominator") in (63, 34)
        and owner.scope in ("agency", "unit", "level")
    ):
        return None  # a rank among the 63 (34) provinces is the province's
    return owner


_RANK_THEN_UNIT = re.compile(r"(?i)\s*(?:là|thuộc\s+về)?\s*")


def _bracketed(text: str, sent_start: int, owner: Owner, figure: int) -> bool:
    """ "Trung tâm ... (đơn vị trực thuộc Văn phòng UBND tỉnh) đã tiếp nhận 9.874": an owner
    in a parenthesis closed before the figure is an aside."""
    head = text[sent_start : owner.start]
    return head.count("(") > head.count(")") and ")" in text[owner.end : figure]


def _post_nominal(text: str, owner: Owner) -> bool:
    """An owner right after a figure and its noun: "137 thủ tục cấp xã", "hồ sơ của huyện"."""
    lead = text[max(0, owner.start - AFTER_WINDOW) : owner.start]
    return re.search(r"\d%?\s+(?:[^\W\d]+\s+){0,5}(?:(?:thuộc thẩm quyền|của|tại|ở)\s+)?$", lead) is not None


def _tied_after(
    text: str, start: int, end: int, sent: Sentence, owners: list[Owner], before: list[Owner]
) -> Owner | None:
    """ "N thủ tục thuộc thẩm quyền cấp xã", "137 thủ tục cấp xã", "98% văn bản của các cơ
    quan cấp tỉnh" (a "của" link only when no owner precedes the figure in its clause)."""
    link = owner_patterns()["after_link"].match(text[end : min(sent.end, end + AFTER_WINDOW)])
    if link and not before:
        after = [o for o in owners if o.start == end + link.end() and o.scope != "national"]
        if after:
            return after[0]
    level_after = [
        o
        for o in owners
        if o.scope == "level"
        and end < o.start
        and re.fullmatch(r"\s*(?:(?!(?:và|hoặc|còn)\s)[^\W\d]+\s+){0,3}", text[end : o.start])
    ]
    if level_after and not any(o.scope != "province" for o in before):
        return level_after[0]
    return None


def _enumerated(text: str, owner: Owner, owners: list[Owner]) -> bool:
    """ "cấp tỉnh, cấp huyện", "các sở, ngành, UBND cấp huyện": levels listed together."""
    for other in owners:
        if other is owner or other.scope != "level" or other.level == owner.level:
            continue  # "Ở cấp xã, 21 phường, xã": the same level said twice
        a, b = (other, owner) if other.start < owner.start else (owner, other)
        if re.fullmatch(r"[\s,]*(?:và|hoặc)?[\s,]*", text[a.end : b.start]):
            return True
    return False


def _rankings(ctx: ArticleOwners, rows: list[dict[str, Any]], chosen: dict[int, Owner | None], sentences) -> None:
    """Rows of a sentence that lists several named units with ranking words, or several
    provinces, become ranking rows; so do rows of another province."""
    starts = [s.start for s in sentences]
    by_sentence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_sentence[_sentence_of(row["start"], sentences, starts).index].append(row)
    pats = owner_patterns()
    for index, group in by_sentence.items():
        sent = sentences[index]
        sentence = ctx.text[sent.start : sent.end]
        _respectively(ctx, sent, group, chosen)
        owners = [chosen[id(r)] for r in group if chosen[id(r)] is not None and chosen[id(r)].named]
        named = {o.subject for o in owners}
        provinces = {o.province for o in owners if o.scope == "province"}
        listed = len(named) >= 2 and (
            pats["ranking"].search(sentence) is not None
            or len(re.findall(r"[^\W\d]\s*\(\s*\d", sentence)) >= 2
            or all(r["metric"].startswith("index.") for r in group)
        )
        for row in group:
            owner = chosen[id(row)]
            if owner is None or not owner.named:
                continue
            own = owner.scope == "province" and not owner.other and (ctx.province is not None or owner.former)
            if owner.other or (not own and (listed or (owner.scope == "province" and len(provinces) >= 2))):
                chosen[id(row)] = replace(owner, scope="ranking")


def _respectively(
    ctx: ArticleOwners, sent: Sentence, group: list[dict[str, Any]], chosen: dict[int, Owner | None]
) -> None:
    """ "A, B và C lần lượt đạt x, y và z": the k-th figure of each metric is the k-th unit's."""
    text = ctx.text
    m = owner_patterns()["respectively"].search(text, sent.start, sent.end)
    if m is None:
        return
    clause_start = max(
        sent.start, text.rfind(";", sent.start, m.start()) + 1, text.rfind(":", sent.start, m.start()) + 1
    )
    listed = _distinct([o for o in ctx.in_span(clause_start, m.start()) if o.named])
    if len(listed) < 2:  # "tỷ lệ trễ hạn của hai đơn vị lần lượt là ...": the units named before
        listed = _distinct([o for o in ctx.in_span(sent.start, m.start()) if o.named])
    if len(listed) < 2:
        return
    clause_end = text.find(";", m.end(), sent.end)
    clause_end = sent.end if clause_end < 0 else clause_end
    numbers = [n.start() for n in re.finditer(r"(?<![\w,.])\d+(?:[.,]\d+)*", text[m.end() : clause_end])]
    if numbers and len(numbers) % len(listed) == 0:
        # "xếp thứ 1, 2, 3 với 92,48%, 91,2% và 90,83%": the i-th number is the (i mod n)-th unit's
        positions = [m.end() + p for p in numbers]
        for row in group:
            if row["start"] in positions:
                chosen[id(row)] = listed[positions.index(row["start"]) % len(listed)]
        return
    by_metric: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(group, key=lambda r: r["start"]):
        if m.end() <= row["start"] < clause_end:
            by_metric[row["metric"]].append(row)
    for metric_rows in by_metric.values():
        if len(metric_rows) <= len(listed):
            for row, owner in zip(metric_rows, listed, strict=False):
                chosen[id(row)] = owner


def _distinct(owners: list[Owner]) -> list[Owner]:
    seen: set[str | None] = set()
    out = []
    for o in owners:
        if o.subject not in seen:
            seen.add(o.subject)
            out.append(o)
    return out


def _apply(ctx: ArticleOwners, row: dict[str, Any], owner: Owner | None) -> None:
    if owner is None or (owner.scope == "province" and not owner.other):
        row["scope"] = "province"
        row["subject"] = owner.subject if owner is not None else None
        if owner is not None and owner.subject and owner.province:
            row["province"] = owner.province  # "tỉnh Hà Giang (cũ)" in a 2025 article: Hà Giang's figure
        return  # scope_level stays the rules' (none for "toàn tỉnh", tỉnh for the one-stop centre)
    row["scope"] = owner.scope
    if owner.scope == "national":
        row["subject"], row["scope_level"], row["province"] = None, None, None
        return
    row["subject"] = owner.subject if owner.scope != "level" else None
    row["scope_level"] = owner.level
    if owner.province:
        row["province"] = owner.province
