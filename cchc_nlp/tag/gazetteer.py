"""Administrative geography: the 63 provinces before 1 July 2025, the 34 after, districts,
communes, spellings and aliases, and the source-domain table.

All data comes from files in cchc_nlp/data/ (see the README there): provinces.csv,
province_aliases.csv, districts.csv, communes.csv, domains.csv, source_tags.csv.

Names are versioned by date. `province("Sóc Trăng", "2019-05-31")` is Sóc Trăng (code
94, successor Cần Thơ); the same name on "2025-08-01" resolves to Cần Thơ, the unit valid
then, with `mentioned="Sóc Trăng"` and `historical=True`. "Thừa Thiên Huế" became
"Huế" (same code 46) on 2025-01-01. Without a date a name stays the unit it names.

>>> province("Vĩnh Long", "2018-07-04").code
'86'
>>> province("TP.HCM").name
'Hồ Chí Minh'
>>> province("Sóc Trăng", "2019-05-31").successor
'Cần Thơ'
>>> province_for_url("https://baosoctrang.org.vn/a.html")
'Sóc Trăng'
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from cchc_nlp.errors import DataError
from cchc_nlp.ingest.urls import site_host
from cchc_nlp.resources import data_path, read_csv
from cchc_nlp.text.normalize import fold_diacritics, normalize_text
from cchc_nlp.timeutil import iso_date

__all__ = [
    "ProvinceUnit",
    "ProvinceRef",
    "District",
    "Commune",
    "MERGER_DATE",
    "PROVINCE_COLUMNS",
    "place_key",
    "normalized_place_key",
    "province",
    "province_columns",
    "province_names_in_order",
    "province_units",
    "provinces_at",
    "province_aliases",
    "folded_province_aliases",
    "districts_named",
    "communes_named",
    "district_names",
    "commune_names",
    "province_for_url",
    "province_for_domain",
    "province_for_tag",
    "publication_for_tag",
    "source_tags",
    "place_stoplist_phrases",
    "surnames",
    "read_phrase_list",
]

MERGER_DATE = "2025-07-01"

_KEY_SEP_RE = re.compile(r"[\s\-–—.]+")


def place_key(text: str) -> str:
    """Lookup key of a place name: NFC, lowercase, hyphens/dots/spaces collapsed.

    >>> place_key("Bà Rịa–Vũng Tàu") == place_key("bà rịa - vũng tàu")
    True
    """
    if isinstance(text, str):
        return _place_key(text)
    return _fast_key(normalize_text(text))


@lru_cache(maxsize=8192)
def _place_key(text: str) -> str:
    """place_key of a str, memoised: the metric rules look up the same names for every row."""
    return _fast_key(normalize_text(text))


def normalized_place_key(text: str) -> str:
    """place_key of text already normalized by cchc_nlp (a Doc's text, the data files)."""
    return _fast_key(text)


def _fast_key(text: str) -> str:
    return _KEY_SEP_RE.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class ProvinceUnit:
    """One row of provinces.csv: a province-level unit in one era."""

    code: str
    name: str
    full_name: str
    kind: str  # "tỉnh" | "thành phố"
    era: str  # "63" | "34"
    valid_from: str  # ISO date or "" (open)
    valid_to: str
    successor_code: str
    successor: str

    def valid_on(self, day: str) -> bool:
        return (not self.valid_from or self.valid_from <= day) and (not self.valid_to or day <= self.valid_to)

    @property
    def centrally_run(self) -> bool:
        return self.kind == "thành phố"


@dataclass(frozen=True)
class ProvinceRef:
    """A province mention resolved at a date.

    name/code: the unit valid at the date (or the mentioned unit when no date);
    mentioned: canonical name of the unit the text names; successor: its post-2025 unit;
    historical: the mentioned unit no longer existed at the date.
    """

    name: str
    code: str
    mentioned: str
    successor: str
    successor_code: str
    historical: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "code": self.code,
            "mentioned": self.mentioned,
            "successor": self.successor,
            "successor_code": self.successor_code,
            "historical": self.historical,
        }


@dataclass(frozen=True)
class District:
    province_code: str
    province: str  # pre-2025 province (short name)
    full_name: str
    name: str
    kind: str
    valid_from: str
    valid_to: str


@dataclass(frozen=True)
class Commune:
    province_code: str
    province: str
    district: str
    name: str
    kind: str
    era: str


@cache
def province_units() -> tuple[ProvinceUnit, ...]:
    """Every row of provinces.csv (63-era, 34-era, and Thừa Thiên Huế before 2025)."""
    units = tuple(ProvinceUnit(**row) for row in read_csv("tag/provinces.csv"))
    if sum(1 for u in units if u.era == "34") != 34:
        raise DataError("provinces.csv must list 34 units of era 34; regenerate it with tools/build_gazetteer.py")
    return units


