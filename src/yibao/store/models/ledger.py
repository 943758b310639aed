"""The ledger: enrollments and their corrections, payments (money in integer fen;
``paid_at`` Beijing local time, naive) and their reversals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yibao.store.models.base import Base, utcnow

__all__ = ["Enrollment", "EnrollmentCorrection", "Payment", "PaymentReversal"]


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
