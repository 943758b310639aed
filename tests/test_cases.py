"""The worked examples of tests/cases/*.yaml, through the one-quote path; those of
tests/cases/flexible/ through ``yibao flexible-employment``'s answer; the registry's
conventions (tests/cases/registry/*.yaml) through the functions that apply them."""

from __future__ import annotations

import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from yibao.errors import InputError
from yibao.policy.files import policy_with
from yibao.quoting.answers import answer, flexible_employment, payment_ceiling, quote
from yibao.rules.answer_json import quote_to_contract
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.money import fen_to_yuan
from yibao.rules.policy import Policy
from yibao.rules.registry import RULES

from .conftest import CASES_DIR, load_cases

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


REGISTRY_CASES = [(f"{path.stem}::{case['name']}", case)
                  for path in sorted((CASES_DIR / "registry").glob("*.yaml"))
                  for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
#: keys whose expected value lists only what the case pins (``text_has``: words in ``text``)
PARTIAL = ("next_step", "benefit_start_reason")


@cache
def _overlay(files: tuple[tuple[str, str], ...]) -> Policy:
    """The shipped policy with a case's test files laid over it (never a shipped figure)."""
    folder = Path(tempfile.mkdtemp(prefix="yibao-case-policy-"))
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
    return policy_with(folder)


def _policy(case: dict[str, Any]) -> Policy | None:
    files = case.get("policy")
    return _overlay(tuple(sorted(files.items()))) if files else None


def _partial(case_id: str, key: str, got: dict[str, Any] | None, want: dict[str, Any] | None
             ) -> None:
    if want is None or got is None:
        assert got == want, f"{case_id}: {key}"
        return
    for name, value in want.items():
        if name == "text_has":
            for words in value:
                assert words in got["text"], f"{case_id}: {key}.text lacks {words!r}: {got['text']}"
        else:
            assert got[name] == value, f"{case_id}: {key}.{name}"


def _check(case_id: str, result: dict[str, Any], expected: dict[str, Any]) -> None:
    expected = dict(expected)
    if "rules" in expected:
        assert [r["id"] for r in result["rules"]] == expected.pop("rules")
    if "warnings" in expected:
        assert result["warning_codes"] == expected.pop("warnings")
    if "conventions_include" in expected:
        ids = {c["id"] for c in result["conventions"]}
        assert set(expected.pop("conventions_include")) <= ids
    for key in PARTIAL:
        if key in expected:
            _partial(case_id, key, result[key], expected.pop(key))
    for key, value in expected.items():
        assert _at(result, key) == value, f"{case_id}: {key}"


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_worked_example(case_id: str, case: dict[str, Any]) -> None:
    expected = dict(case["expected"])
    if "error" in expected:
        with pytest.raises(InputError) as caught:
            quote(case["input"], policy=_policy(case))
        assert caught.value.code == expected["error"]["code"]
        assert caught.value.field == expected["error"]["field"]
        assert caught.value.message and caught.value.message_en
        return
    result = quote(case["input"], policy=_policy(case))
    _check(case_id, result, expected)
    for rule in result["rules"]:
        assert rule["source"] and rule["text"] and rule["plain"] and rule["text_en"], rule
    step = result["next_step"]
    assert step["text"] and step["text_en"] and step["code"] in (
        "pay_this_year", "pay_next_year", "wait_for_next_period", "nothing_to_pay")


def _registry_answer(case: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What a registry case's function answers, and the conventions that decided it."""
    data = case["input"]
    if case["kind"] == "payment_ceiling":
        ceiling = payment_ceiling(data["region"], data["coverage_year"], data["back_pay_years"])
        return ({"ceiling": fen_to_yuan(ceiling.fen), "conventions": list(ceiling.conventions)},
                set(ceiling.conventions))
    from yibao.services.registry.history import History
    from yibao.services.registry.quotes import mark_unknown

    h = data["history"]
    history = History(known=h["known"], before=frozenset(h["before"]), paid=frozenset(h["paid"]))
    request = dict(data["quote"])
    covered, unknown = history.for_quote(request["coverage_year"], None)
    if covered is not None:
        request["covered_years"] = covered
    typed = answer(request)
    result = quote_to_contract(mark_unknown(typed) if unknown else typed)
    result["covered_years"] = covered
    return result, {c["id"] for c in result["conventions"]}


@pytest.mark.parametrize(("case_id", "case"), REGISTRY_CASES, ids=[c[0] for c in REGISTRY_CASES])
def test_registry_worked_example(case_id: str, case: dict[str, Any]) -> None:
    result, _ = _registry_answer(case)
    _check(case_id, result, case["expected"])


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
        result = quote(case["input"], policy=_policy(case))
        rules.update(r["id"] for r in result["rules"])
        rules.add(result["main_rule"])
        conventions.update(c["id"] for c in result["conventions"])
    for _, case in FLEXIBLE:
        if "error" not in case["expected"]:
            conventions.update(c["id"] for c in _flexible(case["input"])["online"]["conventions"])
    for _, case in REGISTRY_CASES:
        conventions.update(_registry_answer(case)[1])
    return rules, conventions


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_is_produced_by_a_worked_example(rule_id: str) -> None:
    assert rule_id in _produced()[0]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_decides_a_worked_example(convention: str) -> None:
    assert convention in _produced()[1]


@pytest.mark.parametrize("convention", sorted(CONVENTIONS, key=lambda c: int(c[1:])))
def test_every_convention_is_named_by_a_worked_example(convention: str) -> None:
    named = {c for _, case in (*CASES, *FLEXIBLE, *REGISTRY_CASES) for c in case.get("covers", [])}
    assert convention in named
