"""The contract's JSON of one quote, key by key, and the one function that writes it.

:class:`QuoteJSON` declares the answer of ``POST /api/v1/quote``: the API's response model
is derived from it (:mod:`yibao.services.shapes.quote`), and mypy holds
:func:`quote_to_contract` to it, so a key added to the answer is added here once.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from yibao.rules.answer import DayText, NextStep, Quote, StartReason, YuanText
from yibao.rules.money import fen_to_yuan

__all__ = [
    "BackPayEffectJSON",
    "BreakdownJSON",
    "CatastrophicJSON",
    "ConventionJSON",
    "NextStepJSON",
    "NoteJSON",
    "QuoteJSON",
    "ReferenceShareJSON",
    "RegionJSON",
    "RuleJSON",
    "StartReasonJSON",
    "WaitingDaysJSON",
    "WaitingJSON",
    "next_step_to_json",
    "quote_to_contract",
]


class BreakdownJSON(TypedDict):
    """What makes up the amount due, and the back-pay paid with it."""

    individual: YuanText | None
    fiscal_subsidy: YuanText | None
    assistance: YuanText | None
    back_pay: YuanText | None


class WaitingJSON(TypedDict):
    """Waiting months before cover pays (0 under the old regime)."""

    fixed: int
    variable: int


class RuleJSON(TypedDict):
    """A catalogue rule that decided part of the answer, with this answer's reason."""

    id: str
    title: str
    title_en: str
    source: str
    text: str
    text_en: str
    plain: str
    plain_en: str


class ConventionJSON(TypedDict):
    """A convention of rules.md the answer relies on."""

    id: str
    text: str
    source: str


class NoteJSON(TypedDict):
    """A regional note with its citation."""

    text: str
    source: str


class RegionJSON(TypedDict):
    """The region quoted: GB/T 2260 code and name."""

    code: str
    name: str


class WaitingDaysJSON(TypedDict):
    """A fixed wait counted in days where the region counts it so (C32), else 0."""

    fixed: int


class CatastrophicJSON(TypedDict):
    """The catastrophic-illness cap rise that continuous years earn (C36, Guangxi)."""

    continuous_years: int
    after_years: int
    rise_per_year: YuanText | None
    zero_claim_rise: YuanText | None
    rise: YuanText | None
    rise_from_year: int
    max_percent_of_base: int
    base_cap: YuanText | None
    rise_limit: YuanText | None
    rise_within_limit: YuanText | None
    missing: list[str]
    text: str
    text_en: str
    source: str


class BackPayEffectJSON(TypedDict):
    """What the back-pay buys (contract §2.1, C22)."""

    months_earlier: int
    benefit_start_without: DayText | None


class ReferenceShareJSON(TypedDict):
    """The latest published share, for reference only (C27)."""

    year: int
    amount: YuanText | None


class StartReasonJSON(TypedDict):
    """Why cover starts after 1 January, in words."""

    code: str
    text: str
    text_en: str


class NextStepJSON(TypedDict):
    """The one piece of advice (contract §2.1, C23, C24), with yibao's extensions."""

    code: str
    coverage_year: int
    pay_from: DayText | None
    pay_by: DayText | None
    text: str
    text_en: str
    back_pay_years: list[int]
    months_earlier: int
    amount_due: YuanText | None
    back_pay: YuanText | None
    total_due: YuanText | None
    benefit_start: DayText | None
    reference_share: ReferenceShareJSON | None
    benefit_start_reason: StartReasonJSON | None


class QuoteJSON(TypedDict):
    """The contract's quote answer (§2) with yibao's documented extensions."""

    amount_due: YuanText | None
    breakdown: BreakdownJSON
    benefit_start: DayText | None
    benefit_end: DayText
    waiting_months: WaitingJSON
    rules: list[RuleJSON]
    warnings: list[str]
    warning_codes: list[str]
    missing: list[str]
    main_rule: str
    lapse_years: int
    conventions: list[ConventionJSON]
    notes: list[NoteJSON]
    region: RegionJSON
    coverage_year: int
    payment_date: DayText
    policy_version: str
    warnings_en: list[str]
    missing_labels: list[str]
    missing_labels_en: list[str]
    waiting_days: WaitingDaysJSON
    continuous_years: int | None
    catastrophic_cover: CatastrophicJSON | None
    total_due: YuanText | None
    back_pay_effect: BackPayEffectJSON | None
    newborn_last_day: DayText | None
    next_step: NextStepJSON | None
    benefit_start_reason: StartReasonJSON | None
    waiting_from: DayText | None
    waiting_until: DayText | None
    reference_share: ReferenceShareJSON | None
    birth_year_cover_from: DayText | None


def _yuan(fen: int | None) -> YuanText | None:
    return None if fen is None else YuanText(fen_to_yuan(fen))


