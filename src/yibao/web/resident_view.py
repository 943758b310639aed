"""A quote result told in plain words: amount, breakdown, start date, why.

    view = explain(result, form)   # -> ResultView for the resident page
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from yibao.web.forms import ResidentForm
from yibao.web.timeline import Timeline, build_timeline

__all__ = ["RULE_PLAIN", "ResultView", "explain"]

Pair = tuple[str, str]

#: rule ID -> what it means for the resident, in plain Chinese and English
RULE_PLAIN: dict[str, Pair] = {
    "R-FEE-ONTIME": (
        "6月30日（含）以前缴费，只需缴纳个人缴费部分。",
        "Paid by June 30 (inclusive): you pay only the individual share.",
    ),
    "R-FEE-LATE": (
        "7月1日起缴费，个人还须承担财政补助部分。",
        "Paid from July 1: you also bear the government subsidy share.",
    ),
    "R-FEE-NEWBORN": (
        "新生儿在出生3个月内缴费，只缴个人部分。",
        "A newborn paying within 3 months of birth pays only the individual share.",
    ),
    "R-FEE-ASSIST": (
        "您属于特殊群体，参保费用由医疗救助资助，免申即享。",
        "As a member of a special group, medical assistance pays your contribution.",
    ),
    "R-START-ONTIME": (
        "在集中缴费期内缴费，从参保年度1月1日起享受待遇。",
        "Paid in the concentrated period: covered from January 1.",
    ),
    "R-START-LATE": (
        "集中缴费期后缴费，从缴费后次月1日起享受待遇。",
        "Paid after the concentrated period: covered from the 1st of the next month.",
    ),
    "R-START-GAP": (
        "断缴1年以上后续保，从缴费后第3个月1日起享受待遇。",
        "Re-enrolling after a lapse of a year or more: covered from the 1st of the "
        "third month after payment.",
    ),
    "R-START-NEWBORN": (
        "新生儿按出生日期和缴费时间确定待遇开始日。",
        "A newborn's cover starts from birth or the next month, by when the payment is made.",
    ),
    "R-START-TRANSFER": (
        "职工医保终止后转居民医保，从缴费当月1日起享受待遇。",
        "Moving from employee insurance: covered from the 1st of the payment month.",
    ),
    "R-WAIT-FIXED": (
        "未在集中期参保或未连续参保，设固定等待期3个月。",
        "Not enrolled in the concentrated period or not continuously: 3 months' fixed wait.",
    ),
    "R-WAIT-VARIABLE": (
        "每多断保1年，等待期再加1个月。",
        "Each further year of lapse adds one month of waiting.",
    ),
    "R-WAIT-REPAIR": (
        "补缴断保年度，每补1年可减少1个月变动等待期。",
        "Each lapse year back-paid cuts one month of the variable wait.",
    ),
    "R-WAIT-EXEMPT": (
        "新生儿和特殊群体不设等待期。",
        "Newborns and special groups have no waiting period.",
    ),
    "R-LAPSE-NOCLAIM": (
        "断保期间和等待期内发生的医疗费用不予报销。",
        "Medical costs during a lapse or a waiting period are not reimbursed.",
    ),
    "R-LAPSE-RESET": (
        "断缴超过3个月，连续参保年限清零。",
        "A lapse over 3 months resets your count of continuous years.",
    ),
}

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
    warnings: list[str]
    missing: list[str]
    timeline: Timeline | None
    notes: list[Pair] = field(default_factory=list)


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
    ids = [str(r.get("id", "")) for r in result.get("rules", [])]
    lines: list[Pair] = [RULE_PLAIN[i] for i in ids if i.startswith("R-FEE") and i in RULE_PLAIN]
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
        lines.extend(RULE_PLAIN[i] for i in ids if i.startswith("R-START") and i in RULE_PLAIN)
        lines.append((f"从 {start.isoformat()} 起享受待遇。", f"Covered from {start.isoformat()}."))
    lines.extend(RULE_PLAIN[i] for i in ids if i.startswith(("R-WAIT-REPAIR", "R-LAPSE")))
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
        rules=list(result.get("rules", [])),
        warnings=[str(w) for w in result.get("warnings", [])],
        missing=[str(m) for m in result.get("missing", [])],
        timeline=timeline,
    )
