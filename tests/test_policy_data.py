"""The policy data files: every value dated and cited, no overlapping ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yibao.errors import PolicyDataError
from yibao.policy.files import load_policy, parameter_texts, parse_parameter_file

REGIONS = {"000000", "450000", "450800", "450802"}


def test_shipped_files_load_and_resolve() -> None:
    policy = load_policy()
    assert policy.resolve("individual_share", "450802", 2021).value == 28000  # type: ignore[union-attr]
    found = policy.resolve("fiscal_subsidy", "450881", 2021)
    assert found is not None and not found.published and "待定" in found.source
    assert policy.resolve("waiting_regime", "450202", 2025).value == "new"  # type: ignore[union-attr]
    assert policy.resolve("waiting_regime", "450202", 2024).value == "old"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(parameter_texts()))
def test_every_value_has_a_date_and_a_source(name: str) -> None:
    for entry in parse_parameter_file(name, parameter_texts()[name], set(load_policy().regions)):
        assert entry.valid_from <= entry.valid_to
        assert len(entry.source) > 5


@pytest.mark.parametrize("name", sorted(parameter_texts()))
def test_sources_name_documents_by_title_never_by_file_name(name: str) -> None:
    text = parameter_texts()[name]
    assert ".txt" not in text and "seed 00" not in text and "docs/rules.md" not in text
    for entry in parse_parameter_file(name, text, set(load_policy().regions)):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.source), entry  # in Chinese


def _file(values: str) -> str:
    return f"description: test\nunit: fen\nvalues:\n{values}"


@pytest.mark.parametrize(("text", "code"), [
    (_file('  "450800":\n    - {from: 2021-01-01, to: 2021-12-31, value: 28000}\n'),
     "policy_no_source"),
    (_file('  "450800":\n    - {to: 2021-12-31, value: 28000, source: "seed 000"}\n'),
     "policy_date"),
    (_file('  "450800":\n    - {from: 2021-01-01, to: 2021-12-31, value: 28000, source: ""}\n'),
     "policy_no_source"),
    (_file('  "450800":\n    - {from: 2021-01-01, to: 2021-12-31, value: 28000, source: "seed 000"}\n'
           '    - {from: 2021-06-01, to: 2022-12-31, value: 32000, source: "seed 000"}\n'),
     "policy_overlap"),
    (_file('  "450800":\n    - {from: 2021-01-01, to: 2021-12-31, value: null, source: "seed 000"}\n'),
     "policy_file_invalid"),
    (_file('  "450800":\n    - {from: 2021-01-01, to: 2021-12-31, value: 1.5, source: "seed 000"}\n'),
     "policy_value"),
    (_file('  "999999":\n    - {from: 2021-01-01, to: 2021-12-31, value: 1, source: "seed 000"}\n'),
     "policy_region"),
])
def test_bad_parameter_files_are_rejected(text: str, code: str) -> None:
    with pytest.raises(PolicyDataError) as caught:
        parse_parameter_file("individual_share", text, REGIONS)
    assert caught.value.code == code
    assert "individual_share" in caught.value.message_en
    assert "individual_share" in caught.value.message


def test_unpublished_entries_stop_the_walk_up_the_region_tree() -> None:
    policy = load_policy()
    assert policy.resolve("fiscal_subsidy", "450802", 2021).region == "450800"  # type: ignore[union-attr]
    assert policy.resolve("individual_share", "450202", 2021).published is False  # type: ignore[union-attr]


@pytest.mark.parametrize(("region", "year", "monthly"), [
    ("210600", 2024, "286.17"),  # seed 001: 5203 × 5.5% = 286.17
    ("210600", 2025, "372.64"),  # 5480 × 6.8%
    ("210200", 2025, "499.59"),  # 8190 × (5.8% + 0.3%)
])
def test_flexible_employment_contribution(region: str, year: int, monthly: str) -> None:
    from yibao.quoting.answers import flexible_employment

    assert flexible_employment(region, year)["monthly"] == monthly


def test_region_notes_come_with_the_answer() -> None:
    """What yibao does not compute is a cited note on its region (issue 18, item 6)."""
    from yibao.quoting.answers import quote

    def notes(region: str) -> list[dict[str, str]]:
        answer = quote({"region": region, "coverage_year": 2025, "payment_date": "2024-10-01"})
        return answer["notes"]  # type: ignore[no-any-return]

    expected = {"450200": "便民服务中心", "450500": "统筹账户余额不会清零", "450600": "灵活就业人员身份",
                "445200": "统筹账户余额不会清零", "460100": "男满30年", "411700": "50%",
                "419001": "最多绑定5个家庭成员", "630000": "已报户口", "445100": "粤医保",
                "450400": "退役士兵"}
    for region, words in expected.items():
        found = [n for n in notes(region) if words in n["text"]]
        assert found, region
        assert all("《" in n["source"] for n in found)
    jieyang = quote({"region": "445200", "coverage_year": 2025, "payment_date": "2024-10-01"})
    assert jieyang["amount_due"] is None and "individual_share" in jieyang["missing"]
    assert jieyang["benefit_start"] == "2025-01-01"


def test_every_pack_names_its_documents_and_stays_in_its_region() -> None:
    from yibao.policy.packs import pack_files, packs

    policy = load_policy()
    assert {p.code for p in packs()} == {
        "450800", "450200", "450300", "450400", "450500", "450600", "445300", "445100",
        "445200", "630000", "210000", "210600", "210200", "411700", "419001", "460100"}
    for item in pack_files():
        assert item.pack.documents and all("《" in d for d in item.pack.documents)
        titles = [re.findall(r"《([^》]+)》", d)[-1] for d in item.pack.documents]
        for entry in parse_parameter_file(item.parameter, item.text, set(policy.regions)):
            assert item.pack.code in policy.chain(entry.region), item.where
            assert any(title in entry.source for title in titles), (item.where, entry.source)


def test_a_pack_value_outside_its_region_is_refused() -> None:
    """A pack may only speak for its own region: Yunfu's pack cannot set Liuzhou's figure."""
    from yibao.policy import files, packs

    pack = packs.Pack("445300-yunfu", "445300", "云浮市", ("《测试》",), ())
    bad = packs.PackFile(pack, "individual_share",
                         'description: x\nunit: fen\nvalues:\n  "450200":\n'
                         '    - {from: 2025-01-01, to: 2025-12-31, value: 1, source: "《测试》 来源"}\n')
    with pytest.raises(PolicyDataError) as caught:
        files._pack_entries({"445300", "450200", "450000", "440000", "000000"}, (bad,))
    assert caught.value.code == "policy_region" and "445300" in caught.value.message
    assert "policy/regions/445300-yunfu/individual_share.yaml" in caught.value.message_en


@pytest.mark.parametrize(("unit", "value", "fits"), [
    ("waiting", {"fixed_months": 0, "fixed_days": 90, "variable_months_per_lapse_year": 1,
                 "repair_months_per_back_paid_year": 1, "repair_floor_months": 6,
                 "repair_floor_from_lapse_years": 4, "count_from_next_month": False}, True),
    ("waiting", {"fixed_months": 3, "fixed_days": 90, "variable_months_per_lapse_year": 1,
                 "repair_months_per_back_paid_year": 1, "repair_floor_months": 6,
                 "repair_floor_from_lapse_years": 4, "count_from_next_month": False}, False),
    ("period", {"birth_year": True}, True),
    ("period", {"birth_year": True, "days": 3}, False),
    ("status_exemption", {"kinds": ["discharged_veteran"], "window": {"months": 3}}, True),
    ("status_exemption", {"kinds": ["graduated"], "window": {"months": 3}}, False),
    ("lapse_restart", {"benefits_stop": "next_month", "over_months": 3, "start_month": 3}, True),
    ("lapse_restart", {"benefits_stop": "someday", "over_months": 3, "start_month": 3}, False),
    ("child_enrolment", {"concentrated_period_only": True, "under_age": 18}, True),
    ("child_enrolment", {"concentrated_period_only": "yes", "under_age": 18}, False),
    ("incentive", {"after_years": 4, "rise_per_year": 200000, "zero_claim_rise": 200000,
                   "max_percent_of_base": 20}, True),
    ("incentive", {"after_years": 4, "rise_per_year": 2000.5, "zero_claim_rise": 0,
                   "max_percent_of_base": 20}, False),
    ("online_window", {"opens": "2024-07-01", "closes": "2025-06-30",
                       "near_retirement": {"female": 55, "male": 60}, "near_months": 12}, True),
    ("online_window", {"opens": "2025-07-01", "closes": "2025-06-30",
                       "near_retirement": {"female": 55, "male": 60}, "near_months": 12}, False),
])
def test_the_units_of_the_regional_variants_are_checked(unit: str, value: object, fits: bool) -> None:
    from yibao.rules.units import check_unit

    assert check_unit(unit, value) is fits


def test_an_overlay_in_the_shipped_format_replaces_a_pack_value(tmp_path: Path) -> None:
    """Contract §5 holds for values shipped in packs: a published folder overrides them."""
    from yibao.policy.files import policy_with

    folder = tmp_path / "pub"
    folder.mkdir()
    (folder / "waiting_periods.yaml").write_text(
        'description: 待遇等待期\nunit: waiting\nvalues:\n  "445200":\n'
        '    - {from: 2026-01-01, to: 2026-12-31, value: {fixed_months: 3, '
        'variable_months_per_lapse_year: 1, repair_months_per_back_paid_year: 1, '
        'repair_floor_months: 6, repair_floor_from_lapse_years: 4, count_from_next_month: false}, '
        'source: "揭阳2026年通知 (测试用)"}\n', encoding="utf-8")
    policy = policy_with(folder)
    assert policy.resolve("waiting_periods", "445200", 2026).value["fixed_months"] == 3  # type: ignore[union-attr]
    assert policy.resolve("waiting_periods", "445200", 2025).value["fixed_days"] == 90  # type: ignore[union-attr]
