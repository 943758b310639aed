"""The rule registry: one declaration per rule, every text rendered from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yibao.policy.files import load_policy
from yibao.rules.conventions import CONVENTIONS
from yibao.rules.messages import ADVICE_WARNINGS, ENGINE_WARNINGS, SERVICE_WARNINGS
from yibao.rules.registry import RULES, TILT_RULE, markdown, placeholders, render
from yibao.rules.wording import policy_figures

DOCS = Path(__file__).parents[1] / "docs" / "rules.md"
#: figures an answer adds to the policy figures (explain.py), one sample each
ROW_FIGURES = dict.fromkeys(
    ("start", "start_en", "lapse", "birth", "birth_en", "emp_end", "emp_end_en", "group",
     "group_en", "assist_kind", "assist_kind_en", "fixed", "variable_before", "repaired",
     "repaired_months", "newborn_reason", "newborn_reason_en", "exempt_reason",
     "exempt_reason_en",
     # the back-pay warning's (rules/advice_words.py no_effect_figures)
     "back_paid", "back_paid_en", "same_start", "same_start_en", "no_gain_reason",
     "no_gain_reason_en"), "x")
TEXTS = [(r.id, name) for r in RULES for name in ("text", "text_en", "plain", "plain_en")]
# a rule ID, a convention ID, a field name or a file name must not reach a Chinese page
NOT_FOR_RESIDENTS = re.compile(r"R-[A-Z]|\bC\d{1,2}\b|[a-z]+_[a-z]+|\.txt|\.md|\.yaml|seed")


def _keys() -> list[tuple[str, int]]:
    policy = load_policy()
    return [(code, year) for code in ("450802", "450202", "630000", "445200")
            for year in range(policy.first_year, policy.last_year + 1)]


@pytest.mark.parametrize(("rule_id", "name"), TEXTS)
def test_every_text_renders_with_the_figures_of_every_region_and_year(
    rule_id: str, name: str
) -> None:
    rule = next(r for r in RULES if r.id == rule_id)
    template = getattr(rule, name)
    for code, year in _keys():
        text = render(template, {**policy_figures(load_policy(), code, year), **ROW_FIGURES})
        assert "{" not in text and "}" not in text
        if not name.endswith("_en"):
            assert not NOT_FOR_RESIDENTS.search(text.replace("x", "")), (rule_id, text)


def test_no_figure_is_written_into_the_resident_texts() -> None:
    """Plain texts name figures by placeholder: no share, window or waiting month in them."""
    for rule in RULES:
        for text in (rule.plain, rule.plain_en):
            assert not re.search(r"\d", text.replace("1月1日", "").replace("January 1", "")
                                 .replace("1日", "").replace("1st", "").replace("1年", "")), \
                (rule.id, text)


def test_figures_come_from_the_region_and_year() -> None:
    qinghai = policy_figures(load_policy(), "630000", 2025)
    guangxi = policy_figures(load_policy(), "450202", 2025)
    assert (qinghai["window"], guangxi["window"]) == ("180天", "3个月")
    assert guangxi["individual"] == "400.00元" and "未公布" in guangxi["subsidy"]
    assert "未公布" in qinghai["deadline"]
    assert policy_figures(load_policy(), "450202", 2024)["reset_months"] != "3"
    assert policy_figures(load_policy(), "450202", 2025)["reset_months"] == "3"


def test_every_placeholder_is_a_known_figure() -> None:
    known = set(policy_figures(load_policy(), "450202", 2025)) | set(ROW_FIGURES)
    for rule in RULES:
        for template in (rule.text, rule.text_en, rule.plain, rule.plain_en):
            assert placeholders(template) <= known, (rule.id, placeholders(template) - known)
    for warning in (*ENGINE_WARNINGS, *ADVICE_WARNINGS, *SERVICE_WARNINGS):
        assert placeholders(warning.text) <= known and placeholders(warning.text_en) <= known


def test_each_rule_is_declared_once_with_a_citation_and_known_conventions() -> None:
    ids = [r.id for r in (*RULES, TILT_RULE)]
    assert len(ids) == len(set(ids))
    for rule in (*RULES, TILT_RULE):
        assert "《" in rule.source and rule.title and rule.title_en
        assert set(rule.conventions) <= set(CONVENTIONS)


def test_warnings_speak_words_not_codes() -> None:
    figures = policy_figures(load_policy(), "450202", 2025)
    for warning in (*ENGINE_WARNINGS, *ADVICE_WARNINGS, *SERVICE_WARNINGS):
        text = render(warning.text, {**figures, **ROW_FIGURES})
        assert not NOT_FOR_RESIDENTS.search(text.replace("x", "")), warning.code


def test_docs_hold_the_registry_as_it_is_in_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- registry:start -->\n", "<!-- registry:end -->"
    table = text[text.index(start) + len(start):text.index(end)]
    assert table == markdown(), "regenerate: python -m yibao.rules.registry"
    for cid in CONVENTIONS:
        assert f"**{cid} " in text, cid
