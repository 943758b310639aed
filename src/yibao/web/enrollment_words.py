"""An enrollment (or a payment's enrollment) as the console shows it: status in words,
the deciding rules by title, warnings in both languages (yibao.rules registry).

    line = enrollment_lines(enrollment_json)
    line["rule_titles"], line["warnings_pairs"]
"""

from __future__ import annotations

from typing import Any

from yibao.rules.messages import WARNING
from yibao.rules.registry import RULE
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


def enrollment_lines(e: dict[str, Any]) -> dict[str, Any]:
    """The enrollment with ``rule_lines`` [(title pair, text, citation)] and
    ``warning_pairs`` [(zh, en)] added."""
    rules = []
    for r in e.get("rules") or []:
        rule = RULE.get(str(r.get("id")))
        title = (rule.title, rule.title_en) if rule else ("", "")
        rules.append((title, zh_punct(str(r.get("text") or "")), cite(str(r.get("source") or ""))))
    codes = list(e.get("warning_codes") or [])
    texts = list(e.get("warnings") or [])
    pairs: list[Pair] = []
    for i, text in enumerate(texts):
        code = codes[i] if i < len(codes) else ""
        en = _warning_en(code, str(e.get("region", "")), int(e.get("coverage_year") or 0))
        pairs.append((zh_punct(str(text)), en or str(text)))
    return {**e, "rule_lines": rules, "warning_pairs": pairs}
