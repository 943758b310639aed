"""Shapes of the registry's checks and events of issue 18: a person's status changes, the
eligibility check of a registration, continuous years, and newborns whose hukou
conversion is due."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from yibao.rules.answer_json import CatastrophicJSON
from yibao.services.shapes.base import Moment, Page, Shape
from yibao.services.shapes.ledger import Waiting
from yibao.services.shapes.quote import shape_of
from yibao.services.shapes.registry import PersonDetail, PreRegistration

__all__ = [
    "Continuity",
    "ConversionDue",
    "ConversionDuePage",
    "EligibilityCheck",
    "EligibilityNote",
    "PersonRegistered",
    "StatusChange",
    "StatusChangeRecorded",
    "StatusChangeReview",
    "YearContinuity",
]

#: The catastrophic-cover rise of an answer (``catastrophic_cover``), the quote's own shape.
Catastrophic = shape_of(CatastrophicJSON)


class StatusChange(Shape):
    """A status change of a person (contract §2.2), as recorded; withdrawn ones are kept
    with who withdrew them and why, and no quote reads them."""

    id: int
    person_id: int
    kind: str
    date: dt.date
    source: str
    recorded_by: str
    created_at: Moment | None
    withdrawn: bool
    withdrawn_at: Moment | None
    withdrawn_by: str | None
    withdraw_reason: str | None


class StatusChangeReview(Shape):
    """An enrollment fixed before the status change was recorded that it would change:
    left as it is, for an admin to correct (recompute) on purpose."""

    enrollment_id: int
    coverage_year: int
    benefit_start: dt.date | None
    benefit_start_with_change: dt.date | None
    waiting_months_with_change: Waiting


class StatusChangeRecorded(Shape):
    """The status change just recorded, and the enrollments it would change."""

    status_change: StatusChange
    review: list[StatusChangeReview]


class EligibilityNote(Shape):
    """Something the clerk should check about a registration that was accepted."""

    code: str
    text: str
    text_en: str


class EligibilityCheck(Shape):
    """Which category of 参保范围 admits the person, why, and what to check (C38)."""

    category: str
    category_name: str
    category_name_en: str
    basis: str
    basis_en: str
    notes: list[EligibilityNote]
    source: str


class PersonRegistered(PersonDetail):
    """A person just registered, with the eligibility check of the registration."""

    eligibility: EligibilityCheck


class YearContinuity(Shape):
    """连续参保年限 at one coverage year, as the engine counts it (C36) from the registry's
    history (C39): ``paid`` — the year as paid through the registry (its cover at its
    payment); ``declared`` — a year covered before the registry; ``if_paid`` — if paid on
    ``payment_date``; ``not_open`` / ``closed`` — no payment can be quoted for it now."""

    coverage_year: int
    basis: Literal["paid", "declared", "if_paid", "not_open", "closed"]
    payment_date: dt.date | None
    continuous_years: int | None
    catastrophic_cover: Catastrophic | None  # type: ignore[valid-type]


class Continuity(Shape):
    """A person's continuous years as the registry knows them; ``history_known`` false: the
    years before the registry are unknown, so the count is not the registry's (C39)."""

    history_known: bool
    years: list[YearContinuity]


class ConversionDue(Shape):
    """A paid-for newborn pre-registration still waiting for the hukou conversion
    (《贵港市2021年度城乡居民医保参保缴费指南》四.1): the last day of the newborn window (C3) by
    which the hukou and the formal registration are due, and whether it has passed."""

    pre_registration: PreRegistration
    deadline: dt.date | None
    days_left: int | None
    overdue: bool


class ConversionDuePage(Page):
    """Newborns whose hukou conversion is due, the earliest deadline first."""

    as_of: dt.date
    items: list[ConversionDue]
