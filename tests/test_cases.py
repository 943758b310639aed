"""The worked examples of tests/cases/*.yaml, through the one-quote path, and those of
tests/cases/flexible/ through ``yibao flexible-employment``'s answer."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from yibao.errors import InputError
from yibao.quoting.answers import flexible_employment, quote
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.registry import RULES

from .conftest import load_cases

CASES = load_cases()
FLEXIBLE = [(f"flexible/{path.stem}::{case['name']}", case)
            for path in sorted((Path(__file__).parent / "cases" / "flexible").glob("*.yaml"))
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _at(result: dict[str, Any], key: str) -> Any:
    """``result[key]``; a dotted key (``catastrophic_cover.rise``) walks into objects."""
    value: Any = result
    for part in key.split("."):
        value = value[part]
    return value


def _flexible(args: dict[str, Any]) -> dict[str, Any]:
    day = {k: date.fromisoformat(args[k]) if k in args else None for k in ("date", "birth_date")}
    return flexible_employment(args["region"], args.get("year"), on=day["date"],
                               birth_date=day["birth_date"], sex=args.get("sex"))


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
        assert _at(result, key) == value, f"{case_id}: {key}"
    for rule in result["rules"]:
        assert rule["source"] and rule["text"] and rule["plain"] and rule["text_en"], rule


@pytest.mark.parametrize(("case_id", "case"), FLEXIBLE, ids=[c[0] for c in FLEXIBLE])
def test_flexible_employment_worked_example(case_id: str, case: dict[str, Any]) -> None:
    expected = dict(case["expected"])
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            _flexible(case["input"])
        assert (caught.value.code, caught.value.field) == (expected["error"]["code"],
                                                           expected["error"]["field"])
        return
    result = _flexible(case["input"])
    for key, value in expected.items():
        assert _at(result, key) == value, f"{case_id}: {key}"
    if result["online"]["reason"] != "not_published":
        assert result["online"]["text"] and result["online"]["text_en"] and result["online"]["source"]


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
    for _, case in FLEXIBLE:
        if "error" not in case["expected"]:
            conventions.update(c["id"] for c in _flexible(case["input"])["online"]["conventions"])
    return rules, conventions


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_is_produced_by_a_worked_example(rule_id: str) -> None:
    assert rule_id in _produced()[0]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_decides_a_worked_example(convention: str) -> None:
    assert convention in _produced()[1]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_is_named_by_a_worked_example(convention: str) -> None:
    named = {c for _, case in (*CASES, *FLEXIBLE) for c in case.get("covers", [])}
    assert convention in named