@cache
def _units_by_name() -> dict[str, tuple[ProvinceUnit, ...]]:
    found: dict[str, list[ProvinceUnit]] = defaultdict(list)
    for unit in province_units():
        found[unit.name].append(unit)
    return {name: tuple(units) for name, units in found.items()}


def provinces_at(day: object = None) -> list[ProvinceUnit]:
    """The province-level units valid at a date (63 before 2025-07-01, 34 after)."""
    iso = iso_date(day, strict=False)
    if iso is None:
        return [u for u in province_units() if u.era == "63" and u.name != "Huế"]
    return [u for u in province_units() if u.valid_on(iso)]


@cache
def province_aliases() -> dict[str, tuple[str, bool]]:
    """place_key(alias) -> (canonical province name, needs a unit word before it).

    Canonical names and the full names ("Tỉnh Vĩnh Long") are included.
    """
    aliases: dict[str, tuple[str, bool]] = {}
    for unit in province_units():
        aliases.setdefault(place_key(unit.name), (unit.name, False))
        aliases.setdefault(place_key(unit.full_name), (unit.name, False))
    for row in read_csv("tag/province_aliases.csv"):
        name = normalize_text(row["name"])
        if name not in _units_by_name():
            raise DataError(f"province_aliases.csv: {row['alias']!r} points at unknown province {name!r}")
        aliases[place_key(row["alias"])] = (name, row["needs_unit"] == "true")
    return aliases


@cache
def folded_province_aliases() -> dict[str, str]:
    """Diacritic-free spellings that name exactly one province ("Vinh Long" -> "Vĩnh Long").

    Only multi-syllable names, and only when no other province or district folds to the
    same letters.
    """
    by_fold: dict[str, set[str]] = defaultdict(set)
    for key, (name, needs_unit) in province_aliases().items():
        if needs_unit or " " not in key:
            continue
        by_fold[fold_diacritics(key)].add(name)
    district_folds = defaultdict(set)
    for district in _districts():
        district_folds[fold_diacritics(_fast_key(district.name))].add(district.province)
    out = {}
    for folded, names in by_fold.items():
        if len(names) != 1:
            continue
        (name,) = names
        if district_folds.get(folded, {name}) - {name}:
            continue
        out[folded] = name
    return out


def province(text: str, day: object = None) -> ProvinceRef | None:
    """Resolve a province name or alias, as valid at `day` (ISO string or date).

    Returns None for names that are not province-level units.
    """
    found = province_aliases().get(place_key(text))
    if found is None:
        found_name = folded_province_aliases().get(fold_diacritics(place_key(text)))
        if found_name is None:
            return None
        found = (found_name, False)
    return resolve_province(found[0], day)


def resolve_province(name: str, day: object = None) -> ProvinceRef:
    """The canonical name of a mentioned province, as valid at `day`."""
    return _resolve_province(name, iso_date(day, strict=False))


@lru_cache(maxsize=4096)
def _resolve_province(name: str, iso: str | None) -> ProvinceRef:
    units = _units_by_name()[name]
    old = [u for u in units if u.era == "63"] or list(units)
    mentioned = old[0]
    if name == "Huế" and (iso is None or iso < "2025-01-01"):
        # Before 2025 "Huế" means the province Thừa Thiên Huế (its capital city is a district).
        mentioned = _units_by_name()["Thừa Thiên Huế"][0]
    if iso is None:
        return ProvinceRef(
            mentioned.name, mentioned.code, mentioned.name, mentioned.successor, mentioned.successor_code
        )
    # Same era and code: the unit itself, or its new name (Thừa Thiên Huế -> Huế in 2025).
    valid = [u for u in province_units() if u.code == mentioned.code and u.valid_on(iso) and u.era == mentioned.era]
    if valid:
        unit = valid[0]
        return ProvinceRef(
            unit.name,
            unit.code,
            mentioned.name,
            unit.successor,
            unit.successor_code,
            historical=unit.name != mentioned.name,
        )
    if iso >= MERGER_DATE:
        successor = next(u for u in province_units() if u.era == "34" and u.code == mentioned.successor_code)
        return ProvinceRef(
            successor.name,
            successor.code,
            mentioned.name,
            successor.name,
            successor.code,
            historical=successor.name != mentioned.name,
        )
    return ProvinceRef(mentioned.name, mentioned.code, mentioned.name, mentioned.successor, mentioned.successor_code)


PROVINCE_COLUMNS = ("province_code", "province_2025", "province_2025_code")


def province_columns(name: str | None, day: object = None) -> dict[str, str | None]:
    """The code of a province (as valid at `day`), its post-2025 successor and the
    successor's code, as table columns; None values for an unknown or missing name.

    >>> province_columns("Sóc Trăng", "2019-05-31")
    {'province_code': '94', 'province_2025': 'Cần Thơ', 'province_2025_code': '92'}
    >>> province_columns("Atlantis")["province_code"] is None
    True
    """
    ref = province(name, day) if name else None
    if ref is None:
        return dict.fromkeys(PROVINCE_COLUMNS)
    return {"province_code": ref.code, "province_2025": ref.successor, "province_2025_code": ref.successor_code}


