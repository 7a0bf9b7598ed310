"""OFFICIAL, PERSON and AUTHOR mentions (component "cchc_officials", after "cchc_orgs").

Officials are found through the title grammar of docs/domain.md §2.5: a title is
`[Nguyên|Tân|Quyền] [Phó] HEAD [Thường trực] [ORG | place | unit word]` with the heads of
data/tag/titles.csv ("Chủ tịch", "Bí thư", "Giám đốc", "Ủy viên Thường vụ", "Trưởng" + an
ORG...), and titles chain with "-", "," or "kiêm". A personal name is a run of 2-5
capitalized syllables (Title Case or ALL CAPS) outside places, agencies, dates and
documents, split off a leading honorific ("Ông Lê Quang Trung") and cut before a title.

* OFFICIAL: a name with a title chain after it ("Ông Lê Quang Trung- Ủy viên Thường vụ
  Tỉnh ủy, Phó Chủ tịch Thường trực UBND tỉnh"; "Trần Huy Tuấn - Phó Bí thư Tỉnh ủy") or
  before it ("Chủ tịch UBND tỉnh Thái Nguyên Nguyễn Huy Dũng", the name starting with a
  family name from data/tag/surnames.txt), a name after "đồng chí"/"đ/c" or a police or army
  rank, and any later mention of the same full name ("đồng chí Nguyễn Văn Sắc", or
  the name alone) or of its given name after an honorific ("ông Sắc") when one official
  of the article has it.
* PERSON: a name after a personal honorific (ông, bà, anh, chị...) that is not an official
  of the article ("Chị Nguyễn Thị Cúc").
* AUTHOR: bylines on a line of their own ("N.H", "P.V", "H.Lan", "Khánh Ly", "GIA KHÁNH"),
  with a prefix ("Bài, ảnh: Huỳnh Đức", "Ảnh: T.L") or before a dateline time
  ("NGUYỄN NGHĨA 00:19, 01/04/2024"); never an OFFICIAL or PERSON.

A title with no name ("Đồng chí Phó Chủ tịch UBND tỉnh phát biểu") is not an entity (the
span convention is the name). When an honorific introduces it and exactly one official
of the article holds that title, its offsets are added to that official's first record
(attrs title_mentions) as a coreference. A capitalized name with no title, honorific or
earlier official mention (a street "Trần Văn Sắc", a ward "Quang Trung") is nothing.

Records (span = the name only)::

    OFFICIAL  norm: full name, Title Case ("Nguyễn Văn Sắc"; "NGUYỄN VĂN A" -> "Nguyễn Văn A")
              attrs: name, titles (title strings of this mention; for a later mention
              the person's titles, with coref=True), honorific ("đồng chí", "ông"...),
              rank ("Đại tá"), orgs (ORG norms the titles point at), province (of the
              first title that states or implies one; a bare "UBND tỉnh" gets the
              article province from cchc_article_province), person_id ("p1", shared by
              all mentions of one person), coref (True on later mentions),
              title_mentions ([[start, end], ...] title-only coreferences)
    PERSON    norm: full name; attrs: name, honorific, person_id
    AUTHOR    norm: the byline (Title Case when written in capitals); attrs: role
              ("byline" | "photo" | "text_and_photo"), form ("name" | "initials")
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.resources import abbreviations, read_csv
from cchc_nlp.tag import gazetteer as gz
from cchc_nlp.tag._common import LETTER, LOWER, UPPER, doc_text, emit, phrase_alternation, sync_spans
from cchc_nlp.tag.places import find_places

__all__ = ["find_people", "find_authors", "OfficialTagger", "Title"]

_CAPWORD = rf"[{UPPER}][{LETTER}]*"
_NAME_RUN_RE = re.compile(rf"(?<![\w.'’-]){_CAPWORD}(?: {_CAPWORD}){{0,7}}(?![\w'’])")
_WORD_RE = re.compile(_CAPWORD)
_TITLE_CASE_RE = re.compile(rf"^(?:[{UPPER}][{LOWER}]*|[{UPPER}]+)$")
_CHAIN_SEP_RE = re.compile(r"[ \t]*(?:[-–—,;][ \t]*(?:kiêm[ \t]+)?|kiêm[ \t]+)", re.IGNORECASE)
_AFTER_NAME_RE = re.compile(r"[ \t]*(?:[-–—,:][ \t]*|\([ \t]*)?")
_BARE_UNIT_RE = re.compile(r"(?i:tỉnh|huyện|thị xã|thành phố|quận|xã|phường|thị trấn)(?![\w])(?!\s+[" + UPPER + "])")
_INITIALS = rf"(?:[{UPPER}]\.\s?)+[{UPPER}][{LETTER}]*"
_BYLINE_NAME = rf"(?:{_INITIALS}|{_CAPWORD}(?: {_CAPWORD}){{1,3}})"
_PREFIXED_BYLINE_RE = re.compile(
    rf"(?:^|(?<=[\s.(]))(?P<prefix>(?:Bài|Tin)(?:,| và) ảnh|Bài|Tin|Ảnh|Nguồn ảnh|Thực "
    rf"hiện)\s*:?\s*(?P<name>{_BYLINE_NAME})\s*\)?\s*$",
)
_BARE_BYLINE_RE = re.compile(rf"^\s*[-–]?\s*(?P<name>{_BYLINE_NAME})\s*$")
_DATELINE_BYLINE_RE = re.compile(rf"^(?P<name>[{UPPER}]+(?: [{UPPER}]+){{1,3}})\s+\d{{1,2}}:\d{{2}}")
_LINE_RE = re.compile(r"[^\n]+")


@dataclass
class Title:
    """One title of a chain: text span, normalized string and what it points at."""

    start: int
    end: int
    text: str
    org: dict[str, Any] | None = None
    place: dict[str, Any] | None = None
    key: str = ""


@dataclass
class _Chain:
    start: int
    end: int
    titles: list[Title] = field(default_factory=list)


@cache
def _title_rows() -> tuple[dict[str, str], ...]:
    return read_csv("tag/titles.csv")


@cache
def _title_re() -> re.Pattern:
    rows = _title_rows()
    heads = [r["title"] for r in rows if r["kind"] in ("party", "position")]
    mods = [r["title"] for r in rows if r["kind"] == "modifier"]
    suffixes = [r["title"] for r in rows if r["kind"] == "suffix"]
    mod = phrase_alternation(mods, ignore_case=True, cap_first=False)
    head = phrase_alternation(heads, ignore_case=True, cap_first=False)
    suffix = phrase_alternation(suffixes, ignore_case=True, cap_first=False)
    return re.compile(rf"(?<![\w/])(?:{mod}\s+){{0,2}}(?P<head>{head})(?:\s+{suffix})?(?!\w)")


@cache
def _needs_org() -> frozenset[str]:
    return frozenset(r["title"].lower() for r in _title_rows() if r["needs_org"] == "true")


@cache
def _honorifics() -> dict[str, str]:
    return {row["honorific"].lower(): row["kind"] for row in read_csv("tag/honorifics.csv")}


@cache
def _honorific_before_re() -> re.Pattern:
    alternation = phrase_alternation(
        [row["honorific"] for row in read_csv("tag/honorifics.csv")], ignore_case=True, cap_first=False
    )
    return re.compile(rf"(?:^|(?<=[\s(“\"'‘:,;-]))(?P<h>{alternation})\s+$")


@cache
def _byline_stoplist() -> frozenset[str]:
    return frozenset(line.lower() for line in gz.read_phrase_list("tag/byline_stoplist.txt"))


def _title_case(text: str) -> str:
    return " ".join(w[:1] + w[1:].lower() if w.isupper() and len(w) > 1 else w for w in text.split(" "))


def _norm_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def find_titles(text: str, orgs: list[dict[str, Any]], places: list[dict[str, Any]]) -> list[_Chain]:
    """Title chains in a normalized text, given its ORG and place records."""
    org_by_start = {o["start"]: o for o in orgs}
    org_starts = sorted(org_by_start)
    place_by_start = {p["start"]: p for p in places}
    titles: list[Title] = []
    needs_org = _needs_org()
    for match in _title_re().finditer(text):
        start, end = match.span()
        # "Trưởng Ban Chỉ đạo...": an ORG starting inside the head wins ("Trưởng" + ORG).
        first_inside = bisect.bisect_right(org_starts, start)
        inside = [s for s in org_starts[first_inside : first_inside + 3] if s < end]
        org = place = None
        if inside:
            end = inside[0]
            while end > start and text[end - 1] == " ":
                end -= 1
            org = org_by_start[inside[0]]
        elif text[end : end + 1] == " " and (end + 1) in org_by_start:
            org = org_by_start[end + 1]
        elif text[end : end + 1] == " " and (end + 1) in place_by_start:
            place = place_by_start[end + 1]
        head_text = re.sub(r"\s+", " ", text[start:end])
        head_word = match.group("head").lower()
        if org is None and head_word in needs_org and not inside:
            continue
        full_end = org["end"] if org else place["end"] if place else end
        if org is None and place is None:
            unit = _BARE_UNIT_RE.match(text, end + 1) if text[end : end + 1] == " " else None
            if unit:
                full_end = unit.end()
        key_tail = org["norm"] if org else (place["norm"] if place else text[end:full_end].strip())
        title = Title(
            start, full_end, re.sub(r"\s+", " ", text[start:full_end]), org, place, _norm_key(f"{head_text} {key_tail}")
        )
        if titles and start < titles[-1].end:
            continue
        titles.append(title)
    chains: list[_Chain] = []
    for title in titles:
        if chains:
            gap = text[chains[-1].end : title.start]
            if _CHAIN_SEP_RE.fullmatch(gap):
                chains[-1].titles.append(title)
                chains[-1].end = title.end
                continue
        chains.append(_Chain(title.start, title.end, [title]))
    return chains


@dataclass
class _Candidate:
    start: int
    end: int
    name: str
    honorific: str | None = None
    rank: str | None = None
    titles: list[Title] = field(default_factory=list)
    label: str | None = None


def _covered_mask(length: int, records: list[dict[str, Any]]) -> bytearray:
    mask = bytearray(length)
    for record in records:
        mask[record["start"] : record["end"]] = b"\x01" * (record["end"] - record["start"])
    return mask


def _honorifics_before(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """(honorific, rank, start of the leftmost one) written right before `pos`."""
    honorific = rank = None
    cursor = pos
    for _ in range(3):
        match = _honorific_before_re().search(text, max(0, cursor - 30), cursor)
        if not match:
            break
        word = match.group("h")
        kind = _honorifics().get(word.lower())
        if kind == "rank" and rank is None:
            rank = word[:1].upper() + word[1:]
        elif kind in ("official", "person") and honorific is None:
            honorific = word.lower()
        cursor = match.start()
    return honorific, rank, cursor


def _name_candidates(text: str, mask: bytearray, title_starts: set[int]) -> list[_Candidate]:
    out = []
    person_words = {h for h, kind in _honorifics().items() if kind in ("person", "official") and " " not in h}
    not_names = {a for a in abbreviations() if a.isupper()}
    for run in _NAME_RUN_RE.finditer(text):
        words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text, run.start(), run.end())]
        # Split the run at covered words, abbreviations and title starts.
        pieces: list[list[tuple[int, int]]] = [[]]
        for s, e in words:
            word = text[s:e]
            if mask[s] or word in not_names or not _TITLE_CASE_RE.match(word) or (s in title_starts and pieces[-1]):
                pieces.append([])
                if mask[s] or word in not_names or not _TITLE_CASE_RE.match(word):
                    continue
            pieces[-1].append((s, e))
        for piece in pieces:
            honorific = None
            while piece and text[piece[0][0] : piece[0][1]].lower() in person_words:
                honorific = text[piece[0][0] : piece[0][1]].lower()
                piece = piece[1:]
            if not piece or piece[0][0] in title_starts:
                continue
            start, end = piece[0][0], piece[-1][1]
            out.append(_Candidate(start, end, _title_case(text[start:end]), honorific))
    return out


def find_authors(text: str) -> list[dict[str, Any]]:
    """AUTHOR records: bylines and photo credits of a normalized page text."""
    out = []
    lines = list(_LINE_RE.finditer(text))
    places = gz.province_aliases()
    stop = _byline_stoplist()
    for index, line in enumerate(lines):
        body = line.group()
        match = _PREFIXED_BYLINE_RE.search(body)
        role = None
        if match:
            prefix = match.group("prefix").lower()
            role = "photo" if prefix in ("ảnh", "nguồn ảnh") else "text_and_photo" if "ảnh" in prefix else "byline"
        elif index > 0 and len(body) <= 40:
            match = _BARE_BYLINE_RE.match(body)
            role = "byline"
        if not match and index < 8:
            match = _DATELINE_BYLINE_RE.match(body)
            role = "byline"
        if not match:
            continue
        name = match.group("name")
        if name.lower() in stop or gz.normalized_place_key(name) in places:
            continue
        words = name.replace(".", " ").split()
        if any(w in abbreviations() for w in words) or _honorifics().get(words[0].lower()) in ("official", "rank"):
            continue
        if "." not in name and (
            gz.districts_named(name, normalized=True) or _title_re().match(name) or find_places(name)
        ):
            continue
        start = line.start() + match.start("name")
        form = "initials" if "." in name else "name"
        out.append(
            {
                "label": "AUTHOR",
                "start": start,
                "end": start + len(name),
                "text": name,
                "norm": _title_case(name) if form == "name" else name,
                "attrs": {"role": role, "form": form},
            }
        )
    return out


def find_people(text: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OFFICIAL and PERSON records of a normalized text.

    records: the entity records already found (places, orgs, dates, documents, authors);
    names are never read inside them.
    """
    places = [r for r in records if r["label"] in ("PROVINCE", "DISTRICT", "COMMUNE")]
    orgs = [r for r in records if r["label"] == "ORG"]
    chains = find_titles(text, orgs, places)
    chain_by_end = {c.end: c for c in chains}
    chain_by_start = {c.start: c for c in chains}
    title_starts = {t.start for c in chains for t in c.titles}
    mask = _covered_mask(len(text), records)
    for chain in chains:  # a title's words are never a name
        mask[chain.start : chain.end] = b"\x01" * (chain.end - chain.start)
    surnames = gz.surnames()
    candidates = _name_candidates(text, mask, title_starts)
    used_chains: set[int] = set()
    for cand in candidates:
        honorific, rank, _ = _honorifics_before(text, cand.start)
        cand.honorific = cand.honorific or honorific
        cand.rank = rank
        words = cand.name.split(" ")
        surname_first = words[0] in surnames or words[0][:1] + words[0][1:].lower() in surnames
        before = chain_by_end.get(cand.start - 1) if text[cand.start - 1 : cand.start] == " " else None
        if before is not None and surname_first and len(words) >= 2:
            cand.titles.extend(before.titles)
            used_chains.add(before.start)
            if cand.honorific is None and cand.rank is None:
                cand.honorific, cand.rank, _ = _honorifics_before(text, before.start)
        after_gap = _AFTER_NAME_RE.match(text, cand.end)
        after = chain_by_start.get(after_gap.end()) if after_gap else None
        if after is not None and len(words) >= 2 and (surname_first or cand.honorific or cand.rank):
            cand.titles.extend(after.titles)
            used_chains.add(after.start)
        if len(words) < 2:
            continue
        if cand.titles or cand.honorific == "đồng chí" or cand.honorific == "đ/c" or cand.rank:
            cand.label = "OFFICIAL"
        elif cand.honorific:
            cand.label = "PERSON"
    # Officials of the article by full name; later mentions link to them.
    people: dict[str, dict[str, Any]] = {}
    for cand in candidates:
        if cand.label != "OFFICIAL":
            continue
        person = people.setdefault(
            cand.name.lower(),
            {"id": f"p{len(people) + 1}", "titles": [], "name": cand.name, "orgs": [], "province": None},
        )
        for title in cand.titles:
            if title.text not in person["titles"]:
                person["titles"].append(title.text)
            if title.org and title.org["norm"] not in person["orgs"]:
                person["orgs"].append(title.org["norm"])
        person["province"] = person["province"] or _title_province(cand.titles)
    given = {}
    for person in people.values():
        given.setdefault(person["name"].split(" ")[-1].lower(), []).append(person)
    out: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    persons: dict[str, str] = {}
    for cand in candidates:
        words = cand.name.split(" ")
        key = cand.name.lower()
        person = people.get(key)
        if person is None and len(words) == 1 and cand.honorific and len(given.get(key, [])) == 1:
            person = given[key][0]
        if person is not None:
            coref = person["id"] in seen_ids
            seen_ids.add(person["id"])
            titles = [t.text for t in cand.titles] or list(person["titles"])
            orgs_named = [t.org["norm"] for t in cand.titles if t.org] or list(person["orgs"])
            province = _title_province(cand.titles) or person["province"]
            out.append(
                {
                    "label": "OFFICIAL",
                    "start": cand.start,
                    "end": cand.end,
                    "text": text[cand.start : cand.end],
                    "norm": person["name"],
                    "attrs": {
                        "name": person["name"],
                        "titles": titles,
                        "honorific": cand.honorific,
                        "rank": cand.rank,
                        "orgs": orgs_named or None,
                        "province": province,
                        "person_id": person["id"],
                        "coref": True if coref or not cand.titles and person["titles"] else None,
                        "_title_objs": cand.titles,
                    },
                }
            )
        elif cand.label == "PERSON":
            pid = persons.setdefault(key, f"c{len(persons) + 1}")
            out.append(
                {
                    "label": "PERSON",
                    "start": cand.start,
                    "end": cand.end,
                    "text": text[cand.start : cand.end],
                    "norm": cand.name,
                    "attrs": {"name": cand.name, "honorific": cand.honorific, "person_id": pid},
                }
            )
    _title_only_mentions(text, chains, used_chains, out)
    for record in out:
        record["attrs"].pop("_title_objs", None)
        record["attrs"] = {k: v for k, v in record["attrs"].items() if v is not None}
    return out


