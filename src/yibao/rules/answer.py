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

from yibao.rules.money import fen_to_yuan

__all__ = [
    "AppliedRule",
    "Cited",
    "DayText",
    "Quote",
    "QuoteJSON",
    "YuanText",
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
        """The same answer with one more warning (kept once)."""
        if code in self.warning_codes:
            return self
        return replace(self, warnings=(*self.warnings, text),
                       warning_codes=(*self.warning_codes, code),
                       warnings_en=(*self.warnings_en, text_en))


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


def _yuan(fen: int | None) -> YuanText | None:
    return None if fen is None else YuanText(fen_to_yuan(fen))


def _day(day: date) -> DayText:
    return DayText(day.isoformat())


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
    }