@cache
def province_names_in_order() -> tuple[str, ...]:
    """Every province-level name (the 63, Huế, the 34) once, in the official order of codes
    (Quyết định 124/2004/QĐ-TTg, then 19/2025/QĐ-TTg for units named only after the merger)."""
    names: list[str] = []
    for unit in sorted(province_units(), key=lambda u: (u.code, u.era != "63", u.valid_from or "")):
        if unit.name not in names:
            names.append(unit.name)
    return tuple(names)


@cache
def _districts() -> tuple[District, ...]:
    return tuple(
        District(
            province_code=row["province_code"],
            province=row["province"],
            full_name=row["district"],
            name=row["name"],
            kind=row["kind"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
        )
        for row in read_csv("tag/districts.csv")
    )


@cache
def _districts_by_key() -> dict[str, tuple[District, ...]]:
    found: dict[str, list[District]] = defaultdict(list)
    for district in _districts():
        found[_fast_key(district.name)].append(district)
    return {key: tuple(values) for key, values in found.items()}


def districts_named(name: str, normalized: bool = False) -> tuple[District, ...]:
    """Pre-2025 districts with this name ("Châu Thành" has many), any unit kind.

    normalized: `name` is already cchc_nlp-normalized text (skips normalization).
    """
    return _districts_by_key().get(_fast_key(name) if normalized else place_key(name), ())


def district_names() -> frozenset[str]:
    """place_key of every known district name."""
    return frozenset(_districts_by_key())


@cache
def _communes_by_key() -> dict[str, tuple[Commune, ...]]:
    found: dict[str, list[Commune]] = defaultdict(list)
    for row in read_csv("tag/communes.csv"):
        commune = Commune(row["province_code"], row["province"], row["district"], row["name"], row["kind"], row["era"])
        found[_fast_key(commune.name)].append(commune)
    return {key: tuple(values) for key, values in found.items()}


def communes_named(name: str, normalized: bool = False) -> tuple[Commune, ...]:
    """Communes/wards/towns (pre- and post-2025) with this name."""
    return _communes_by_key().get(_fast_key(name) if normalized else place_key(name), ())


def commune_names() -> frozenset[str]:
    """place_key of every known commune-level name."""
    return frozenset(_communes_by_key())


@cache
def _domains() -> dict[str, str]:
    return {row["domain"].lower(): normalize_text(row["province"]) for row in read_csv("tag/domains.csv")}


def province_for_domain(host: str) -> str | None:
    """Province of a host name or any parent domain ("sonoivu.yenbai.gov.vn" -> Yên Bái)."""
    host = host.lower().strip().strip(".")
    if host.startswith("www."):
        host = host[4:]
    parts = host.split(".")
    table = _domains()
    for i in range(len(parts) - 1):
        found = table.get(".".join(parts[i:]))
        if found:
            return found
    return None


def province_for_url(url: str | None) -> str | None:
    """Canonical province name of a source URL's domain (data/tag/domains.csv), or None.

    Accepts a bare host ("baolamdong.vn") as well as a URL.
    """
    if not url:
        return None
    host = site_host(url)
    return province_for_domain(host) if host else None


@cache
def source_tags() -> dict[str, str]:
    """Dateline tag ("STO", "BDK.VN") -> province name."""
    return {row["tag"]: normalize_text(row["province"]) for row in read_csv("tag/source_tags.csv")}


@cache
def _tag_publications() -> dict[str, str]:
    return {
        row["tag"]: re.sub(r"\s*\([^)]*\)\s*$", "", normalize_text(row["publication"]))
        for row in read_csv("tag/source_tags.csv")
        if row.get("publication")
    }


def publication_for_tag(tag: str) -> str | None:
    """The publication of a newspaper dateline tag ("BDK.VN" -> "Báo Đồng Khởi"), or None."""
    return _tag_publications().get(tag.strip().strip("()").upper())


def province_for_tag(tag: str) -> str | None:
    """Province of a newspaper dateline tag, or None."""
    return source_tags().get(tag.strip().strip("()").upper())


def read_phrase_list(name: str) -> tuple[str, ...]:
    """Lines of a bundled one-phrase-per-line file, normalized, without blanks and # comments."""
    try:
        with data_path(name).open(encoding="utf-8") as handle:
            return tuple(
                normalize_text(line.strip()) for line in handle if line.strip() and not line.lstrip().startswith("#")
            )
    except FileNotFoundError:
        raise DataError(f"bundled data file {name} is missing; reinstall cchc-nlp") from None


@cache
def place_stoplist_phrases() -> tuple[str, ...]:
    """Phrases that contain a province name but are not a province (data/tag/place_stoplist.txt)."""
    return read_phrase_list("tag/place_stoplist.txt")


@cache
def surnames() -> frozenset[str]:
    """Vietnamese family names (data/tag/surnames.txt)."""
    return frozenset(read_phrase_list("tag/surnames.txt"))
