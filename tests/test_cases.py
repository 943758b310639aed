"""The worked examples of tests/cases/*.yaml, through the one-quote path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from yibao.errors import InputError
from yibao.quoting import quote, rules_catalogue

from .conftest import load_cases

CASES = load_cases()
SRC = Path(__file__).parents[1] / "src" / "yibao"


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
        assert rule["source"] and rule["text"], rule


def _covered_ids() -> set[str]:
    ids: set[str] = set()
    for _, case in CASES:
        ids.update(case.get("covers", []))
        ids.update(case["expected"].get("rules", []))
    return ids


ALL_IDS = [r["id"] for r in rules_catalogue()] + [f"C{i}" for i in range(1, 20)]


@pytest.mark.parametrize("entry", ALL_IDS)
def test_every_catalogue_entry_has_a_worked_example(entry: str) -> None:
    assert entry in _covered_ids()


@pytest.mark.parametrize("entry", ALL_IDS)
def test_every_catalogue_entry_appears_in_the_code(entry: str) -> None:
    pattern = re.compile(rf"\b{re.escape(entry)}\b")
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in SRC.rglob("*.py"))
