"""Regenerate the gazetteer tables provinces.csv, districts.csv and communes.csv.

Run from the repository root (needs the installed underthesea wheel, no network)::

    .venv/bin/python tools/build_gazetteer.py

Inputs:
* cchc_nlp/data/tag/province_mapping_63_to_34.csv: official 63 -> 34 mapping with GSO codes
  (copy of the project's reference table, see cchc_nlp/data/README.md);
* underthesea/address/data/mapping.json inside the installed underthesea wheel
  (vietnamadminunits 1.0.4): its ward_mapping rows give every pre-2025 ward with its old
  district, and the post-2025 wards;
* cchc_nlp/data/tag/districts_historic.csv: hand-listed districts abolished before 2025.

The outputs are committed; the tagger never reads underthesea's file at run time.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import underthesea

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cchc_nlp.text.normalize import normalize_text  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "cchc_nlp" / "data" / "tag"
MAPPING_JSON = Path(underthesea.__file__).parent / "address" / "data" / "mapping.json"

OLD_ERA_END = "2025-06-30"
NEW_ERA_START = "2025-07-01"
# Thừa Thiên Huế became the centrally-run Thành phố Huế on 2025-01-01 (same code 46).
HUE_CITY_START = "2025-01-01"

UNIT_KINDS = (
    ("Thành phố ", "thành phố"),
    ("Thị xã ", "thị xã"),
    ("Thị trấn ", "thị trấn"),
    ("Huyện ", "huyện"),
    ("Quận ", "quận"),
    ("Phường ", "phường"),
    ("Xã ", "xã"),
    ("Đặc khu ", "đặc khu"),
    ("Tỉnh ", "tỉnh"),
)


def split_unit(full: str) -> tuple[str, str]:
    """'Huyện Mỹ Xuyên' -> ('huyện', 'Mỹ Xuyên')."""
    full = normalize_text(full)
    for prefix, kind in UNIT_KINDS:
        if full.startswith(prefix):
            return kind, full[len(prefix) :]
    return "", full


def build_provinces(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        kind, _ = split_unit(row["old_name"])
        name = normalize_text(row["old_short"])
        valid_from = HUE_CITY_START if row["old_code"] == "46" else ""
        out.append(
            {
                "code": row["old_code"],
                "name": name,
                "full_name": normalize_text(row["old_name"]),
                "kind": kind,
                "era": "63",
                "valid_from": valid_from,
                "valid_to": OLD_ERA_END,
                "successor_code": row["new_code"],
                "successor": normalize_text(row["new_short"]),
            }
        )
        if row["old_code"] == "46":
            out.append(
                {
                    "code": "46",
                    "name": "Thừa Thiên Huế",
                    "full_name": "Tỉnh Thừa Thiên Huế",
                    "kind": "tỉnh",
                    "era": "63",
                    "valid_from": "",
                    "valid_to": "2024-12-31",
                    "successor_code": "46",
                    "successor": "Huế",
                }
            )
    seen = set()
    for row in rows:
        if row["new_code"] in seen:
            continue
        seen.add(row["new_code"])
        kind, _ = split_unit(row["new_name"])
        out.append(
            {
                "code": row["new_code"],
                "name": normalize_text(row["new_short"]),
                "full_name": normalize_text(row["new_name"]),
                "kind": kind,
                "era": "34",
                "valid_from": NEW_ERA_START,
                "valid_to": "",
                "successor_code": row["new_code"],
                "successor": normalize_text(row["new_short"]),
            }
        )
    return out


def build_districts(mapping: dict, short_by_full: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for ward in mapping["ward_mapping"]:
        province_full = normalize_text(ward["old_province"])
        district_full = normalize_text(ward["old_district"])
        if not district_full or (province_full, district_full) in seen:
            continue
        code, short = short_by_full[province_full]
        kind, name = split_unit(district_full)
        seen[(province_full, district_full)] = {
            "province_code": code,
            "province": short,
            "district": district_full,
            "name": name,
            "kind": kind,
            "valid_from": "",
            "valid_to": OLD_ERA_END,
            "source": "underthesea",
        }
    rows = sorted(seen.values(), key=lambda r: (r["province_code"], r["district"]))
    with (DATA / "districts_historic.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "province_code": row["province_code"],
                    "province": row["province"],
                    "district": row["district"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "valid_from": row["valid_from"],
                    "valid_to": row["valid_to"],
                    "source": "historic",
                }
            )
    return rows


def build_communes(
    mapping: dict, short_by_full: dict[str, tuple[str, str]], new_short_by_full: dict[str, tuple[str, str]]
) -> list[dict[str, str]]:
    old: dict[tuple[str, str, str], dict[str, str]] = {}
    new: dict[tuple[str, str], dict[str, str]] = {}
    for ward in mapping["ward_mapping"]:
        province_full = normalize_text(ward["old_province"])
        ward_full = normalize_text(ward["old_ward"])
        district_full = normalize_text(ward["old_district"])
        if ward_full and (province_full, district_full, ward_full) not in old:
            code, short = short_by_full[province_full]
            kind, name = split_unit(ward_full)
            old[(province_full, district_full, ward_full)] = {
                "province_code": code,
                "province": short,
                "district": split_unit(district_full)[1],
                "name": name,
                "kind": kind,
                "era": "63",
            }
        new_province = normalize_text(ward["new_province"])
        new_ward = normalize_text(ward["new_ward"])
        if new_ward and (new_province, new_ward) not in new:
            code, short = new_short_by_full[new_province]
            kind, name = split_unit(new_ward)
            new[(new_province, new_ward)] = {
                "province_code": code,
                "province": short,
                "district": "",
                "name": name,
                "kind": kind,
                "era": "34",
            }
    rows = sorted(old.values(), key=lambda r: (r["province_code"], r["district"], r["name"]))
    rows += sorted(new.values(), key=lambda r: (r["province_code"], r["name"]))
    return rows


def write_csv(name: str, rows: list[dict[str, str]]) -> None:
    with (DATA / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {name}: {len(rows)} rows")


def main() -> int:
    with (DATA / "province_mapping_63_to_34.csv").open(encoding="utf-8", newline="") as handle:
        mapping_rows = list(csv.DictReader(handle))
    if len(mapping_rows) != 63:
        raise SystemExit(f"province_mapping_63_to_34.csv has {len(mapping_rows)} rows, expected 63")
    mapping = json.loads(MAPPING_JSON.read_text(encoding="utf-8"))
    short_by_full = {
        normalize_text(v["name"]): (v["code"], normalize_text(v["short"]))
        for v in mapping["old_province_names"].values()
    }
    new_short_by_full = {
        normalize_text(v["name"]): (v["code"], normalize_text(v["short"])) for v in mapping["province_names"].values()
    }
    # The two sources must agree on the 63 old codes.
    ours = {row["old_code"] for row in mapping_rows}
    theirs = {code for code, _ in short_by_full.values()}
    if ours != theirs:
        raise SystemExit(f"province codes disagree with underthesea: {sorted(ours ^ theirs)}")
    write_csv("provinces.csv", build_provinces(mapping_rows))
    write_csv("districts.csv", build_districts(mapping, short_by_full))
    write_csv("communes.csv", build_communes(mapping, short_by_full, new_short_by_full))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
