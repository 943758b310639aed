"""The registry: households, persons, special-group memberships, coverage history before
the registry, status changes, newborn pre-registrations and back-payment applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yibao.store.models.base import Base, utcnow

__all__ = [
    "BackPaymentApplication",
    "CoverageHistory",
    "Household",
    "Person",
    "PreRegistration",
    "SpecialGroupMembership",
    "StatusChange",
]


class Household(Base):
    """A household (户), usually one hukou booklet."""

    __tablename__ = "households"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200), default="")
    head_person_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Person(Base):
    """A resident. ``id_number`` is null only for a pre-registered newborn (其他个人证件)."""

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    document_type: Mapped[str] = mapped_column(String(16), default="resident_id")
    name: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(6), index=True)
    hukou_region: Mapped[str] = mapped_column(String(6))
    residence_permit: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility_category: Mapped[str | None] = mapped_column(String(32))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    #: When the years covered before the registry were first declared or imported;
    #: null = that history is unknown (answers say so instead of assuming it).
    history_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[SpecialGroupMembership]] = relationship(
        back_populates="person", order_by="SpecialGroupMembership.valid_from"
    )


class SpecialGroupMembership(Base):
    """Membership of a special group (特困, 低保, ...) for a period, with its source."""

    __tablename__ = "special_group_memberships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="memberships")


class CoverageHistory(Base):
    """A coverage year with resident or employee cover before the person entered the registry.

    ``source``: ``declared`` (at registration or by a clerk), ``imported`` (``yibao history
    import``) or ``payment`` (given with a payment while the history was unknown).
    """

    __tablename__ = "coverage_history"
    __table_args__ = (UniqueConstraint("person_id", "coverage_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    coverage_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StatusChange(Base):
    """A change of a person's status that some regions exempt from waiting (contract §2.2):
    released from prison, discharged from the army, certified severely disabled, with the
    day it began and the document it rests on (docs/rules.md C37).

    Never deleted: a mistaken entry is withdrawn (``withdrawn_at``, by whom, why) and then
    no longer read by quotes.
    """

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    began_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)


class PreRegistration(Base):
    """Newborn pre-registration at the birth hospital; lapses 3 months after birth if unpaid."""

    __tablename__ = "preregistrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    birth_hospital: Mapped[str] = mapped_column(String(120))
    parent_id_number: Mapped[str] = mapped_column(String(18))
    parent_name: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class BackPaymentApplication(Base):
    """An application to back-pay missed years (seed 001 补缴流程)."""

    __tablename__ = "back_payment_applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    application_type: Mapped[str] = mapped_column(String(32))
    submitted_via: Mapped[str] = mapped_column(String(16))
    years: Mapped[list[Any]] = mapped_column(JSON, default=list)
    materials: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
