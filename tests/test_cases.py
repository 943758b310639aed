"""The worked examples of tests/cases/*.yaml, through the one-quote path."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from yibao.errors import InputError
from yibao.quoting.answers import quote
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.registry import RULES

from .conftest import load_cases

CASES = load_cases()


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_worked_example(case_id: str, case: dict[str, Any]) -> None:
    expected = dict(case["expected"])
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            quote(case["input"])
        assert caught.value.code == expected["error"]["code"]
        assert caught.value.field == expected["error"]["field"]
        assert caught.value.message and caught.value.message_en
        return
    result = quote(case["input"])
    if "rules" in expected:
        assert [r["id"] for r in result["rules"]] == expected.pop("rules")
    if "warnings" in expected:
        assert result["warning_codes"] == expected.pop("warnings")
    for key, value in expected.items():
        assert result[key] == value, f"{case_id}: {key}"
    for rule in result["rules"]:
        assert rule["source"] and rule["text"] and rule["plain"] and rule["text_en"], rule


@cache
def _produced() -> tuple[set[str], set[str]]:
    """Rule IDs and convention IDs that the worked examples' answers actually carry."""
    rules: set[str] = set()
    conventions: set[str] = set()
    for _, case in CASES:
        if "error" in case["expected"]:
            continue
        result = quote(case["input"])
        rules.update(r["id"] for r in result["rules"])
        rules.add(result["main_rule"])
        conventions.update(c["id"] for c in result["conventions"])
    return rules, conventions


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_is_produced_by_a_worked_example(rule_id: str) -> None:
    assert rule_id in _produced()[0]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_decides_a_worked_example(convention: str) -> None:
    assert convention in _produced()[1]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_is_named_by_a_worked_example(convention: str) -> None:
    named = {c for _, case in CASES for c in case.get("covers", [])}
    assert convention in named
