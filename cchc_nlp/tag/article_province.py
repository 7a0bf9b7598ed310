"""The province an article is about (component "cchc_article_province", last of the taggers).

Evidence, strongest first (weights in `WEIGHTS`):

* the source: doc._.meta["url"] or ["source"] through data/tag/domains.csv
  (vinhlong.gov.vn, baosoctrang.org.vn, baodongkhoi.vn = Bến Tre, ...);
* a dateline tag opening a paragraph ("STO -", "BDK.VN -", "(QNP) -"; data/tag/source_tags.csv)
  or a source domain written in the text ("(Vinhlong.gov.vn)", 'Nguồn tin "hanamtv.vn"');
* PROVINCE mentions (more weight in the first 400 characters: headline and lead), and
  districts/communes whose province is certain ("huyện Mỹ Xuyên" -> Sóc Trăng,
  "TP. Phủ Lý" -> Hà Nam).

The province with the highest total wins (ties: the one with the strongest single piece
of evidence, then the first mentioned). Nothing supports a province -> None: people's
names are never evidence. A national or multi-province story -> None too: the text names
three provinces or more, none of them twice as often as each other one (three times when
it names five or more: a national ranking names its leader in the headline too), and neither the
source, a dateline tag nor a domain names one (tests/gold/README.md, "Round 2").

doc._.province = {"name", "code", "successor", "successor_code", "mentioned", "score",
"evidence": ["domain:baosoctrang.org.vn", "tag:STO", "text:tỉnh Sóc Trăng", ...]}, with
`name` the unit valid at the article date (doc._.published or the page dateline).

Then the article province fills what the text left implicit: ORGs at province level
without a place ("UBND tỉnh", "Sở Nội vụ", "Tỉnh ủy") get attrs province/province_code with
province_source "article" and a completed norm ("UBND tỉnh Vĩnh Long"); district- and
commune-level ORGs and local bodies written without a place ("Trung tâm Phục vụ hành
chính công") get the province (norm unchanged); officials whose titles point at those ORGs get the
province; districts and communes still ambiguous are settled when the article province
is one of their candidates. Finally doc.spans["entities"] and doc.ents are rebuilt.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from cchc_nlp.ingest.urls import site_host
from cchc_nlp.tag import gazetteer as gz
from cchc_nlp.tag._common import article_date, doc_text, release_caches, sync_spans
from cchc_nlp.tag.places import find_places, resolve_ambiguous_places

__all__ = ["article_province", "ArticleProvinceTagger", "WEIGHTS"]

WEIGHTS = {"source": 10.0, "tag": 8.0, "domain": 8.0, "text": 1.0, "lead": 1.0, "district": 1.0, "commune": 0.5}
LEAD_CHARS = 400
MULTI_PROVINCE = 3  # a text naming this many provinces, none dominating, is about none of them
MANY_PROVINCES = 5  # ... and one naming this many needs a province three times as frequent as the next

_TAG_RE = re.compile(r"(?m)^[\s•*]*\(?(?P<tag>[A-ZĐ]{2,6}(?:\.[A-Z]{2,3})?)\)?\s*[-–—]")
_DOMAIN_RE = re.compile(
    r"(?<![\w@/-])(?P<domain>(?:[A-Za-z0-9-]+\.)+(?:gov\.vn|org\.vn|com\.vn|net\.vn|vn|com))(?![\w.-]*\w)",
)
_PROVINCE_LEVEL_KINDS = {"department", "party_committee", "party_office", "party_body"}
# Bodies without a written place that are local to the article's province.
_LOCAL_KINDS = {"service_center", "steering_committee", "office", "agency", "mass_org"}


def _central(name: str, day: str | None) -> bool:
    units = [u for u in gz.province_units() if u.name == name]
    if day:
        units = [u for u in units if u.valid_on(day)] or units
    return bool(units) and units[0].kind == "thành phố"


def article_province(doc: Doc) -> dict[str, Any] | None:
    """Score the province evidence of a tagged Doc; the winner as a dict, or None."""
    day = article_date(doc)
    scores: dict[str, float] = defaultdict(float)
    best_piece: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    evidence: dict[str, list[str]] = defaultdict(list)
    mentioned_as: dict[str, str] = {}

    def add(name: str | None, kind: str, detail: str, position: int, weight: float | None = None) -> None:
        if not name:
            return
        mentioned = name
        name = gz.resolve_province(name, day).name
        mentioned_as.setdefault(name, mentioned)
        value = WEIGHTS[kind] if weight is None else weight
        scores[name] += value
        best_piece[name] = max(best_piece[name], value)
        first_seen.setdefault(name, position)
        if len(evidence[name]) < 12:
            evidence[name].append(f"{kind}:{detail}")

    meta = doc._.meta or {}
    for key in ("url", "source"):
        value = meta.get(key)
        if not value:
            continue
        found = gz.province_for_url(value) if " " not in str(value).strip() else None
        if found is None:
            found = next((p["attrs"]["mentioned"] for p in find_places(str(value)) if p["label"] == "PROVINCE"), None)
        host = site_host(str(value)) if found and " " not in str(value).strip() else None
        add(found, "source", host or str(value), -1)
    text = doc_text(doc)
    for match in _TAG_RE.finditer(text):
        add(gz.province_for_tag(match.group("tag")), "tag", match.group("tag"), match.start())
    for match in _DOMAIN_RE.finditer(text):
        add(gz.province_for_domain(match.group("domain")), "domain", match.group("domain").lower(), match.start())
    text_mentions: dict[str, int] = defaultdict(int)
    for record in doc._.entities or []:
        label, attrs = record["label"], record["attrs"]
        if label == "PROVINCE":
            add(attrs.get("mentioned"), "text", record["text"], record["start"])
            if attrs.get("mentioned"):
                text_mentions[gz.resolve_province(attrs["mentioned"], day).name] += 1
            if record["start"] < LEAD_CHARS:
                add(attrs.get("mentioned"), "lead", record["text"], record["start"])
        elif label in ("DISTRICT", "COMMUNE") and attrs.get("province") and attrs.get("province_source") != "article":
            add(attrs["province"], label.lower(), record["text"], record["start"])
    if not scores:
        return None
    winner = max(scores, key=lambda n: (scores[n], best_piece[n], -first_seen[n]))
    if _several_provinces(text_mentions, winner, best_piece[winner]):
        return None
    ref = gz.resolve_province(mentioned_as[winner], day)
    return {
        "name": ref.name,
        "code": ref.code,
        "successor": ref.successor,
        "successor_code": ref.successor_code,
        "mentioned": ref.mentioned,
        "score": round(scores[winner], 2),
        "evidence": evidence[winner],
    }


def _several_provinces(text_mentions: dict[str, int], winner: str, strongest: float) -> bool:
    """A national or multi-province story: the text names MULTI_PROVINCE provinces or more,
    none of them at least twice (three times from MANY_PROVINCES) as often as each other
    one, and no source, dateline tag or
    domain points to one (a national PAR INDEX announcement, a ministry's regional
    conference, a comparison of cities)."""
    if len(text_mentions) < MULTI_PROVINCE or strongest > WEIGHTS["text"] + WEIGHTS["lead"]:
        return False
    counts = sorted(text_mentions.values(), reverse=True)
    # a long list (a national ranking) may name the leader twice, in the headline too
    dominance = 3 if len(text_mentions) >= MANY_PROVINCES else 2
    return text_mentions.get(winner, 0) < dominance * counts[1]


def _fill_orgs(doc: Doc, province: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Give province-less ORGs the article province; old norm -> (new norm, province)."""
    day = article_date(doc)
    renamed: dict[str, tuple[str, str]] = {}
    name, code = province["name"], province["code"]
    unit = "thành phố" if _central(name, day) else "tỉnh"
    for record in doc._.entities or []:
        attrs = record["attrs"]
        if record["label"] != "ORG" or attrs.get("province") or attrs.get("level") == "trung ương":
            continue
        if attrs.get("level") is None and attrs.get("kind") not in _LOCAL_KINDS:
            continue
        old = record["norm"]
        attrs.update(province=name, province_code=code, province_source="article")
        if attrs.get("level") == "tỉnh":
            if re.search(r" (?:tỉnh|thành phố)$", old):
                record["norm"] = f"{old} {name}"
            elif attrs.get("kind") in _PROVINCE_LEVEL_KINDS and old == attrs.get("head"):
                record["norm"] = f"{old} {name}" if attrs["kind"] != "department" else f"{old} {unit} {name}"
        renamed[old] = (record["norm"], name)
    return renamed


def _fill_officials(doc: Doc, renamed: dict[str, tuple[str, str]]) -> None:
    for record in doc._.entities or []:
        if record["label"] != "OFFICIAL":
            continue
        attrs = record["attrs"]
        orgs = attrs.get("orgs") or []
        attrs_orgs = [renamed.get(o, (o, None))[0] for o in orgs]
        if orgs:
            attrs["orgs"] = attrs_orgs
        if not attrs.get("province"):
            province = next((renamed[o][1] for o in orgs if o in renamed), None)
            if province:
                attrs["province"] = province
                attrs["province_source"] = "article"


class ArticleProvinceTagger:
    """spaCy component: doc._.province, then province back-filling; rebuilds the spans."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        province = article_province(doc)
        doc._.province = province
        if province is not None:
            resolve_ambiguous_places(doc, province["name"])
            _fill_officials(doc, _fill_orgs(doc, province))
        sync_spans(doc)
        release_caches(doc)
        return doc


@Language.factory("cchc_article_province")
def make_article_province_tagger(nlp: Language, name: str) -> ArticleProvinceTagger:
    return ArticleProvinceTagger(nlp, name)
