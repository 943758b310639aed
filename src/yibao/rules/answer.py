"""The typed answer to one quote: money in fen, dates as ``date``, rule IDs with reasons.

Services pass :class:`Quote` values around; only the edges (API, CLI, pages) turn
one into the contract's JSON with :func:`quote_to_contract`. :class:`QuoteJSON` declares
that JSON, key by key: the API's response model is derived from it
(:mod:`yibao.services.shapes.quote`), and mypy holds ``quote_to_contract`` to it, so a key
added to the answer is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import NewType, TypedDict

from yibao.rules.continuity import CatastrophicRise
from yibao.rules.money import fen_to_yuan

__all__ = [
    "AppliedRule",
    "BackPayEffect",
    "Cited",
    "DayText",
    "NextStep",
    "Quote",
    "QuoteJSON",
    "StartReason",
    "YuanText",
    "next_step_to_json",
    "quote_to_contract",
]

#: An amount of yuan as the contract writes it ("280.00", "-280.00"); int fen inside.
YuanText = NewType("YuanText", str)
#: A date as the contract writes it ("2025-07-01").
DayText = NewType("DayText", str)


@dataclass(frozen=True, slots=True)
class AppliedRule:
    """A catalogue rule that decided part of the answer: its source, the reason in this
    answer (``text``, ``text_en``) and what it means for the resident (``plain``, ``plain_en``)."""

    id: str
    source: str
    text: str
    title: str = ""
    title_en: str = ""
    text_en: str = ""
    plain: str = ""
    plain_en: str = ""


@dataclass(frozen=True, slots=True)
class Cited:
    """A convention or a note: ``id`` (may be empty), text and citation."""

    text: str
    source: str
    id: str = ""


@dataclass(frozen=True, slots=True)
class BackPayEffect:
    """What the back-pay of an answer buys (C22): how many months earlier cover starts than
    without it, and the start without it (None: no cover that year without it)."""

    months_earlier: int
    benefit_start_without: date | None


@dataclass(frozen=True, slots=True)
class NextStep:
    """The one piece of advice of an answer (contract §2.1, C23, C24).

    ``code``: pay_this_year | pay_next_year | wait_for_next_period | nothing_to_pay;
    ``coverage_year`` the year to pay for now; ``back_pay_years`` the lapse years whose
    back-payment together with that payment brings cover ``months_earlier`` months
    earlier (empty where back-pay brings nothing).  ``amount_due_fen`` is that year's
    amount (without back-pay), ``back_pay_fen`` the advised back-pay's price,
    ``benefit_start`` the first day of cover when the advice is followed.
    """

    code: str
    coverage_year: int
    pay_from: date | None
    pay_by: date | None
    text: str
    text_en: str
    back_pay_years: tuple[int, ...] = ()
    months_earlier: int = 0
    amount_due_fen: int | None = None
    back_pay_fen: int | None = 0
    benefit_start: date | None = None
    reference_share: tuple[int, int] | None = None  # (year, fen) when the year's share is unpublished
    start_reason: StartReason | None = None  # why ``benefit_start`` is after Jan 1

    @property
    def total_due_fen(self) -> int | None:
        """The year's amount plus the advised back-pay (None when either is unknown)."""
        if self.amount_due_fen is None or self.back_pay_fen is None:
            return None
        return self.amount_due_fen + self.back_pay_fen


@dataclass(frozen=True, slots=True)
class StartReason:
    """Why cover starts later than 1 January (or not at all that year), in words (C23):
    ``code`` newborn | newborn_late | lapse | first_enrollment | late_payment | transfer |
    special_group."""

    code: str
    text: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Quote:
    """What a resident owes for one coverage year and when cover starts (contract §2)."""

    region_code: str
    region_name: str
    coverage_year: int
    payment_date: date
    amount_due_fen: int | None
    individual_fen: int | None
    fiscal_subsidy_fen: int | None
    assistance_fen: int | None
    back_pay_fen: int | None
    benefit_start: date | None
    benefit_end: date
    waiting_fixed: int
    waiting_variable: int
    main_rule: str
    lapse_years: int
    rules: tuple[AppliedRule, ...] = ()
    warnings: tuple[str, ...] = ()
    warning_codes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    conventions: tuple[Cited, ...] = ()
    notes: tuple[Cited, ...] = ()
    warnings_en: tuple[str, ...] = ()
    missing_labels: tuple[str, ...] = ()  # ``missing`` in words, same order
    missing_labels_en: tuple[str, ...] = ()
    policy_version: str = ""  # digest of the figures this answer was computed with
    back_pay_years: int = 0  # how many past years this payment also pays for
    waiting_fixed_days: int = 0  # the fixed wait in days where the region counts it so (C32)
    continuous_years: int | None = None  # 连续参保年限 at the coverage year if paid (C36)
    catastrophic: CatastrophicRise | None = None  # the cap rise it earns (Guangxi)
    catastrophic_text: tuple[str, str] = ("", "")  # that rise in words (zh, en)
    back_pay_effect: BackPayEffect | None = None  # present when back_pay_years > 0
    newborn_last_day: date | None = None  # last day of the newborn window (C3)
    next_step: NextStep | None = None
    start_reason: StartReason | None = None  # why cover starts after Jan 1
    waiting_from: date | None = None  # the waiting months count from this day (C6)
    waiting_until: date | None = None  # the day the wait ends (may be after Dec 31)
    reference_share: tuple[int, int] | None = None  # (year, fen): latest published share
    birth_year_cover_from: date | None = None  # a back-paid birth year: cover from birth (C4)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """IDs of every applied rule, in catalogue order."""
        return tuple(r.id for r in self.rules)

    @property
    def total_due_fen(self) -> int | None:
        """The coverage year's amount plus any back-pay (None when a figure is missing)."""
        if self.amount_due_fen is None or (self.back_pay_fen is None and self.back_pay_years):
            return None
        return self.amount_due_fen + (self.back_pay_fen or 0)

    def with_warning(self, code: str, text: str, text_en: str = "") -> Quote:
        """The same answer with one more warning (kept once), and the convention that
        decides it among the answer's conventions (e.g. C21 for ``history_unknown``)."""
        from yibao.rules.conventions import CONVENTIONS
        from yibao.rules.messages import WARNING
        from yibao.rules.sources import RULES_DOC

        if code in self.warning_codes:
            return self
        conventions = self.conventions
        cid = WARNING[code].convention if code in WARNING else None
        if cid and cid not in {c.id for c in conventions}:
            added = Cited(CONVENTIONS[cid].text, f"{RULES_DOC} §6 {cid}", cid)
            conventions = tuple(sorted((*conventions, added), key=lambda c: int(c.id[1:])))
        return replace(self, warnings=(*self.warnings, text),
                       warning_codes=(*self.warning_codes, code),
                       warnings_en=(*self.warnings_en, text_en), conventions=conventions)


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
