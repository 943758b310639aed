"""An enrollment (or a payment's enrollment) as the console shows it: status in words,
the deciding rules by title, warnings in both languages (yibao.rules registry).

    line = enrollment_lines(enrollment)          # an Enrollment shape
    line["rule_lines"], line["warning_pairs"], line["amount_due"]   # money in int fen
"""

from __future__ import annotations

from typing import Any

from yibao.rules.messages import WARNING
from yibao.rules.registry import RULE
from yibao.services.shapes import Enrollment
from yibao.web.plain import cite, zh_punct

__all__ = ["enrollment_lines"]

Pair = tuple[str, str]


def _warning_en(code: str, region: str, year: int) -> str:
    from yibao.policy.files import load_policy
    from yibao.rules.wording import policy_figures

    warning = WARNING.get(code)
    if warning is None:
        return ""
    try:
        figures = policy_figures(load_policy(), region, year)
    except Exception:  # a region or year without policy data: the text without figures
        return warning.text_en
    return warning.text_en.format_map(figures)


def enrollment_lines(e: Enrollment) -> dict[str, Any]:
    """The enrollment's values (money in fen, dates as dates) with ``rule_lines``
    [(title pair, text, citation)] and ``warning_pairs`` [(zh, en)] added."""
    rules = []
    for r in e.rules:
        rule = RULE.get(r.id)
        title = (rule.title, rule.title_en) if rule else ("", "")
        rules.append((title, zh_punct(r.text or ""), cite(r.source or "")))
    pairs: list[Pair] = []
    for i, text in enumerate(e.warnings):
        code = e.warning_codes[i] if i < len(e.warning_codes) else ""
        en = _warning_en(code, e.region, e.coverage_year)
        pairs.append((zh_punct(text), en or text))
    return {**e.model_dump(), "rule_lines": rules, "warning_pairs": pairs}
