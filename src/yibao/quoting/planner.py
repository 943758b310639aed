"""Planner days: what paying on each of many days costs and when cover starts, and what
back-paying 0, 1, 2 … of the latest lapse years buys — every figure from the engine.

    days = planner_days(payload, [date(2025, 3, 1) + timedelta(days=i) for i in range(183)])
    days.answers[0].amount_fen, days.answers[0].start      # 40000, 2025-06-01
    options = repair_options(payload)                        # [RepairOption(years=(), …), …]

Every day is a row of one engine run over whole columns (the same rules code as a single
quote and a batch of a hundred million rows); a day whose payment date the rules refuse
(before the concentrated period opens, after the coverage year) carries that error
instead of an answer.  The request itself being wrong (an unknown region, a bad ID number)
raises the first day's ``InputError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yibao.errors import InputError
from yibao.policy.files import load_policy
from yibao.quoting.answers import QuoteRequest, answer, answer_many, columns_for, input_error_from
from yibao.rules.answer import Quote
from yibao.rules.calendar import days_to_date
from yibao.rules.engine import evaluate
from yibao.rules.explain import main_rule_id
from yibao.rules.validation import ERRORS, RowError

__all__ = ["DayAnswer", "PlannerDays", "RepairOption", "planner_days", "repair_options"]


@dataclass(frozen=True)
class DayAnswer:
    """The answer for paying on ``day`` (money in fen; None: unpublished / no cover)."""

    day: date
    amount_fen: int | None
    start: date | None
    wait: int  # fixed + variable waiting months
    rules: int = 0  # rule bits in the registry's order
    main_rule: str = ""
    missing: int = 0  # bits of the unpublished figures (rules.fees.MISSING)
    error: RowError | None = None  # the rules refuse a payment on this day


@dataclass
class PlannerDays:
    """Every day's answer and, in words, the figures some days lack."""

    answers: list[DayAnswer] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) labels


def _request(payload: Mapping[str, Any], first: date) -> QuoteRequest:
    """The validated request paid on ``first``; errors other than the day's are raised."""
    body = {**payload, "payment_date": first.isoformat()}
    try:
        answer(body)
    except InputError as exc:
        if exc.field != "payment_date":
            raise
    try:
        return QuoteRequest.model_validate(body)
    except Exception as exc:  # pydantic's ValidationError, in the project's words
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            raise input_error_from(exc) from None
        raise


def planner_days(payload: Mapping[str, Any], days: Sequence[date]) -> PlannerDays:
    """The answers for ``payload`` paid on each of ``days`` (one engine call)."""
    if not days:
        return PlannerDays()
    req = _request(payload, days[0])
    policy = load_policy()
    requests = [req.model_copy(update={"payment_date": d}) for d in days]
    res = evaluate(policy, columns_for(requests, policy))
    out: list[DayAnswer] = []
    for i, day in enumerate(days):
        code = int(res.error[i])
        if code:
            out.append(DayAnswer(day, None, None, 0, error=ERRORS[code]))
            continue
        out.append(DayAnswer(
            day,
            int(res.amount[i]) if res.amount_known[i] else None,
            days_to_date(int(res.start[i])) if res.start_known[i] else None,
            int(res.wait_fixed[i]) + int(res.wait_variable[i]),
            int(res.rules[i]), main_rule_id(int(res.main_rule[i])), int(res.missing[i]),
        ))
    plan = PlannerDays(out)
    seen: set[int] = set()
    for q in out:  # unpublished figures in words: one full answer per kind of gap
        if q.missing and q.missing not in seen:
            seen.add(q.missing)
            later = answer({**payload, "payment_date": q.day.isoformat()})
            for pair in zip(later.missing_labels, later.missing_labels_en, strict=True):
                if pair not in plan.missing:
                    plan.missing.append(pair)
    return plan


@dataclass(frozen=True)
class RepairOption:
    """Paying with the latest ``len(years)`` lapse years back-paid (one engine answer)."""

    years: tuple[int, ...]
    quote: Quote
    months_earlier: int  # than without back-pay (C22)
    gains: bool  # one more year than the option before brings cover earlier


def repair_options(payload: Mapping[str, Any]) -> list[RepairOption]:
    """For 0, 1, 2 … of the latest lapse years back-paid: the engine's answer for each.

    Empty when there is no lapse, or no variable wait for back-pay to repair (the old
    rules, a one-year lapse, an exemption); raises the request's ``InputError``.
    """
    base = {k: v for k, v in payload.items() if k != "back_pay_years"}
    first = answer(base)
    if not first.lapse_years or not first.waiting_variable:
        return []
    year = first.coverage_year
    options: list[Mapping[str, Any]] = [base] + [
        {**base, "back_pay_years": list(range(year - k, year))}
        for k in range(1, first.lapse_years + 1)]
    answers = answer_many(options)
    out: list[RepairOption] = []
    for k, quote in enumerate(answers):
        if isinstance(quote, InputError):  # the rules refuse back-pay here (before 2025)
            return out
        months = quote.back_pay_effect.months_earlier if quote.back_pay_effect else 0
        gains = not out or months > out[-1].months_earlier
        out.append(RepairOption(tuple(range(year - k, year)), quote, months, gains))
    return out
