"""Gazetteer: provinces by date, aliases, districts, communes, source domains."""

import csv

import pytest

from cchc_nlp.resources import data_path
from cchc_nlp.tag import gazetteer as gz


def test_63_and_34_units():
    assert len(gz.provinces_at("2020-01-01")) == 63
    assert len(gz.provinces_at("2025-08-01")) == 34
    assert len(gz.provinces_at()) == 63
    names_2024 = {u.name for u in gz.provinces_at("2024-06-01")}
    names_2025 = {u.name for u in gz.provinces_at("2025-03-01")}
    assert "Thừa Thiên Huế" in names_2024 and "Huế" not in names_2024
    assert "Huế" in names_2025 and "Thừa Thiên Huế" not in names_2025


def test_mapping_table_is_copied_verbatim_into_provinces():
    with data_path("tag/province_mapping_63_to_34.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 63
    for row in rows:
        ref = gz.province(row["old_short"], "2020-01-01")
        assert ref is not None and ref.code == row["old_code"], row
        assert ref.successor_code == row["new_code"]


@pytest.mark.parametrize(
    "text, day, name, code, successor, historical",
    [
        ("Sóc Trăng", "2019-05-31", "Sóc Trăng", "94", "Cần Thơ", False),
        ("Tỉnh Sóc Trăng", "2019-05-31", "Sóc Trăng", "94", "Cần Thơ", False),
        ("Sóc Trăng", "2025-08-01", "Cần Thơ", "92", "Cần Thơ", True),
        ("Sóc Trăng", None, "Sóc Trăng", "94", "Cần Thơ", False),
        ("Yên Bái", "2023-06-01", "Yên Bái", "15", "Lào Cai", False),
        ("Lào Cai", "2025-09-01", "Lào Cai", "15", "Lào Cai", False),
        ("Lào Cai", "2020-01-01", "Lào Cai", "10", "Lào Cai", False),
        ("TT-Huế", "2019-01-01", "Thừa Thiên Huế", "46", "Huế", False),
        ("Thừa Thiên - Huế", "2025-03-01", "Huế", "46", "Huế", True),
        ("Huế", "2019-01-01", "Thừa Thiên Huế", "46", "Huế", False),
        ("TP.HCM", "2020-01-01", "Hồ Chí Minh", "79", "Hồ Chí Minh", False),
        ("BR-VT", "2022-01-01", "Bà Rịa - Vũng Tàu", "77", "Hồ Chí Minh", False),
        ("Bà Rịa–Vũng Tàu", None, "Bà Rịa - Vũng Tàu", "77", "Hồ Chí Minh", False),
        ("Khánh Hoà", None, "Khánh Hòa", "56", "Khánh Hòa", False),
        ("Đắc Lắk", None, "Đắk Lắk", "66", "Đắk Lắk", False),
        ("Kontum", None, "Kon Tum", "62", "Quảng Ngãi", False),
        ("Vinh Long", None, "Vĩnh Long", "86", "Vĩnh Long", False),
        ("Quang Trung", None, None, None, None, None),
    ],
)
def test_province_lookup(text, day, name, code, successor, historical):
    ref = gz.province(text, day)
    if name is None:
        assert ref is None
        return
    assert (ref.name, ref.code, ref.successor, ref.historical) == (name, code, successor, historical)


def test_folded_aliases_only_unambiguous_multi_syllable():
    folded = gz.folded_province_aliases()
    assert folded["vinh long"] == "Vĩnh Long"
    assert folded["ha nam"] == "Hà Nam"
    assert all(" " in key for key in folded)
    # "Hồ Chí Minh" needs "TP."/"thành phố" before it, so its bare folded form is not an alias.
    assert "ho chi minh" not in folded


def test_districts_and_communes():
    (my_xuyen,) = gz.districts_named("Mỹ Xuyên")
    assert (my_xuyen.province, my_xuyen.kind) == ("Sóc Trăng", "huyện")
    assert {d.province for d in gz.districts_named("Phủ Lý")} == {"Hà Nam"}
    assert len({d.province for d in gz.districts_named("Châu Thành")}) > 3
    assert {d.province for d in gz.districts_named("Thủ Đức")} == {"Hồ Chí Minh"}  # historic quận + city
    communes = gz.communes_named("Tân Thành Bình")
    assert any(c.province == "Bến Tre" and c.era == "63" for c in communes)
    assert any(c.province == "Vĩnh Long" and c.era == "34" for c in communes)
    assert len(gz.district_names()) > 650


@pytest.mark.parametrize(
    "url, province",
    [
        ("https://vinhlong.gov.vn/a", "Vĩnh Long"),
        ("http://www.baosoctrang.org.vn/x.html", "Sóc Trăng"),
        ("https://baodongkhoi.vn/x", "Bến Tre"),
        ("hanamtv.vn", "Hà Nam"),
        ("Vinhlong.gov.vn", "Vĩnh Long"),
        ("https://sonoivu.yenbai.gov.vn:443/noidung", "Yên Bái"),
        ("http://m.baothainguyen.vn/tin", "Thái Nguyên"),
        ("https://example.com/", None),
        (None, None),
        ("", None),
    ],
)
def test_province_for_url(url, province):
    assert gz.province_for_url(url) == province


def test_every_province_has_a_portal_domain():
    portals = {
        row["province"]
        for row in csv.DictReader(data_path("tag/domains.csv").open(encoding="utf-8"))
        if row["kind"] == "portal"
    }
    assert {u.name for u in gz.provinces_at("2020-01-01")} <= portals


def test_source_tags():
    assert gz.province_for_tag("STO") == "Sóc Trăng"
    assert gz.province_for_tag("(BDK.VN)") == "Bến Tre"
    assert gz.province_for_tag("XYZ") is None


def test_every_alias_points_at_a_known_province():
    names = {u.name for u in gz.province_units()}
    assert all(name in names for name, _ in gz.province_aliases().values())
