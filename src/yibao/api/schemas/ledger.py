"""Payments, enrollments, reversals, corrections, the audit log and counts."""

from __future__ import annotations

from typing import Any, Literal

from yibao.api.schemas.common import ErrorBody, Out, Page

__all__ = [
    "AuditEntry",
    "AuditPage",
    "BulkItem",
    "BulkResult",
    "Correction",
    "Counts",
    "Enrollment",
    "EnrollmentDetail",
    "EnrollmentPage",
    "Payment",
    "PaymentPage",
    "PaymentRecorded",
    "Reversal",
    "ReversalRecorded",
    "RuleRef",
    "SettleResult",
    "Waiting",
]


class RuleRef(Out):
    """A rule of the catalogue that decided an answer."""

    id: str
    source: str | None
    text: str | None


class Waiting(Out):
    """Waiting months before cover pays."""

    fixed: int | None
    variable: int | None


class Enrollment(Out):
    """A person's cover for one coverage year (ID number masked for auditors)."""

    id: int
    id_number: str | None
    coverage_year: int
    status: str
    region: str
    amount_due: str | None
    amount_paid: str | None
    benefit_start: str | None
    benefit_end: str | None
    waiting_months: Waiting
    rules: list[RuleRef]
    warnings: list[str]
    warning_codes: list[str]
    history_unknown: bool
    policy_version: str | None
    updated_at: str | None


class Payment(Out):
    """A recorded payment: what was expected, how it settled, how much was reversed."""

    id: int | None
    channel: str
    channel_txn_id: str
    id_number: str | None
    coverage_year: int
    amount: str | None
    expected: str | None
    difference: str | None
    settlement: str
    reversed: str | None
    paid_at: str | None
    payer: str | None
    receipt_number: str | None
    enrollment_id: int | None
    recorded_by: str | None
    created_at: str | None


class Reversal(Out):
    """A refund or a channel reversal of a payment."""

    id: int
    payment_id: int
    kind: Literal["refund", "reversal"]
    amount: str | None
    reason: str
    reference: str
    recorded_by: str
    created_at: str | None


class Correction(Out):
    """An admin's correction of an enrollment's cover."""

    id: int
    enrollment_id: int
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    corrected_by: str
    created_at: str | None


class EnrollmentDetail(Enrollment):
    """An enrollment with its payments, their reversals and its corrections."""

    payments: list[Payment]
    reversals: list[Reversal]
    corrections: list[Correction]


class PaymentRecorded(Out):
    """``POST /payments``: the payment and the enrollment it settled (201, or 200 on replay)."""

    payment: Payment
    enrollment: Enrollment


class BulkItem(Out):
    """One item of a bulk request: created, replayed, conflict or error."""

    index: int
    status: Literal["created", "replayed", "conflict", "error"]
    payment: Payment | None = None
    enrollment: Enrollment | None = None
    error: ErrorBody | None = None


class BulkResult(Out):
    """Per-item results in input order, and counts (``errors`` includes conflicts)."""

    results: list[BulkItem]
    created: int
    replayed: int
    errors: int


class ReversalRecorded(Out):
    """A reversal or refund with the payment and enrollment after it."""

    reversal: Reversal
    payment: Payment
    enrollment: Enrollment


class SettleError(Out):
    """A pending enrollment that could not be settled."""

    enrollment_id: int
    code: str


class SettleResult(Out):
    """What ``yibao payments settle`` did."""

    settled: int
    still_pending: int
    errors: list[SettleError]


class PaymentPage(Page):
    """A page of payments."""

    items: list[Payment]


class EnrollmentPage(Page):
    """A page of enrollments."""

    items: list[Enrollment]


class AuditEntry(Out):
    """Who did what, when, to what; the state before and after (ID numbers masked)."""

    id: int
    at: str | None
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Page):
    """A page of audit entries, newest first."""

    items: list[AuditEntry]


class _PersonsCount(Out):
    region: str
    count: int


class _EnrollmentsCount(Out):
    region: str
    coverage_year: int
    status: str
    count: int
    amount_due: str | None
    amount_paid: str | None


class _PaymentsCount(Out):
    region: str
    coverage_year: int
    settlement: str
    count: int
    amount: str | None


class _Totals(Out):
    persons: int
    enrollments: int
    payments: int
    amount: str | None


class Counts(Out):
    """Counts and sums by region, year and status, computed by the database."""

    coverage_year: int | None
    region: str | None
    years: list[int]
    persons: list[_PersonsCount]
    enrollments: list[_EnrollmentsCount]
    payments: list[_PaymentsCount]
    totals: _Totals
