"""The policy data files: every value dated and cited, no overlapping ranges."""

from __future__ import annotations

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
    from yibao.quoting.answers import quote

    guilin = quote({"region": "450305", "coverage_year": 2025, "payment_date": "2025-03-01"})
    assert any("桂林" in n["text"] for n in guilin["notes"])
    jieyang = quote({"region": "445200", "coverage_year": 2025, "payment_date": "2024-10-01"})
    assert any("90天" in n["text"] for n in jieyang["notes"])
    assert jieyang["amount_due"] is None and "individual_share" in jieyang["missing"]
    assert jieyang["benefit_start"] == "2025-01-01"