def _title_province(titles: list[Title]) -> str | None:
    """The province the first title pointing at one states (its ORG's or its place's)."""
    for title in titles:
        if title.org and title.org["attrs"].get("province"):
            return title.org["attrs"]["province"]
        if title.place is not None:
            if title.place["label"] == "PROVINCE":
                return title.place["norm"]
            if title.place["attrs"].get("province"):
                return title.place["attrs"]["province"]
    return None


def _title_only_mentions(text: str, chains: list[_Chain], used: set[int], out: list[dict[str, Any]]) -> None:
    """ "Đồng chí Phó Chủ tịch UBND tỉnh phát biểu": link to the one official with that title."""
    holders: dict[str, set[str]] = {}
    first_record: dict[str, dict[str, Any]] = {}
    for record in out:
        if record["label"] != "OFFICIAL":
            continue
        first_record.setdefault(record["attrs"]["person_id"], record)
        for title in record["attrs"].get("_title_objs", []):
            holders.setdefault(title.key, set()).add(record["attrs"]["person_id"])
    for chain in chains:
        if chain.start in used:
            continue
        honorific, _, _ = _honorifics_before(text, chain.start)
        if honorific is None:
            continue
        ids = holders.get(chain.titles[0].key, set())
        if len(ids) == 1:
            (pid,) = ids
            first_record[pid]["attrs"].setdefault("title_mentions", []).append([chain.start, chain.end])


class OfficialTagger:
    """spaCy component: AUTHOR, then OFFICIAL and PERSON records."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        _title_re(), _honorific_before_re(), _byline_stoplist()

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        emit(doc, find_authors(text))
        emit(doc, find_people(text, list(doc._.entities or [])))
        sync_spans(doc)
        return doc


@Language.factory("cchc_officials")
def make_official_tagger(nlp: Language, name: str) -> OfficialTagger:
    return OfficialTagger(nlp, name)
