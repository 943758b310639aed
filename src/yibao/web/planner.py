"""Pay-date planner: what paying on each coming day costs and when cover starts,
and what back-paying each lapse year costs and saves.

    plan = plan_days(form, first=date(2025, 3, 1), days=183)
    repair = repair_options(form)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from yibao.web.charts import Chart, step_chart
from yibao.web.forms import FieldErrors, ResidentForm
from yibao.web.quotes import run_quote

__all__ = ["DayQuote", "Plan", "RepairRow", "Segment", "plan_days", "repair_options"]


@dataclass(frozen=True)
class DayQuote:
    day: date
    amount: Decimal | None
    start: date | None
    wait: int
    error: str = ""


@dataclass(frozen=True)
class Segment:
    first: date
    last: date
    amount: str
    start_first: str
    start_last: str
    wait: int
    error: str = ""


@dataclass
class Plan:
    days: list[DayQuote] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    amount_chart: Chart | None = None
    start_chart: Chart | None = None
    errors: FieldErrors = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RepairRow:
    years: list[int]
    back_pay: str
    total: str
    start: str
    saved_days: int


def _one(payload: dict[str, Any], day: date) -> tuple[DayQuote, FieldErrors, list[str]]:
    result, errors = run_quote({**payload, "payment_date": day.isoformat()})
    if result is None:
        zh = next(iter(errors.values()))[0]
        return DayQuote(day, None, None, 0, zh), errors, []
    raw = result.get("amount_due")
    start = result.get("benefit_start")
    wait = result.get("waiting_months") or {}
    return (
        DayQuote(
            day,
            Decimal(str(raw)) if raw is not None else None,
            date.fromisoformat(start) if start else None,
            int(wait.get("fixed", 0)) + int(wait.get("variable", 0)),
        ),
        {},
        [str(m) for m in result.get("missing", [])],
    )


def _segments(quotes: list[DayQuote]) -> list[Segment]:
    out: list[Segment] = []
    run: list[DayQuote] = []

    def close() -> None:
        if run:
            a, b = run[0], run[-1]
            amount = f"{a.amount:.2f}" if a.amount is not None else "—"
            out.append(Segment(
                a.day, b.day, amount,
                a.start.isoformat() if a.start else "—",
                b.start.isoformat() if b.start else "—",
                a.wait, a.error,
            ))

    for q in quotes:
        if run and (
            (q.amount, q.wait, q.error, q.start is None)
            != (run[-1].amount, run[-1].wait, run[-1].error, run[-1].start is None)
        ):
            close()
            run = []
        run.append(q)
    close()
    return out


def plan_days(form: ResidentForm, *, first: date, days: int) -> Plan:
    """Quote every day from ``first`` for ``days`` days (errors of the form stop early)."""
    payload, errors = form.to_payload()
    plan = Plan(errors=errors)
    if errors:
        return plan
    for i in range(days):
        quote, errs, missing = _one(payload, first + timedelta(days=i))
        if errs and "payment_date" not in errs:
            plan.errors = errs
            return plan
        plan.days.append(quote)
        plan.missing.extend(m for m in missing if m not in plan.missing)
    plan.segments = _segments(plan.days)
    amounts = [float(q.amount) if q.amount is not None else None for q in plan.days]
    top = max([a for a in amounts if a is not None] + [100.0])
    step = 500 if top > 1000 else 200 if top > 400 else 100
    y_top = (int(top) // step + 1) * step
    plan.amount_chart = step_chart(
        [q.day for q in plan.days], amounts,
        y_ticks=[(v, f"¥{v}") for v in range(0, y_top + 1, step)],
    )
    year = int(form.coverage_year)
    jan1 = date(year, 1, 1)
    starts = [float((q.start - jan1).days) if q.start else None for q in plan.days]
    plan.start_chart = step_chart(
        [q.day for q in plan.days], starts,
        y_ticks=[(float((date(year, m, 1) - jan1).days), f"{m}月") for m in (1, 4, 7, 10)]
        + [(float((date(year, 12, 31) - jan1).days), "12/31")],
    )
    return plan


def repair_options(form: ResidentForm) -> tuple[list[RepairRow], FieldErrors]:
    """For 0, 1, 2 ... of the latest lapse years back-paid: cost and first day of cover.

    An empty list with errors means the region/year does not allow repair (the rules
    reject ``back_pay_years``) or there is no variable waiting to repair.
    """
    lapse = form.lapse_years()
    payload, errors = form.to_payload()
    if errors or not lapse:
        return [], errors
    payload.pop("back_pay_years", None)
    rows: list[RepairRow] = []
    base_start: date | None = None
    year_end = date(int(form.coverage_year), 12, 31)
    for k in range(len(lapse) + 1):
        years = sorted(lapse[len(lapse) - k:]) if k else []
        result, errs = run_quote({**payload, **({"back_pay_years": years} if years else {})})
        if result is None:
            return rows, errs if k else errors | errs
        wait = result.get("waiting_months") or {}
        if k == 0 and not int(wait.get("variable", 0)):
            return [], {}
        raw = result.get("benefit_start")
        start = date.fromisoformat(raw) if raw else None
        if k == 0:
            base_start = start
        back = Decimal(str((result.get("breakdown") or {}).get("back_pay", "0")))
        due = result.get("amount_due")
        total = f"{Decimal(str(due)) + back:.2f}" if due is not None else "—"
        saved = ((base_start or year_end) - (start or year_end)).days if start else 0
        rows.append(RepairRow(years, f"{back:.2f}", total, raw or "—", saved))
    return rows, {}
