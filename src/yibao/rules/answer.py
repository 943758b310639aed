"""The typed answer to one quote: money in fen, dates as ``date``, rule IDs with reasons.

Services pass :class:`Quote` values around; only the edges (API, CLI, pages) turn
one into the contract's JSON with :func:`quote_to_contract`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from yibao.rules.continuity import CatastrophicRise
from yibao.rules.money import fen_to_yuan

__all__ = [
    "AppliedRule",
    "Cited",
    "Quote",
    "quote_to_contract",
]


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
    waiting_fixed_days: int = 0  # the fixed wait in days where the region counts it so (C32)
    continuous_years: int | None = None  # 连续参保年限 at the coverage year if paid (C36)
    catastrophic: CatastrophicRise | None = None  # the cap rise it earns (Guangxi)
    catastrophic_text: tuple[str, str] = ("", "")  # that rise in words (zh, en)

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


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def _catastrophic(q: Quote) -> dict[str, Any] | None:
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


def quote_to_contract(q: Quote) -> dict[str, Any]:
    """The contract's JSON result (contract §2, with yibao's documented extensions)."""
    return {
        "amount_due": _yuan(q.amount_due_fen),
        "breakdown": {
            "individual": _yuan(q.individual_fen),
            "fiscal_subsidy": _yuan(q.fiscal_subsidy_fen),
            "assistance": _yuan(q.assistance_fen),
            "back_pay": _yuan(q.back_pay_fen),
        },
        "benefit_start": None if q.benefit_start is None else q.benefit_start.isoformat(),
        "benefit_end": q.benefit_end.isoformat(),
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
        "payment_date": q.payment_date.isoformat(),
        "policy_version": q.policy_version,
        "warnings_en": list(q.warnings_en),
        "missing_labels": list(q.missing_labels),
        "missing_labels_en": list(q.missing_labels_en),
        "waiting_days": {"fixed": q.waiting_fixed_days},
        "continuous_years": q.continuous_years,
        "catastrophic_cover": _catastrophic(q),
    }
