"""policy/regions.yaml: a consistent GB/T 2260 tree covering all of Guangxi."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest
import yaml

from yibao.policy.reference_data import load_regions, region_chain

RAW: dict[str, Any] = yaml.safe_load(
    (files("yibao") / "policy" / "regions.yaml").read_text(encoding="utf-8")
)
ROWS: list[dict[str, Any]] = RAW["regions"]
LEVELS = ["national", "province", "city", "county"]

GUIGANG = {
    "450802": "港北区",
    "450803": "港南区",
    "450804": "覃塘区",
    "450821": "平南县",
    "450881": "桂平市",
}
LIUZHOU = {
    "450202": "城中区",
    "450203": "鱼峰区",
    "450204": "柳南区",
    "450205": "柳北区",
    "450206": "柳江区",
    "450222": "柳城县",
    "450223": "鹿寨县",
    "450224": "融安县",
    "450225": "融水苗族自治县",
    "450226": "三江侗族自治县",
}
CITIES = {
    "450100": "南宁市",
    "450200": "柳州市",
    "450300": "桂林市",
    "450400": "梧州市",
    "450500": "北海市",
    "450600": "防城港市",
    "450700": "钦州市",
    "450800": "贵港市",
    "450900": "玉林市",
    "451000": "百色市",
    "451100": "贺州市",
    "451200": "河池市",
    "451300": "来宾市",
    "451400": "崇左市",
}
# County-level units per city in the 2021 code table (111 in all).
COUNTIES_PER_CITY = {
    "450100": 12, "450200": 10, "450300": 17, "450400": 7, "450500": 4, "450600": 4,
    "450700": 4, "450800": 5, "450900": 7, "451000": 12, "451100": 5, "451200": 11,
    "451300": 6, "451400": 7,
}  # fmt: skip


def test_source_named() -> None:
    assert "GB/T 2260" in RAW["source"]


def test_rows_have_exactly_the_four_keys() -> None:
    for row in ROWS:
        assert set(row) == {"code", "name", "parent", "level"}, row


def test_codes_unique_and_six_digits() -> None:
    codes = [r["code"] for r in ROWS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert isinstance(code, str) and len(code) == 6 and code.isdigit(), code


def test_parent_exists_one_level_up_and_prefix_agrees() -> None:
    regions = load_regions()
    for code, region in regions.items():
        if region.level == "national":
            assert region.parent is None and code == "000000"
            continue
        assert region.parent is not None and region.parent in regions, code
        parent = regions[region.parent]
        assert LEVELS.index(parent.level) == LEVELS.index(region.level) - 1, code
        if region.level == "province":
            assert code.endswith("0000")
        elif region.level == "city":
            assert code.endswith("00") and not code.endswith("0000")
            assert code[:2] == parent.code[:2]
        else:
            assert not code.endswith("00")
            assert code[:4] == parent.code[:4]


def test_roots() -> None:
    regions = load_regions()
    assert regions["000000"].name == "中华人民共和国"
    assert regions["450000"].name == "广西壮族自治区"
    assert regions["450000"].parent == "000000"
    assert regions["630000"].name == "青海省"
    assert regions["630000"].level == "province"


def test_fourteen_cities() -> None:
    regions = load_regions()
    cities = {c: r.name for c, r in regions.items() if r.level == "city" and r.parent == "450000"}
    assert cities == CITIES


@pytest.mark.parametrize("expected", [GUIGANG, LIUZHOU])
def test_guigang_and_liuzhou_units(expected: dict[str, str]) -> None:
    regions = load_regions()
    for code, name in expected.items():
        assert regions[code].name == name
        assert regions[code].level == "county"
    parent = next(iter(expected))[:4] + "00"
    assert {c for c, r in regions.items() if r.parent == parent} == set(expected)


def test_guangxi_county_count() -> None:
    regions = load_regions()
    counties = [r for r in regions.values() if r.level == "county" and r.code.startswith("45")]
    assert len(counties) == 111
    per_city = {c: sum(1 for r in counties if r.parent == c) for c in CITIES}
    assert per_city == COUNTIES_PER_CITY


def test_chain_walks_to_national() -> None:
    assert region_chain("450881") == ("450881", "450800", "450000", "000000")
    assert region_chain("630000") == ("630000", "000000")


# The regions the requirement documents name beyond Guangxi come with their packs
# (policy/regions/<code>-<name>/region.yaml): the city and its county-level units in the
# 2021 code table (Qinghai: its 8 prefecture-level units and 44 county-level units).
NAMED = {
    "445300": ("云浮市", 5), "445100": ("潮州市", 3), "445200": ("揭阳市", 5),
    "210600": ("丹东市", 6), "210200": ("大连市", 10), "411700": ("驻马店市", 10),
    "460100": ("海口市", 4), "419000": ("省直辖县级行政区划", 1),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(NAMED))
def test_named_cities_come_with_their_counties(code: str) -> None:
    regions = load_regions()
    name, counties = NAMED[code]
    assert regions[code].name == name and regions[code].level == "city"
    assert sum(1 for r in regions.values() if r.parent == code and r.level == "county") == counties


def test_qinghai_comes_with_its_prefectures_and_counties() -> None:
    regions = load_regions()
    cities = [r for r in regions.values() if r.parent == "630000"]
    counties = [r for r in regions.values() if r.parent in {c.code for c in cities}]
    assert len(cities) == 8 and len(counties) == 44
    assert region_chain("632801") == ("632801", "632800", "630000", "000000")  # 格尔木市


def test_pack_rows_have_the_four_keys_and_no_code_twice() -> None:
    from yibao.policy.packs import pack_region_rows

    rows = pack_region_rows()
    codes = [r.code for r in rows] + [r["code"] for r in ROWS]
    assert len(codes) == len(set(codes))
    assert {"445302", "419001", "630102"} <= set(codes)
