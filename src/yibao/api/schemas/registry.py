"""Persons, their history and quotes, households, pre-registrations, applications."""

from __future__ import annotations

from typing import Any

from yibao.api.schemas.common import Out, Page
from yibao.api.schemas.ledger import Enrollment, RuleRef, Waiting

__all__ = [
    "Application",
    "ApplicationPage",
    "History",
    "HistoryAdded",
    "Household",
    "HouseholdPage",
    "Membership",
    "Person",
    "PersonPage",
    "PersonQuote",
    "PreRegistration",
    "PreRegistrationPage",
    "Quote",
]


class Membership(Out):
    """A special-group membership."""

    id: int
    group: str
    valid_from: str | None
    valid_to: str | None
    source: str


class Person(Out):
    """A resident; ``id_number`` masked for auditors (``id_number_masked``)."""

    id: int
    id_number: str | None
    id_number_masked: bool
    document_type: str | None
    name: str
    birth_date: str | None
    sex: str | None
    region: str
    hukou_region: str | None
    residence_permit: bool | None
    eligibility_category: str | None
    household_id: int | None
    history_known: bool
    created_at: str | None
    updated_at: str | None
    special_groups: list[Membership] | None = None


class PersonPage(Page):
    """A page of persons."""

    items: list[Person]


class _YearRecord(Out):
    year: int
    source: str
    reference: str | None
    recorded_by: str | None
    recorded_at: str | None


class History(Out):
    """Coverage years as the registry knows them."""

    known: bool
    recorded_at: str | None
    covered_years: list[int]
    before_registry: list[_YearRecord]
    paid_through_registry: list[int]


class _Review(Out):
    enrollment_id: int
    coverage_year: int
    benefit_start: str | None
    benefit_start_from_history: str | None
    waiting_months_from_history: Waiting


class HistoryAdded(History):
    """History after declaring years, and enrollments the new years would change."""

    added: list[int]
    skipped_registry_years: list[int]
    review: list[_Review]


class _Breakdown(Out):
    individual: str | None
    fiscal_subsidy: str | None
    assistance: str | None
    back_pay: str | None


class _Cited(Out):
    text: str
    source: str | None


class _Convention(_Cited):
    id: str


class _RegionRef(Out):
    code: str
    name: str


class _BackPayEffect(Out):
    months_earlier: int
    benefit_start_without: str | None


class _ReferenceShare(Out):
    year: int
    amount: str


class _StartReason(Out):
    code: str
    text: str
    text_en: str


class _NextStep(Out):
    """Contract §2.1: the one piece of advice (docs/rules.md C23, C24)."""

    code: str
    coverage_year: int
    pay_from: str | None
    pay_by: str | None
    text: str
    text_en: str
    back_pay_years: list[int]
    months_earlier: int
    amount_due: str | None
    back_pay: str | None
    total_due: str | None
    benefit_start: str | None
    reference_share: _ReferenceShare | None
    benefit_start_reason: _StartReason | None = None


class Quote(Out):
    """The contract's quote result (section 2, 2.1) with yibao's documented extensions."""

    amount_due: str | None
    breakdown: _Breakdown
    benefit_start: str | None
    benefit_end: str | None
    waiting_months: Waiting
    rules: list[RuleRef]
    warnings: list[str]
    warning_codes: list[str]
    missing: list[str]
    main_rule: str | None
    lapse_years: int | None
    conventions: list[_Convention]
    notes: list[_Cited]
    region: _RegionRef
    coverage_year: int
    payment_date: str
    total_due: str | None = None
    back_pay_effect: _BackPayEffect | None = None
    newborn_last_day: str | None = None
    next_step: _NextStep | None = None
    benefit_start_reason: _StartReason | None = None
    waiting_from: str | None = None
    waiting_until: str | None = None
    reference_share: _ReferenceShare | None = None
    birth_year_cover_from: str | None = None


class PersonQuote(Quote):
    """A registered person's quote from the registry's facts and history."""

    history: History
    history_unknown: bool
    special_group: str | None
    person: Person
    enrollment: Enrollment | None


class _Member(Out):
    id: int
    id_number: str | None = None  # not in lists of households
    name: str


class Household(Out):
    """A household and its members."""

    id: int
    region: str
    address: str | None
    head_person_id: int | None
    members: list[_Member]
    created_at: str | None


class HouseholdPage(Page):
    """A page of households."""

    items: list[Household]


class PreRegistration(Out):
    """A newborn pre-registered at the birth hospital."""

    id: int
    status: str
    person_id: int
    newborn_name: str
    birth_date: str | None
    sex: str | None
    region: str
    id_number: str | None
    document_type: str | None
    birth_hospital: str
    parent_id_number: str | None
    parent_name: str
    expires_on: str | None
    created_at: str | None
    updated_at: str | None


class PreRegistrationPage(Page):
    """A page of pre-registrations."""

    items: list[PreRegistration]


class Application(Out):
    """A back-payment application and its decision."""

    id: int
    id_number: str | None
    person_id: int
    type: str
    submitted_via: str
    years: list[int]
    materials: dict[str, Any]
    status: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    created_by: str
    created_at: str | None
    missing_materials: list[str]


class ApplicationPage(Page):
    """A page of applications."""

    items: list[Application]
