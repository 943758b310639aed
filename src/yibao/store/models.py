"""Tables of the registry: staff and their login throttle, persons, households,
memberships, coverage history, status changes, enrollments, payments and their reversals,
enrollment corrections, newborn pre-registrations, back-payment applications, the
append-only audit log, and channel reconciliation runs with their difference lines.

Money is integer fen. ``paid_at`` is Beijing local time (naive); every ``*_at`` stamp
written by the system is naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuditEntry",
    "BackPaymentApplication",
    "Base",
    "CoverageHistory",
    "Enrollment",
    "EnrollmentCorrection",
    "Household",
    "LoginThrottle",
    "Payment",
    "PaymentReversal",
    "Person",
    "PreRegistration",
    "RateLimit",
    "ReconciliationLine",
    "ReconciliationRun",
    "SpecialGroupMembership",
    "StaffUser",
    "StatusChange",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC now (the stamp stored in every ``*_at`` column the system writes)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (for migrations on both databases)."""

    metadata = MetaData(naming_convention=NAMING)


class StaffUser(Base):
    """A staff account: clerk, auditor or admin."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Raised on logout and disable: every token issued before carries an older version.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: GB/T 2260 code the account is limited to (with the regions under it); null:
    #: province-wide (yibao.services.scope).
    region: Mapped[str | None] = mapped_column(String(6))


class LoginThrottle(Base):
    """Recent wrong passwords per account (``user:NAME``) or client address (``addr:IP``)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RateLimit(Base):
    """A fixed-window counter shared by every server process and host (the public
    look-up's limits): ``key`` names what is counted (a keyed hash, never an ID number)."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: When the window ends; rows whose window ended are deleted now and then.
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


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


class Enrollment(Base):
    """One person's cover for one coverage year, with the engine's dates and rule IDs.

    The dates are fixed by the anchor payment (the earliest recorded payment of the year
    that is not wholly reversed) and change afterwards only through an
    :class:`EnrollmentCorrection` or when the anchor itself is reversed. Status: ``open`` (nothing
    paid yet), ``pending`` (paid, figures unpublished), ``paid``, ``underpaid``,
    ``overpaid``, ``cancelled`` (every payment reversed or refunded).
    """

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("person_id", "coverage_year"),
        Index("ix_enrollments_region_year", "region", "coverage_year"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    coverage_year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(6))
    amount_due_fen: Mapped[int | None] = mapped_column(BigInteger)
    amount_paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    benefit_start: Mapped[dt.date | None] = mapped_column(Date)
    benefit_end: Mapped[dt.date | None] = mapped_column(Date)
    waiting_fixed: Mapped[int] = mapped_column(Integer, default=0)
    waiting_variable: Mapped[int] = mapped_column(Integer, default=0)
    rule_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warning_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: ``registry`` (lapse from the registry's history) or ``unknown`` (history unknown).
    history_basis: Mapped[str] = mapped_column(
        String(16), default="registry", server_default="registry"
    )
    policy_version: Mapped[str | None] = mapped_column(String(16))
    #: What is still owed after the payments received: due − paid while underpaid, else 0
    #: (fen). Renewal reminders and notices ask for it; ``payments settle`` lists it.
    balance_due_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: Why cover starts after 1 January, as the answer that fixed the cover said it
    #: (``{"code", "text", "text_en"}``, contract §2.1 ``benefit_start_reason``); null when
    #: it starts on 1 January or is not fixed yet.
    start_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class EnrollmentCorrection(Base):
    """An admin's explicit change of an enrollment's cover, with the reason and both states."""

    __tablename__ = "enrollment_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    corrected_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Payment(Base):
    """A contribution received from a channel; (channel, channel_txn_id) is unique."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("channel", "channel_txn_id", name="uq_payments_channel_txn"),
        Index("ix_payments_year_settlement", "coverage_year", "settlement"),
        #: the anchor of an enrollment: its payments in the order they were recorded
        Index("ix_payments_enrollment_anchor", "enrollment_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    channel_txn_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    coverage_year: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    expected_fen: Mapped[int | None] = mapped_column(BigInteger)
    difference_fen: Mapped[int | None] = mapped_column(BigInteger)
    settlement: Mapped[str] = mapped_column(String(16))
    #: Sum of the refunds and channel reversals recorded against this payment.
    reversed_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    paid_at: Mapped[dt.datetime] = mapped_column(DateTime)
    payer: Mapped[str] = mapped_column(String(64), default="")
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    #: What the payer stated about this payment for the quote (back-paid years, end of
    #: employee insurance, hardship deferral), so that a pending year can be quoted later.
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PaymentReversal(Base):
    """A refund by the bureau or a reversal reported by the channel, against one payment.

    ``reference`` (the refund voucher or the channel's reversal ID) is unique per payment,
    so a reversal is recorded once however often it is reported.
    """

    __tablename__ = "payment_reversals"
    __table_args__ = (UniqueConstraint("payment_id", "reference"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: ``recorded`` (applied), ``pending_approval`` (a clerk's that would cancel or shorten
    #: cover, waiting for an admin), ``rejected``. Only ``recorded`` ones moved money.
    status: Mapped[str] = mapped_column(String(24), default="recorded",
                                        server_default="recorded", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: For a request waiting for approval: the enrollment's cover before and as it would
    #: be after (``{"before": {...}, "after": {...}}``), shown to the admin who decides.
    effect: Mapped[dict[str, Any] | None] = mapped_column(JSON)


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


class AuditEntry(Base):
    """Append-only: who did what, when, to what, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReconciliationRun(Base):
    """One reconciliation of a channel's statement against the ledger (``yibao reconcile``).

    ``counts`` holds the integer counts and fen totals of the run (see
    :mod:`yibao.operations.reconcile.matching`); the difference lines are
    :class:`ReconciliationLine` rows. Written once, never changed.
    """

    __tablename__ = "reconciliation_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64))
    year_from: Mapped[int | None] = mapped_column(Integer)
    year_to: Mapped[int | None] = mapped_column(Integer)
    import_missing: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ReconciliationLine(Base):
    """A difference line of a run: its category, the statement's line, amounts in fen.

    ID numbers are stored masked; ``person_id`` links a known person. ``outcome`` is what
    ``--import-missing`` did with a line missing from the ledger (``created``, ``replayed``
    or the error code that stopped it).
    """

    __tablename__ = "reconciliation_lines"
    __table_args__ = (Index("ix_reconciliation_lines_run_category", "run_id", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"))
    category: Mapped[str] = mapped_column(String(32))
    line: Mapped[int | None] = mapped_column(Integer)
    channel_txn_id: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    person_id: Mapped[int | None] = mapped_column(Integer)
    coverage_year: Mapped[int | None] = mapped_column(Integer)
    statement_fen: Mapped[int | None] = mapped_column(BigInteger)
    ledger_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(48))
