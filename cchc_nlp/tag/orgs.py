"""ORG mentions: agencies and bodies (component "cchc_orgs", after "cchc_places").

Agency heads come from data/tag/org_heads.csv ("UBND", "Sở Nội vụ", "Văn phòng UBND",
"Ban Chỉ đạo cải cách hành chính", "Trung tâm Phục vụ hành chính công", "Công an",
"Tỉnh ủy", "Bộ Nội vụ", ...), matched in one regex pass, capitalization of the words
after the first ignored ("Ban chỉ đạo" = "Ban Chỉ đạo"). The place qualifier after the
head is part of the span: a place record from cchc_places ("UBND huyện Mỹ Xuyên",
"Tỉnh ủy Sóc Trăng") or a bare unit word ("UBND tỉnh", "Sở Nội vụ tỉnh", "UBND xã").
Heads whose `qualifier` is "required" ("UBND", "Công an", "Bảo hiểm xã hội") are only an
ORG with a qualifier, so "lực lượng Công an" and the generic "UBND cấp huyện" / "UBND các
huyện" are not tagged; "name_required" heads ("Báo") need a province or district name.

Record::

    ORG  norm: canonical head + place ("UBND tỉnh Vĩnh Long", "Sở Nội vụ",
         "Văn phòng UBND tỉnh" until the article province is known, then
         "Văn phòng UBND tỉnh Bình Thuận")
         attrs: head (canonical head), kind (people_committee, department, ...),
         level ("tỉnh" | "huyện" | "xã" | "trung ương" | None), province, province_code,
         district, commune (names at the article date, when stated or resolved),
         province_source ("text" | "article": filled by cchc_article_province for a
         bare "UBND tỉnh" or a provincial department)

An agency inside another's name is not repeated ("Văn phòng UBND tỉnh" is one ORG);
an ORG inside an official's title chain is an ORG like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.resources import read_csv
from cchc_nlp.tag import gazetteer as gz
from cchc_nlp.tag._common import article_date, doc_text, emit, phrase_regex, sync_spans

__all__ = ["OrgHead", "find_orgs", "OrgTagger", "org_heads", "org_norm"]


@dataclass(frozen=True)
class OrgHead:
    head: str
    canonical: str
    kind: str
    qualifier: str  # required | optional | name | name_required | none
    default_level: str


_PAREN_ABBR_RE = re.compile(r"\s*\((?:CCHC|BCĐ|TTHCC|TTPVHCC|IOC|HĐND|UBND|MTTQ)\)")
_BARE_UNIT_RE = re.compile(r"\s+(?P<unit>(?i:thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã)|TP\.?|TX\.?)(?![\w])")
_UNIT_LEVEL = {
    "tỉnh": "tỉnh",
    "thành phố": "tỉnh",
    "tp": "tỉnh",
    "tp.": "tỉnh",
    "huyện": "huyện",
    "quận": "huyện",
    "thị xã": "huyện",
    "tx": "huyện",
    "tx.": "huyện",
    "xã": "xã",
    "phường": "xã",
    "thị trấn": "xã",
}
_PLACE_LEVEL = {"PROVINCE": "tỉnh", "DISTRICT": "huyện", "COMMUNE": "xã"}


@cache
def org_heads() -> dict[str, OrgHead]:
    """Lowercased head phrase -> OrgHead, from data/tag/org_heads.csv."""
    heads = {}
    for row in read_csv("tag/org_heads.csv"):
        heads[row["head"].lower()] = OrgHead(
            row["head"], row["canonical"], row["kind"], row["qualifier"], row["default_level"]
        )
    return heads


@cache
def _head_re() -> re.Pattern:
    phrases = []
    for row in read_csv("tag/org_heads.csv"):
        phrases.append(row["head"])
        if row["cap_first"] != "true":
            phrases.append(row["head"][0].lower() + row["head"][1:])
    return phrase_regex(phrases, ignore_case=True, cap_first=True)


_SPACES_RE = re.compile(r"\s+")
_DASH_RE = re.compile(r"\s*[-–]\s*")


def _head_key(text: str) -> str:
    text = _DASH_RE.sub(" - ", _SPACES_RE.sub(" ", text)).lower()
    return text.replace(" ,", ",")


def _place_unit(record: dict[str, Any]) -> str:
    unit = record["attrs"].get("unit")
    if unit:
        return unit
    if record["label"] == "PROVINCE":
        return (
            "thành phố"
            if record["norm"] in ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")
            else "tỉnh"
        )
    if record["label"] == "DISTRICT":
        found = gz.districts_named(record["norm"], normalized=True)
        return found[0].kind if found else "huyện"
    return "xã"


def org_norm(canonical: str, place_text: str | None) -> str:
    """'UBND' + 'tỉnh Vĩnh Long' -> 'UBND tỉnh Vĩnh Long'."""
    return f"{canonical} {place_text}" if place_text else canonical


def find_orgs(text: str, places: list[dict[str, Any]], day: str | None = None) -> list[dict[str, Any]]:
    """ORG records in a normalized text, given its place records (find_places)."""
    del day  # places already carry names resolved at the article date
    by_start = {}
    for place in places:
        by_start.setdefault(place["start"], place)
    heads = org_heads()
    out: list[dict[str, Any]] = []
    taken_until = -1
    for match in _head_re().finditer(text):
        if match.start() < taken_until:
            continue
        head = heads.get(_head_key(match.group()))
        if head is None:
            continue
        end = match.end()
        paren = _PAREN_ABBR_RE.match(text, end)
        if paren:
            end = paren.end()
        attrs: dict[str, Any] = {"head": head.canonical, "kind": head.kind, "level": head.default_level or None}
        place_text = None
        place = by_start.get(end + 1) if text[end : end + 1] == " " else None
        if place is not None and head.qualifier in ("name", "name_required") and place["label"] == "COMMUNE":
            place = None
        if place is not None and head.qualifier != "none":
            end = place["end"]
            attrs["level"] = _PLACE_LEVEL[place["label"]]
            if place["label"] == "PROVINCE":
                attrs["province"] = place["norm"]
                attrs["province_code"] = place["attrs"].get("code")
            else:
                attrs["province"] = place["attrs"].get("province")
                attrs["province_code"] = place["attrs"].get("province_code")
                attrs[place["label"].lower()] = place["norm"]
                if place["label"] == "COMMUNE" and place["attrs"].get("district"):
                    attrs["district"] = place["attrs"]["district"]
            attrs["province_source"] = "text" if attrs.get("province") else None
            written_bare = not place["attrs"].get("unit")
            if written_bare and head.qualifier in ("name", "name_required"):
                place_text = place["norm"]
            else:
                place_text = f"{_place_unit(place)} {place['norm']}"
        elif head.qualifier in ("required", "optional"):
            unit = _BARE_UNIT_RE.match(text, end)
            if unit is not None:
                end = unit.end()
                attrs["level"] = _UNIT_LEVEL[unit.group("unit").lower()]
                place_text = unit.group("unit").lower().replace("tp.", "thành phố").replace("tp", "thành phố")
                place_text = place_text.replace("tx.", "thị xã").replace("tx", "thị xã")
            elif head.qualifier == "required":
                continue
        elif head.qualifier == "name_required":
            continue
        taken_until = end
        out.append(
            {
                "label": "ORG",
                "start": match.start(),
                "end": end,
                "text": text[match.start() : end],
                "norm": org_norm(head.canonical, place_text),
                "attrs": {k: v for k, v in attrs.items() if v is not None},
            }
        )
    return out


class OrgTagger:
    """spaCy component: adds ORG records (needs the place records of cchc_places)."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        _head_re()

    def __call__(self, doc: Doc) -> Doc:
        places = [r for r in doc._.entities or [] if r["label"] in ("PROVINCE", "DISTRICT", "COMMUNE")]
        emit(doc, find_orgs(doc_text(doc), places, article_date(doc)))
        sync_spans(doc)
        return doc


@Language.factory("cchc_orgs")
def make_org_tagger(nlp: Language, name: str) -> OrgTagger:
    return OrgTagger(nlp, name)
