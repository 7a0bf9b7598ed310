"""PROVINCE, DISTRICT and COMMUNE mentions (component "cchc_places").

Three passes over the normalized text, all regex-driven:

1. a unit word and a capitalized name ("tỉnh Vĩnh Long", "huyện Mỹ Xuyên", "TP. Phủ Lý",
   "TP.HCM", "xã Tân Thành Bình", "Phường 2"): the longest prefix of the name that the
   gazetteer knows at that level wins, so "UBND tỉnh Thái Nguyên Nguyễn Huy Dũng" gives
   "tỉnh Thái Nguyên"; an unknown district/commune name is kept (attrs known=False) when
   it has at most three capitalized syllables;
2. bare province names and aliases ("Hà Nam", "BR-VT", "TT-Huế"), and diacritic-free
   spellings of unambiguous multi-syllable names ("Vinh Long" -> Vĩnh Long) when
   capitalized; skipped inside a person's name ("Nguyễn Thái Bình"), after an honorific
   ("chị Huế") and inside the phrases of data/tag/place_stoplist.txt ("Thái Bình Dương");
3. district names after a party committee ("Huyện ủy Lạc Sơn": the span is "Lạc Sơn"),
   and bare repeats of district/commune names the text introduced with a unit word.

Records (span = unit word + name as written, or the bare name)::

    PROVINCE  norm: canonical name valid at the article date ("Sóc Trăng" in 2019,
              "Cần Thơ" for the same words in an article of August 2025)
              attrs: code, mentioned (canonical name of the named unit), successor,
              successor_code, historical (bool), unit ("tỉnh" | "thành phố" | None)
    DISTRICT  norm: the district name ("Mỹ Xuyên"); attrs: unit, known, province
              (at the article date, None while ambiguous), province_code,
              candidates (province names when the name exists in several provinces)
    COMMUNE   norm: the name ("Tân Thành Bình", "2"); attrs: unit, known, province,
              district, candidates

A street named after a person ("Số 02, Trần Văn Sắc") or a ward named "Quang Trung" is
never read as a person here; officials need a title or an honorific (cchc_officials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.resources import read_csv
from cchc_nlp.tag import gazetteer as gz
from cchc_nlp.tag._common import LETTER, UPPER, article_date, doc_text, emit, phrase_regex, sync_spans
from cchc_nlp.text.normalize import fold_diacritics, normalize_text

__all__ = ["find_places", "PlaceTagger", "resolve_ambiguous_places"]

CAPWORD = rf"[{UPPER}][{LETTER}]*"
_CAPWORD_RE = re.compile(CAPWORD)
_RUN = rf"{CAPWORD}(?:(?: |\s?[-–]\s?){CAPWORD}){{0,6}}"

# Unit words; "TP"/"TX" take a dot or a space, words take a space.
_UNIT_RE = re.compile(
    rf"(?<![\w/])(?P<unit>(?i:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã)(?=\s)|TP|Tp|TX)"
    rf"(?P<sep>\.\s*|\s+)(?P<name>{_RUN}|\d{{1,2}}(?![\d/.,]\d|\w))"
)
# A district named after its party committee: "Huyện ủy Lạc Sơn" (the span is the name).
_PARTY_RE = re.compile(
    rf"(?<![\w/])(?:Huyện ủy|Thị ủy|Quận ủy|Thành ủy|HUYỆN ỦY|THỊ ỦY|QUẬN ỦY|THÀNH ỦY)\s+(?P<name>{_RUN})"
)
_UNIT_KIND = {"tp": "thành phố", "tx": "thị xã"}
_LEVEL = {
    "tỉnh": "province",
    "thành phố": "city",
    "huyện": "district",
    "quận": "district",
    "thị xã": "district",
    "xã": "commune",
    "phường": "commune",
    "thị trấn": "commune",
    "đặc khu": "commune",
}
_HONORIFIC_BEFORE_RE = re.compile(r"(?i:(?:ông|bà|anh|chị|em|cô|chú|bác|đồng chí|đ/c))\s+$")
_ASCII_UNIT_BEFORE_RE = re.compile(r"(?<!\w)(?i:tinh|tỉnh|thanh pho|thành phố|TP\.?)\s*$")
_PREV_WORDS_RE = re.compile(rf"((?:{CAPWORD} )+)$")


@dataclass
class _Found:
    label: str
    start: int
    end: int
    norm: str
    attrs: dict[str, Any]


@cache
def _bare_province_re() -> re.Pattern:
    """Canonical names and aliases usable without a unit word, as written and in capitals."""
    written = {u.name for u in gz.province_units()}
    written |= {row["alias"] for row in read_csv("tag/province_aliases.csv") if row["needs_unit"] != "true"}
    aliases = gz.province_aliases()
    written = {normalize_text(w) for w in written}
    written = {w for w in written if not aliases[gz.normalized_place_key(w)][1]}
    written |= {w.upper() for w in written}
    return phrase_regex(sorted(written))


@cache
def _folded_province_re() -> re.Pattern:
    written = set()
    for folded in gz.folded_province_aliases():
        title = " ".join(part[:1].upper() + part[1:] for part in folded.split())
        written |= {title, title.upper()}
    return phrase_regex(sorted(written))


@cache
def _stoplist_re() -> re.Pattern | None:
    phrases = gz.place_stoplist_phrases()
    return phrase_regex(phrases) if phrases else None


def _province_record(start: int, end: int, name: str, day: str | None, unit: str | None) -> _Found:
    ref = gz.resolve_province(name, day)
    return _Found("PROVINCE", start, end, ref.name, {**ref.as_dict(), "unit": unit})


def _district_attrs(candidates: tuple, day: str | None, kind: str) -> dict[str, Any]:
    if day and candidates:
        current = [d for d in candidates if not d.valid_to or d.valid_to >= day or day >= gz.MERGER_DATE]
        candidates = tuple(current) or candidates
    provinces = sorted({d.province for d in candidates})
    attrs: dict[str, Any] = {"unit": kind, "known": bool(candidates)}
    if len(provinces) == 1:
        ref = gz.resolve_province(provinces[0], day)
        attrs.update(province=ref.name, province_code=ref.code)
    elif provinces:
        attrs.update(province=None, candidates=provinces)
    return attrs


def _commune_attrs(candidates: tuple, day: str | None, kind: str) -> dict[str, Any]:
    era = "34" if day and day >= gz.MERGER_DATE else "63"
    preferred = tuple(c for c in candidates if c.era == era) or candidates
    provinces = sorted({c.province for c in preferred})
    attrs: dict[str, Any] = {"unit": kind, "known": bool(candidates)}
    if len(provinces) == 1:
        ref = gz.resolve_province(provinces[0], day)
        districts = sorted({c.district for c in preferred if c.province == provinces[0] and c.district})
        attrs.update(province=ref.name, province_code=ref.code, district=districts[0] if len(districts) == 1 else None)
    elif provinces:
        attrs.update(province=None, candidates=provinces)
    return attrs


@lru_cache(maxsize=1024)
def _is_central(name: str, day: str | None) -> bool:
    ref = gz.resolve_province(name, day)
    unit = next(u for u in gz.province_units() if u.name == ref.mentioned and (u.era == "63"))
    if ref.mentioned == "Thừa Thiên Huế":
        return False
    return unit.kind == "thành phố"


def _person_cut(text: str, words: list[tuple[int, int]], limit: int = 3) -> int:
    """How many leading words of an unknown place name to keep (stop where a person's name starts)."""
    names = gz.surnames()
    keep = min(len(words), limit)
    for i in range(2, keep):
        if text[words[i][0] : words[i][1]] in names and i + 1 < len(words):
            return i
    return keep


def _resolve_unit(text: str, match: re.Match, day: str | None) -> _Found | None:
    unit_written = match.group("unit")
    kind = _UNIT_KIND.get(unit_written.lower(), unit_written.lower())
    level = _LEVEL[kind]
    name_start, name_end = match.span("name")
    if text[name_start].isdigit():
        if level not in ("district", "commune", "city"):
            return None
        number = text[name_start:name_end]
        if level == "commune":
            return _Found(
                "COMMUNE",
                match.start(),
                name_end,
                number,
                _commune_attrs(gz.communes_named(number, normalized=True), day, kind),
            )
        return _Found(
            "DISTRICT",
            match.start(),
            name_end,
            number,
            _district_attrs(gz.districts_named(number, normalized=True), day, kind),
        )
    words = [(m.start(), m.end()) for m in _CAPWORD_RE.finditer(text, name_start, name_end)]
    aliases = gz.province_aliases()
    for n in range(len(words), 0, -1):
        end = words[n - 1][1]
        key = gz.normalized_place_key(text[name_start:end])
        if level == "province":
            if key in aliases:
                return _province_record(match.start(), end, aliases[key][0], day, kind)
            continue
        if level == "city":
            if key in aliases and _is_central(aliases[key][0], day):
                return _province_record(match.start(), end, aliases[key][0], day, kind)
            districts = gz.districts_named(text[name_start:end], normalized=True)
            if districts:
                return _Found("DISTRICT", match.start(), end, districts[0].name, _district_attrs(districts, day, kind))
            continue
        if level == "district":
            districts = gz.districts_named(text[name_start:end], normalized=True)
            if districts:
                return _Found("DISTRICT", match.start(), end, districts[0].name, _district_attrs(districts, day, kind))
            continue
        communes = gz.communes_named(text[name_start:end], normalized=True)
        if communes:
            return _Found("COMMUNE", match.start(), end, communes[0].name, _commune_attrs(communes, day, kind))
    if level == "province":
        return None
    keep = _person_cut(text, words)
    if keep == 0:
        return None
    end = words[keep - 1][1]
    name = _title_case(text[name_start:end])
    label = "COMMUNE" if level == "commune" else "DISTRICT"
    return _Found(label, match.start(), end, name, {"unit": kind, "known": False})


def _party_district(text: str, match: re.Match, day: str | None) -> _Found | None:
    """The district in "Huyện ủy Lạc Sơn" (longest known prefix of the capitalized name)."""
    name_start, name_end = match.span("name")
    words = [(m.start(), m.end()) for m in _CAPWORD_RE.finditer(text, name_start, name_end)]
    for n in range(len(words), 0, -1):
        end = words[n - 1][1]
        districts = gz.districts_named(text[name_start:end], normalized=True)
        if districts:
            return _Found("DISTRICT", name_start, end, districts[0].name, _district_attrs(districts, day, None))
    return None


def _title_case(text: str) -> str:
    if text.isupper():
        return " ".join(w[:1] + w[1:].lower() for w in text.split(" "))
    return text


class _Taken:
    """Character coverage of the places found so far (constant-time overlap test)."""

    def __init__(self, length: int):
        self.mask = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        return any(self.mask[start:end])

    def add(self, found: list[_Found], record: _Found) -> None:
        found.append(record)
        self.mask[record.start : record.end] = b"\x01" * (record.end - record.start)


def _inside_person_name(text: str, start: int) -> bool:
    """True when the capitalized words right before `start` begin with a family name."""
    before = text[max(0, start - 40) : start]
    if _HONORIFIC_BEFORE_RE.search(before):
        return True
    prev = _PREV_WORDS_RE.search(before)
    if not prev:
        return False
    first = prev.group(1).split()[0]
    return first in gz.surnames() and len(prev.group(1).split()) <= 3


def find_places(text: str, day: str | None = None) -> list[dict[str, Any]]:
    """Place records (label, start, end, text, norm, attrs) in a normalized text, in order.

    day: ISO date the names are resolved at (the article's date), or None.

    >>> [(r["label"], r["text"], r["norm"]) for r in find_places("UBND huyện Mỹ Xuyên, tỉnh Sóc Trăng", "2019-05-31")]
    [('DISTRICT', 'huyện Mỹ Xuyên', 'Mỹ Xuyên'), ('PROVINCE', 'tỉnh Sóc Trăng', 'Sóc Trăng')]
    """
    found: list[_Found] = []
    taken = _Taken(len(text))
    for match in _UNIT_RE.finditer(text):
        record = _resolve_unit(text, match, day)
        if record is not None and not taken.overlaps(record.start, record.end):
            taken.add(found, record)
    for match in _PARTY_RE.finditer(text):
        record = _party_district(text, match, day)
        if record is not None and not taken.overlaps(record.start, record.end):
            taken.add(found, record)
    stopped = _Taken(len(text))
    for match in _stoplist_re().finditer(text) if _stoplist_re() else ():
        stopped.add([], _Found("", match.start(), match.end(), "", {}))
    aliases = gz.province_aliases()
    for match in _bare_province_re().finditer(text):
        start, end = match.span()
        if taken.overlaps(start, end) or stopped.overlaps(start, end):
            continue
        if _inside_person_name(text, start):
            continue
        name = aliases[gz.normalized_place_key(match.group())][0]
        taken.add(found, _province_record(start, end, name, day, None))
    folded = gz.folded_province_aliases()
    for match in _folded_province_re().finditer(text):
        start, end = match.span()
        if not match.group().isascii() or taken.overlaps(start, end) or _inside_person_name(text, start):
            continue
        unit = _ASCII_UNIT_BEFORE_RE.search(text, max(0, start - 12), start)
        if unit:
            start = unit.start()
        taken.add(
            found,
            _province_record(start, end, folded[fold_diacritics(gz.normalized_place_key(match.group()))], day, None),
        )
    _bare_repeats(text, found, taken)
    found.sort(key=lambda f: (f.start, -f.end))
    _resolve_by_neighbours(text, found, day)
    return [
        {
            "label": f.label,
            "start": f.start,
            "end": f.end,
            "text": text[f.start : f.end],
            "norm": f.norm,
            "attrs": f.attrs,
        }
        for f in found
    ]


def _bare_repeats(text: str, found: list[_Found], taken: _Taken) -> None:
    """Tag bare repeats of known district/commune names introduced with a unit word."""
    introduced = {}
    for f in found:
        if f.label in ("DISTRICT", "COMMUNE") and f.attrs.get("known") and not f.norm.isdigit() and " " in f.norm:
            introduced.setdefault(f.norm, f)
    if not introduced:
        return
    pattern = phrase_regex(sorted(set(introduced) | {n.upper() for n in introduced}))
    for match in pattern.finditer(text):
        start, end = match.span()
        if taken.overlaps(start, end):
            continue
        prev = _PREV_WORDS_RE.search(text, max(0, start - 30), start)
        if prev and not prev.group(1).split()[-1].isupper():
            continue  # part of a longer capitalized name
        if re.match(rf" {CAPWORD}", text[end : end + 30]) and not re.match(r" [A-ZĐ]{2,}", text[end : end + 30]):
            continue
        source = introduced.get(_title_case(match.group()))
        if source is None:
            continue
        taken.add(found, _Found(source.label, start, end, source.norm, {**source.attrs, "unit": None, "repeat": True}))


_NEIGHBOUR_GAP_RE = re.compile(r"\s*[,(-]?\s*$")


def _resolve_by_neighbours(text: str, found: list[_Found], day: str | None) -> None:
    """ "huyện Châu Thành, tỉnh Sóc Trăng": a place right after an ambiguous one settles it."""
    for i, f in enumerate(found):
        candidates = f.attrs.get("candidates")
        if not candidates:
            continue
        for g in found[i + 1 : i + 3]:
            gap = text[f.end : g.start]
            if len(gap) > 4 or not _NEIGHBOUR_GAP_RE.match(gap):
                break
            province = g.attrs.get("mentioned") if g.label == "PROVINCE" else g.attrs.get("province")
            if province and province in candidates:
                settle(f.attrs, province, day)
                break


def settle(attrs: dict[str, Any], province: str, day: str | None) -> None:
    """Fix an ambiguous district/commune to `province` (a pre-2025 canonical name)."""
    ref = gz.resolve_province(province, day)
    attrs.update(province=ref.name, province_code=ref.code)
    attrs.pop("candidates", None)


def resolve_ambiguous_places(doc: Doc, province_name: str | None) -> None:
    """Settle districts/communes still ambiguous with the article's province."""
    if not province_name:
        return
    day = article_date(doc)
    for record in doc._.entities or []:
        candidates = record["attrs"].get("candidates")
        if record["label"] in ("DISTRICT", "COMMUNE") and candidates:
            mentioned = [
                c for c in candidates if gz.resolve_province(c, day).name == province_name or c == province_name
            ]
            if len(mentioned) == 1:
                settle(record["attrs"], mentioned[0], day)
                record["attrs"]["province_source"] = "article"


class PlaceTagger:
    """spaCy component: adds PROVINCE/DISTRICT/COMMUNE records to doc._.entities."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        # Load the gazetteer now, not on the first document.
        _bare_province_re(), _folded_province_re(), _stoplist_re(), gz.commune_names()

    def __call__(self, doc: Doc) -> Doc:
        emit(doc, find_places(doc_text(doc), article_date(doc)))
        sync_spans(doc)
        return doc


@Language.factory("cchc_places")
def make_place_tagger(nlp: Language, name: str) -> PlaceTagger:
    return PlaceTagger(nlp, name)
