"""The typed answer to one quote: money in fen, dates as ``date``, rule IDs with reasons.

Services pass :class:`Quote` values around; only the edges (API, CLI, pages) turn one
into the contract's JSON (:mod:`yibao.rules.answer_json`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import NewType

from yibao.rules.continuity import CatastrophicRise

__all__ = [
    "AppliedRule",
    "BackPayEffect",
    "Cited",
    "DayText",
    "NextStep",
    "Quote",
    "StartReason",
    "YuanText",
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
