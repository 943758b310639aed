"""Persons, their memberships and coverage history, households, newborn
pre-registrations, back-payment applications, and a person's whole record."""

from __future__ import annotations

import datetime as dt

from yibao.services.shapes.base import Moment, Page, Shape
from yibao.services.shapes.ledger import AuditEntry, Enrollment, Payment, Waiting

__all__ = [
    "Application",
    "ApplicationPage",
    "History",
    "HistoryAdded",
    "HistoryReview",
    "Household",
    "HouseholdMember",
    "HouseholdPage",
    "HouseholdSummary",
    "MemberName",
    "Membership",
    "Person",
    "PersonDetail",
    "PersonPage",
    "PersonRecord",
    "PreRegistration",
    "PreRegistrationPage",
    "RecordMember",
    "YearRecord",
]


class Membership(Shape):
    """A special-group membership."""

    id: int
    group: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


class Person(Shape):
    """A resident; ``id_number`` masked for auditors (``id_number_masked``), and then
    ``birth_date`` null: the year (``birth_year``) at most, or the two would rebuild the
    number."""

    id: int
    id_number: str | None
    id_number_masked: bool
    document_type: str | None
    name: str
    birth_date: dt.date | None
    birth_year: int | None
    sex: str | None
    region: str
    hukou_region: str | None
    residence_permit: bool | None
    eligibility_category: str | None
    household_id: int | None
    history_known: bool
    created_at: Moment | None
    updated_at: Moment | None


class PersonDetail(Person):
    """A resident with special-group memberships (one person's answer)."""

    special_groups: list[Membership]


class PersonPage(Page):
    """A page of persons."""

    items: list[Person]


class YearRecord(Shape):
    """A year covered before the registry: where it comes from, who recorded it."""

    year: int
    source: str
    reference: str | None
    recorded_by: str | None
    recorded_at: Moment | None


class History(Shape):
    """Coverage years as the registry knows them."""

    known: bool
    recorded_at: Moment | None
    covered_years: list[int]
    before_registry: list[YearRecord]
    paid_through_registry: list[int]


class HistoryReview(Shape):
    """An enrollment computed while the history was unknown that the history would change."""

    enrollment_id: int
    coverage_year: int
    benefit_start: dt.date | None
    benefit_start_from_history: dt.date | None
    waiting_months_from_history: Waiting


class HistoryAdded(History):
    """History after declaring years, and enrollments the new years would change."""

    added: list[int]
    skipped_registry_years: list[int]
    review: list[HistoryReview]


class HouseholdMember(Shape):
    """A member of a household (ID number as the actor may see it)."""

    id: int
    id_number: str | None
    name: str


class MemberName(Shape):
    """A member in a list of households: row id and name only."""

    id: int
    name: str


class Household(Shape):
    """A household and its members."""

    id: int
    region: str
    address: str | None
    head_person_id: int | None
    members: list[HouseholdMember]
    created_at: Moment | None


class HouseholdSummary(Shape):
    """A household in a list: members by row id and name."""

    id: int
    region: str
    address: str | None
    head_person_id: int | None
    members: list[MemberName]
    created_at: Moment | None


class HouseholdPage(Page):
    """A page of households."""

    items: list[HouseholdSummary]


class PreRegistration(Shape):
    """A newborn pre-registered at the birth hospital."""

    id: int
    status: str
    person_id: int
    newborn_name: str
    #: null for an account that sees ID numbers masked (``birth_year`` only)
    birth_date: dt.date | None
    birth_year: int | None
    sex: str | None
    region: str
    id_number: str | None
    document_type: str | None
    birth_hospital: str
    parent_id_number: str | None
    parent_name: str
    expires_on: dt.date | None
    created_at: Moment | None
    updated_at: Moment | None


class PreRegistrationPage(Page):
    """A page of pre-registrations."""

    items: list[PreRegistration]


class Application(Shape):
    """A back-payment application, its decision, and the required materials not ticked."""

    id: int
    id_number: str | None
    person_id: int
    type: str
    submitted_via: str
    years: list[int]
    materials: dict[str, bool]
    status: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: Moment | None
    created_by: str
    created_at: Moment | None
    missing_materials: list[str]


class ApplicationPage(Page):
    """A page of applications."""

    items: list[Application]


class RecordMember(Shape):
    """Another member of the person's household (``birth_date`` null, the year only, for
    an account that sees ID numbers masked)."""

    id: int
    name: str
    birth_date: dt.date | None
    birth_year: int


class PersonRecord(Shape):
    """Everything the console shows of one person, read in one transaction; ``audit`` is
    the trail for auditors and admins (null for clerks)."""

    person: PersonDetail
    history: History
    enrollments: list[Enrollment]
    payments: list[Payment]
    household_members: list[RecordMember]
    audit: list[AuditEntry] | None