def _day(day: date) -> DayText:
    return DayText(day.isoformat())


def _maybe_day(day: date | None) -> DayText | None:
    return None if day is None else _day(day)


def _catastrophic(q: Quote) -> CatastrophicJSON | None:
    c = q.catastrophic
    if c is None:
        return None
    return {
        "continuous_years": c.continuous_years, "after_years": c.after_years,
        "rise_per_year": _yuan(c.rise_per_year_fen), "zero_claim_rise": _yuan(c.zero_claim_rise_fen),
        "rise": _yuan(c.rise_fen), "rise_from_year": c.rise_from_year,
        "max_percent_of_base": c.max_percent_of_base, "base_cap": _yuan(c.base_cap_fen),
        "rise_limit": _yuan(c.limit_fen), "rise_within_limit": _yuan(c.capped_fen),
        "missing": list(c.missing), "text": q.catastrophic_text[0],
        "text_en": q.catastrophic_text[1], "source": c.source,
    }


def _reference(share: tuple[int, int] | None) -> ReferenceShareJSON | None:
    return None if share is None else {"year": share[0], "amount": _yuan(share[1])}


def _reason(reason: StartReason | None) -> StartReasonJSON | None:
    return None if reason is None else {
        "code": reason.code, "text": reason.text, "text_en": reason.text_en}


def next_step_to_json(step: NextStep) -> NextStepJSON:
    """``next_step`` as the contract's JSON (§2.1, with yibao's extensions)."""
    return {
        "code": step.code, "coverage_year": step.coverage_year,
        "pay_from": _maybe_day(step.pay_from), "pay_by": _maybe_day(step.pay_by),
        "text": step.text, "text_en": step.text_en,
        "back_pay_years": list(step.back_pay_years), "months_earlier": step.months_earlier,
        "amount_due": _yuan(step.amount_due_fen), "back_pay": _yuan(step.back_pay_fen),
        "total_due": _yuan(step.total_due_fen), "benefit_start": _maybe_day(step.benefit_start),
        "reference_share": _reference(step.reference_share),
        "benefit_start_reason": _reason(step.start_reason),
    }


def quote_to_contract(q: Quote) -> QuoteJSON:
    """The contract's JSON result (contract §2, with yibao's documented extensions)."""
    return {
        "amount_due": _yuan(q.amount_due_fen),
        "breakdown": {
            "individual": _yuan(q.individual_fen),
            "fiscal_subsidy": _yuan(q.fiscal_subsidy_fen),
            "assistance": _yuan(q.assistance_fen),
            "back_pay": _yuan(q.back_pay_fen),
        },
        "benefit_start": None if q.benefit_start is None else _day(q.benefit_start),
        "benefit_end": _day(q.benefit_end),
        "waiting_months": {"fixed": q.waiting_fixed, "variable": q.waiting_variable},
        "rules": [{"id": r.id, "title": r.title, "title_en": r.title_en, "source": r.source,
                   "text": r.text,
                   "text_en": r.text_en, "plain": r.plain, "plain_en": r.plain_en}
                  for r in q.rules],
        "warnings": list(q.warnings),
        "warning_codes": list(q.warning_codes),
        "missing": list(q.missing),
        "main_rule": q.main_rule,
        "lapse_years": q.lapse_years,
        "conventions": [{"id": c.id, "text": c.text, "source": c.source} for c in q.conventions],
        "notes": [{"text": n.text, "source": n.source} for n in q.notes],
        "region": {"code": q.region_code, "name": q.region_name},
        "coverage_year": q.coverage_year,
        "payment_date": _day(q.payment_date),
        "policy_version": q.policy_version,
        "warnings_en": list(q.warnings_en),
        "missing_labels": list(q.missing_labels),
        "missing_labels_en": list(q.missing_labels_en),
        "waiting_days": {"fixed": q.waiting_fixed_days},
        "continuous_years": q.continuous_years,
        "catastrophic_cover": _catastrophic(q),
        # contract §2.1: what to do now
        "total_due": _yuan(q.total_due_fen),
        "back_pay_effect": None if q.back_pay_effect is None else {
            "months_earlier": q.back_pay_effect.months_earlier,
            "benefit_start_without": _maybe_day(q.back_pay_effect.benefit_start_without)},
        "newborn_last_day": _maybe_day(q.newborn_last_day),
        "next_step": None if q.next_step is None else next_step_to_json(q.next_step),
        "benefit_start_reason": _reason(q.start_reason),
        "waiting_from": _maybe_day(q.waiting_from),
        "waiting_until": _maybe_day(q.waiting_until),
        "reference_share": _reference(q.reference_share),
        "birth_year_cover_from": _maybe_day(q.birth_year_cover_from),
    }
