"""The pay-date planner page: the answer for the first day (next step, total, date), then
what paying on each coming day costs and when cover starts, and what back-paying lapse
years buys — all of it the engine's (:mod:`yibao.quoting.planner`); this module only
groups the days into rows and draws the charts.

    plan = plan_days(form, first=date(2025, 3, 1), days=183)
    repair = repair_rows(form)

The table's rows split wherever the answer changes: the amount, the waiting months, the
rules that decided, or how the first day of cover follows the payment day (fixed, or
moving with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yibao.errors import InputError
from yibao.quoting.planner import DayAnswer, planner_days, repair_options
from yibao.rules.money import fen_to_yuan
from yibao.rules.registry import RULE
from yibao.web.charts import Chart, step_chart
from yibao.web.forms import FieldErrors, ResidentForm
from yibao.web.plain import error_words, zh_punct
from yibao.web.quotes import LABELS, error_for_field

__all__ = ["Plan", "RepairRow", "Segment", "plan_days", "repair_rows"]

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
    total: str  # "" when unpublished
    start: str
    wait: int
    months_earlier: int  # than without back-pay (the answer's back_pay_effect)
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


def _error_words(q: DayAnswer) -> Pair:
    if q.error is None:
        return "", ""
    e = q.error
    words = error_words(e.code, e.field, e.message, e.message_en, LABELS)
    return words.zh, words.en


def _segment(run: list[DayAnswer]) -> Segment:
    a, b = run[0], run[-1]
    rule = RULE.get(a.main_rule)
    return Segment(
        a.day, b.day,
        fen_to_yuan(a.amount_fen) if a.amount_fen is not None else "",
        a.start.isoformat() if a.start else "",
        b.start.isoformat() if b.start else "",
        a.wait, a.start != b.start, (rule.title, rule.title_en) if rule else ("", ""),
        _error_words(a),
    )


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def _month_words(lang: str) -> Callable[[date], str]:
    if lang == "en":
        return lambda d: f"{d.year}" if d.month == 1 else _MONTHS_EN[d.month - 1]
    return lambda d: f"{d.year}年" if d.month == 1 else f"{d.month}月"


def _charts(plan: Plan, year: int, lang: str) -> None:
    """The two step charts; a chart with nothing to draw (every amount unpublished, no day
    with cover) is left out."""
    words = _month_words(lang)
    days = [q.day for q in plan.days]
    # chart geometry only: the figures shown as text stay in fen
    amounts = [q.amount_fen / 100 if q.amount_fen is not None else None for q in plan.days]
    if any(a is not None for a in amounts):
        top = max([a for a in amounts if a is not None] + [100.0])
        step = 500 if top > 1000 else 200 if top > 400 else 100
        y_top = (int(top) // step + 1) * step
        plan.amount_chart = step_chart(days, amounts, month_label=words,
                                       y_ticks=[(v, f"¥{v}") for v in range(0, y_top + 1, step)])
    jan1 = date(year, 1, 1)
    starts = [float((q.start - jan1).days) if q.start else None for q in plan.days]
    if not any(s is not None for s in starts):
        return

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
    try:
        found = planner_days(payload, [first + timedelta(days=i) for i in range(days)])
    except InputError as exc:
        plan.errors = error_for_field(exc)
        return plan
    plan.days = found.answers
    plan.missing = found.missing
    plan.segments = [_segment(run) for run in _segments(found.answers)]
    _charts(plan, int(form.coverage_year), lang)
    return plan


def repair_rows(form: ResidentForm) -> tuple[list[RepairRow], FieldErrors]:
    """For 0, 1, 2 … of the latest lapse years back-paid: cost, wait, first day of cover and
    how many months earlier than without back-pay — each row one engine answer."""
    payload, errors = form.to_payload()
    if errors:
        return [], errors
    try:
        options = repair_options(payload)
    except InputError as exc:
        return [], error_for_field(exc)
    rows: list[RepairRow] = []
    for option in options:
        q = option.quote
        repair = next((r for r in q.rules if r.id == "R-WAIT-REPAIR"), None)
        rows.append(RepairRow(
            list(option.years),
            fen_to_yuan(q.back_pay_fen) if q.back_pay_fen is not None else "",
            fen_to_yuan(q.total_due_fen) if q.total_due_fen is not None else "",
            q.benefit_start.isoformat() if q.benefit_start else "",
            q.waiting_fixed + q.waiting_variable, option.months_earlier,
            (zh_punct(repair.text), repair.text_en) if repair else ("", ""),
            no_gain=bool(rows) and not option.gains))
    return rows, {}
