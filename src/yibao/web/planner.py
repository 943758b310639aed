"""Pay-date planner: what paying on each coming day costs and when cover starts, and
what back-paying lapse years costs and saves.

    plan = plan_days(form, first=date(2025, 3, 1), days=183)
    repair = repair_options(form)

Every day is quoted by one engine call over all days (the same rules code as a single
quote, whole columns at once); the table's rows split wherever the answer changes: the
amount, the waiting months, the rules that decided, or how the first day of cover
follows the payment day (fixed, or moving with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yibao.rules.money import fen_to_yuan, parse_yuan
from yibao.web.charts import Chart, step_chart
from yibao.web.forms import FieldErrors, ResidentForm
from yibao.web.plain import zh_punct
from yibao.web.plan_engine import DayAnswer, quote_days
from yibao.web.quotes import run_quote

__all__ = ["Plan", "RepairRow", "Segment", "plan_days", "repair_options"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class Segment:
    first: date
    last: date
    amount: str  # "400.00", "" when unpublished
    start_first: str
    start_last: str
    wait: int
    moving: bool  # the first day of cover moves with the payment day
    why: Pair  # the deciding rule's title (registry)
    error: Pair = ("", "")


@dataclass
class Plan:
    days: list[DayAnswer] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    amount_chart: Chart | None = None
    start_chart: Chart | None = None
    errors: FieldErrors = field(default_factory=dict)
    missing: list[Pair] = field(default_factory=list)


@dataclass(frozen=True)
class RepairRow:
    years: list[int]
    back_pay: str  # "" when unpublished
    total: str
    start: str
    wait: int
    saved_days: int
    rule_text: Pair = ("", "")  # the registry's repair text for this answer (floor included)
    no_gain: bool = False  # one more back-paid year than the row before brings nothing sooner


def _key(q: DayAnswer) -> tuple[Any, ...]:
    return (q.error, q.amount_fen, q.wait, q.rules, q.start is None, q.missing)


def _segments(quotes: list[DayAnswer]) -> list[list[DayAnswer]]:
    """Runs of days with the same answer; a run's start is either fixed or moves daily."""
    runs: list[list[DayAnswer]] = []
    run: list[DayAnswer] = []
    mode: bool | None = None  # True: one start for the whole run; False: it moves on
    for q in quotes:
        if run and _key(q) == _key(run[-1]):
            same = q.start == run[-1].start
            # a moving start may stay put for a day (month ends clamp, rules.md C2)
            if mode is None or same == mode or (mode is False and same):
                mode = same if mode is None else mode
                run.append(q)
                continue
        if run:
            runs.append(run)
        run, mode = [q], None
    if run:
        runs.append(run)
    return runs


def _segment(run: list[DayAnswer], titles: dict[str, Pair]) -> Segment:
    a, b = run[0], run[-1]
    return Segment(
        a.day, b.day,
        fen_to_yuan(a.amount_fen) if a.amount_fen is not None else "",
        a.start.isoformat() if a.start else "",
        b.start.isoformat() if b.start else "",
        a.wait, a.start != b.start, titles.get(a.main_rule, ("", "")), a.error_words,
    )


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def _month_words(lang: str) -> Callable[[date], str]:
    if lang == "en":
        return lambda d: f"{d.year}" if d.month == 1 else _MONTHS_EN[d.month - 1]
    return lambda d: f"{d.year}年" if d.month == 1 else f"{d.month}月"


def _charts(plan: Plan, year: int, lang: str) -> None:
    words = _month_words(lang)
    # chart geometry only: the figures shown as text stay in fen
    amounts = [q.amount_fen / 100 if q.amount_fen is not None else None for q in plan.days]
    top = max([a for a in amounts if a is not None] + [100.0])
    step = 500 if top > 1000 else 200 if top > 400 else 100
    y_top = (int(top) // step + 1) * step
    days = [q.day for q in plan.days]
    plan.amount_chart = step_chart(days, amounts, month_label=words,
                                   y_ticks=[(v, f"¥{v}") for v in range(0, y_top + 1, step)])
    jan1 = date(year, 1, 1)
    starts = [float((q.start - jan1).days) if q.start else None for q in plan.days]

    def short(m: int) -> str:
        return _MONTHS_EN[m - 1] if lang == "en" else f"{m}月"

    plan.start_chart = step_chart(
        days, starts, month_label=words,
        y_ticks=[(float((date(year, m, 1) - jan1).days), short(m)) for m in (1, 4, 7, 10)]
        + [(float((date(year, 12, 31) - jan1).days), "12/31")],
    )


def plan_days(form: ResidentForm, *, first: date, days: int, lang: str = "zh") -> Plan:
    """Quote every day from ``first`` for ``days`` days (errors of the form stop early)."""
    payload, errors = form.to_payload()
    plan = Plan(errors=errors)
    if errors:
        return plan
    answers, errors, titles, missing = quote_days(payload, [first + timedelta(days=i)
                                                            for i in range(days)])
    if errors:
        plan.errors = errors
        return plan
    plan.days = answers
    plan.missing = missing
    plan.segments = [_segment(run, titles) for run in _segments(answers)]
    _charts(plan, int(form.coverage_year), lang)
    return plan


def repair_options(form: ResidentForm) -> tuple[list[RepairRow], FieldErrors]:
    """For 0, 1, 2 ... of the latest lapse years back-paid: cost, wait and first day of cover.

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
        back_raw = (result.get("breakdown") or {}).get("back_pay")
        due = result.get("amount_due")
        total = ""
        if due is not None and back_raw is not None:
            total = fen_to_yuan(parse_yuan(due) + parse_yuan(back_raw))
        saved = ((base_start or year_end + timedelta(days=1)) - start).days if start else 0
        repair: dict[str, Any] = next(
            (r for r in result.get("rules", []) if r.get("id") == "R-WAIT-REPAIR"), {})
        rows.append(RepairRow(years, back_raw or "", total, raw or "",
                              int(wait.get("fixed", 0)) + int(wait.get("variable", 0)),
                              max(0, saved),
                              (zh_punct(str(repair.get("text", ""))), str(repair.get("text_en", ""))),
                              no_gain=bool(rows) and max(0, saved) == rows[-1].saved_days))
    return rows, {}
