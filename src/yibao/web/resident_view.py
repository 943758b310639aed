"""A quote result told in plain words: amount, breakdown, start date, why.

    view = explain(result, form)   # -> ResultView for the resident page

Every sentence about a rule is the rule's plain text from the registry, with the
figures of the region and year (yibao.rules.registry); nothing here restates a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from yibao.web.forms import ResidentForm
from yibao.web.timeline import Timeline, build_timeline

__all__ = ["ResultView", "explain"]

Pair = tuple[str, str]

BREAKDOWN: list[tuple[str, str, str]] = [
    ("individual", "个人缴费", "Individual share"),
    ("fiscal_subsidy", "财政补助部分（由您承担）", "Subsidy share (borne by you)"),
    ("assistance", "医疗救助资助", "Medical assistance"),
    ("back_pay", "补缴往年", "Back-payment of past years"),
]


@dataclass
class ResultView:
    amount_due: str | None
    total_now: str | None
    breakdown: list[tuple[str, str, str]]
    benefit_start: str | None
    benefit_end: str | None
    fixed: int
    variable: int
    explanation: list[Pair]
    rules: list[dict[str, str]]
    warnings: list[Pair]
    missing: list[Pair]
    timeline: Timeline | None
    notes: list[Pair] = field(default_factory=list)
    assistance: tuple[str, str, str] | None = None  # tilt assistance: zh, en, citation


def _dec(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except ArithmeticError:
        return Decimal(0)


def _money(raw: Any) -> str:
    """``¥400.00``; an unpublished figure (None) stays empty for the template to name."""
    return "" if raw is None else f"¥{raw}"


def _wait_sentence(fixed: int, variable: int, anchor: date, start: date) -> Pair:
    total = fixed + variable
    zh = f"等待期共 {total} 个月（固定 {fixed} 个月"
    en = f"You wait {total} months ({fixed} fixed"
    if variable:
        zh += f" + 断保变动 {variable} 个月"
        en += f" + {variable} for the lapse"
    zh += f"），从 {anchor.isoformat()} 起算，{start.isoformat()} 起可以报销。"
    en += f"), counted from {anchor.isoformat()}: claims are paid from {start.isoformat()}."
    return zh, en


def explain(result: dict[str, Any], form: ResidentForm, birth_date: date | None) -> ResultView:
    """Turn a contract result into what the resident page shows."""
    year = int(form.coverage_year)
    paid = date.fromisoformat(form.payment_date)
    jan1 = date(year, 1, 1)
    raw_start = result.get("benefit_start")
    start = date.fromisoformat(raw_start) if raw_start else None
    waiting = result.get("waiting_months") or {}
    fixed, variable = int(waiting.get("fixed", 0)), int(waiting.get("variable", 0))
    rules = list(result.get("rules", []))

    def plain(*prefixes: str) -> list[Pair]:
        return [(str(r["plain"]), str(r["plain_en"])) for r in rules
                if str(r.get("id", "")).startswith(prefixes) and r.get("plain")]

    lines: list[Pair] = plain("R-FEE")
    anchor = max(paid, jan1)
    if start is None:
        lines.append((
            f"这笔缴费在 {year} 年内不能带来待遇天数。",
            f"This payment buys no days of cover in {year}.",
        ))
    elif fixed + variable > 0:
        lines.append(_wait_sentence(fixed, variable, anchor, start))
    elif start == jan1:
        lines.append((f"从 {year} 年 1 月 1 日起享受待遇，没有等待期。",
                      f"Covered from January 1, {year}; no waiting period."))
    else:
        lines.extend(plain("R-START"))
        lines.append((f"从 {start.isoformat()} 起享受待遇。", f"Covered from {start.isoformat()}."))
    lines.extend(plain("R-WAIT-REPAIR", "R-LAPSE"))
    breakdown = result.get("breakdown") or {}
    rows = [(zh, en, _money(breakdown.get(key, "0.00"))) for key, zh, en in BREAKDOWN]
    amount = result.get("amount_due")
    total = None
    if amount is not None:
        total = f"{_dec(amount) + _dec(breakdown.get('back_pay', '0')):.2f}"
    timeline = build_timeline(
        coverage_year=year,
        payment_date=paid,
        benefit_start=start,
        lapse_years=form.lapse_years(),
        birth_date=birth_date if birth_date and birth_date.year == year else None,
    )
    return ResultView(
        amount_due=amount,
        total_now=total,
        breakdown=rows,
        benefit_start=raw_start,
        benefit_end=result.get("benefit_end"),
        fixed=fixed,
        variable=variable,
        explanation=lines,
        rules=rules,
        warnings=_pairs(result.get("warnings", []), result.get("warnings_en", [])),
        missing=_pairs(result.get("missing_labels", []), result.get("missing_labels_en", [])),
        timeline=timeline,
        assistance=_tilt(result, form),
    )


def _pairs(zh: list[Any], en: list[Any]) -> list[Pair]:
    """Chinese texts with their English ones (the Chinese again where one is missing)."""
    return [(str(a), str(en[i]) if i < len(en) else str(a)) for i, a in enumerate(zh)]


def _tilt(result: dict[str, Any], form: ResidentForm) -> tuple[str, str, str] | None:
    """What tilt assistance offers, for a member of a special group where it is published."""
    if not form.special_group:
        return None
    from yibao.assistance import plain_terms

    region = result.get("region") or {}
    return plain_terms(str(region.get("code", "")), int(result.get("coverage_year", 0)))
