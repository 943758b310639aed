"""Enrollments, payments, reversals and corrections, their pages, bulk and settling
results, registry counts, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field

from yibao.services.shapes.base import ErrorBody, Moment, Page, Shape, Yuan

__all__ = [
    "AuditEntry",
    "AuditPage",
    "BulkDone",
    "BulkFailed",
    "BulkResult",
    "Correction",
    "Counts",
    "CountsTotals",
    "CoverSnapshot",
    "Enrollment",
    "EnrollmentCount",
    "EnrollmentDetail",
    "EnrollmentPage",
    "Payment",
    "PaymentCount",
    "PaymentPage",
    "PaymentRecorded",
    "PendingReversal",
    "PersonsCount",
    "Reversal",
    "ReversalEffect",
    "ReversalPage",
    "ReversalRecorded",
    "RuleRef",
    "SettleError",
    "SettleResult",
    "StartReason",
    "Waiting",
]


class RuleRef(Shape):
    """A rule of the catalogue that decided an enrollment's cover."""

    id: str
    source: str | None
    text: str | None


class Waiting(Shape):
    """Waiting months before cover pays."""

    fixed: int | None
    variable: int | None


class StartReason(Shape):
    """Why cover starts after 1 January (contract §2.1 ``benefit_start_reason``), as the
    answer that fixed the cover said it: ``code`` and the words in both languages."""

    code: str
    text: str
    text_en: str


class Enrollment(Shape):
    """A person's cover for one coverage year (ID number masked for auditors);
    ``history_unknown`` when its lapse could not be read from the registry;
    ``balance_due`` what is still owed while underpaid (0 otherwise);
    ``benefit_start_reason`` why cover starts after 1 January (null on 1 January, or when
    the cover was fixed before the registry recorded reasons)."""

    id: int
    id_number: str | None
    coverage_year: int
    status: str
    region: str
    amount_due: Yuan | None
    amount_paid: Yuan | None
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    waiting_months: Waiting
    rules: list[RuleRef]
    warnings: list[str]
    warning_codes: list[str]
    history_unknown: bool
    policy_version: str | None
    updated_at: Moment | None
    balance_due: Yuan = 0
    benefit_start_reason: StartReason | None = None


class Payment(Shape):
    """A recorded payment: what was expected, how it settled, how much was reversed."""

    id: int | None
    channel: str
    channel_txn_id: str
    id_number: str | None
    coverage_year: int
    amount: Yuan | None
    expected: Yuan | None
    difference: Yuan | None
    settlement: str
    reversed: Yuan | None
    paid_at: Moment | None
    payer: str | None
    receipt_number: str | None
    enrollment_id: int | None
    recorded_by: str | None
    created_at: Moment | None


class Reversal(Shape):
    """A refund or a channel reversal of a payment."""

    id: int
    payment_id: int
    kind: Literal["refund", "reversal"]
    amount: Yuan | None
    reason: str
    reference: str
    recorded_by: str
    created_at: Moment | None
    #: ``recorded`` (applied), ``pending_approval`` (a clerk's request that would cancel
    #: or shorten cover, or a clerk's refund: nothing changed until an admin approves),
    #: ``rejected``.
    status: Literal["recorded", "pending_approval", "rejected"]
    decided_by: str | None
    decided_at: Moment | None
    decision_note: str | None


class CoverSnapshot(Shape):
    """An enrollment's cover as corrections and the audit log keep it (amounts in fen)."""

    status: str
    amount_due_fen: int | None
    amount_paid_fen: int
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    waiting_fixed: int
    waiting_variable: int
    rule_ids: list[str]


class Correction(Shape):
    """An admin's correction of an enrollment's cover: reason, who, when, before and after."""

    id: int
    enrollment_id: int
    reason: str
    before: CoverSnapshot
    after: CoverSnapshot
    corrected_by: str
    created_at: Moment | None


class EnrollmentDetail(Enrollment):
    """An enrollment with its payments, their reversals and its corrections."""

    payments: list[Payment]
    reversals: list[Reversal]
    corrections: list[Correction]


class EnrollmentPage(Page):
    """A page of enrollments."""

    items: list[Enrollment]


class PaymentPage(Page):
    """A page of payments."""

    items: list[Payment]


class PaymentRecorded(Shape):
    """A recorded payment and the enrollment it settled (201, or 200 on replay: the
    first answer, stored with the payment and read again)."""

    payment: Payment
    enrollment: Enrollment


class BulkDone(Shape):
    """One item of a bulk request that was recorded (or replayed)."""

    index: int
    status: Literal["created", "replayed"]
    payment: Payment
    enrollment: Enrollment


class BulkFailed(Shape):
    """One item of a bulk request that was refused: a conflict or an error."""

    index: int
    status: Literal["conflict", "error"]
    error: ErrorBody


class BulkResult(Shape):
    """Per-item results in input order, and counts (``errors`` includes conflicts)."""

    results: list[Annotated[BulkDone | BulkFailed, Field(discriminator="status")]]
    created: int
    replayed: int
    errors: int


class ReversalRecorded(Shape):
    """A reversal or refund with the payment and enrollment after it."""

    reversal: Reversal
    payment: Payment
    enrollment: Enrollment


class ReversalEffect(Shape):
    """What a reversal waiting for approval would do to the enrollment's cover (as it
    stood when the clerk asked)."""

    before: CoverSnapshot
    after: CoverSnapshot


class PendingReversal(Shape):
    """A reversal or refund with its evidence for the admin who decides it: the request
    (reference, reason, who asked), the payment, the enrollment now, the person (row id
    and name) and the effect on the cover."""

    reversal: Reversal
    payment: Payment
    enrollment: Enrollment
    person_id: int
    person_name: str
    effect: ReversalEffect | None


class ReversalPage(Page):
    """A page of reversals and refunds with their evidence, oldest first."""

    items: list[PendingReversal]


class SettleError(Shape):
    """A pending enrollment that could not be settled, and why (a code)."""

    enrollment_id: int
    code: str


class SettleResult(Shape):
    """What settling did: enrollments settled and their payments, still pending (figures
    unpublished), errors; ``underpaid`` of the settled now owe ``balance_due`` in all (less
    was paid than is due: the difference stays on each enrollment)."""

    settled: int
    still_pending: int
    errors: list[SettleError]
    payments: int
    underpaid: int
    balance_due: Yuan


class AuditEntry(Shape):
    """Who did what, when, to what; the state before and after (ID numbers masked)."""

    id: int
    at: Moment | None
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Page):
    """A page of audit entries, newest first."""

    items: list[AuditEntry]


class PersonsCount(Shape):
    """Persons registered in one region."""

    region: str
    count: int


class EnrollmentCount(Shape):
    """Enrollments of one region, year and status, with what is due and paid."""

    region: str
    coverage_year: int
    status: str
    count: int
    amount_due: Yuan
    amount_paid: Yuan


class PaymentCount(Shape):
    """Payments by the region of their enrollment, year and settlement, net of reversals."""

    region: str
    coverage_year: int
    settlement: str
    count: int
    amount: Yuan


class CountsTotals(Shape):
    """The sums of the rows."""

    persons: int
    enrollments: int
    payments: int
    amount: Yuan


class Counts(Shape):
    """Counts and sums by region, year and status, computed by the database."""

    coverage_year: int | None
    region: str | None
    years: list[int]
    persons: list[PersonsCount]
    enrollments: list[EnrollmentCount]
    payments: list[PaymentCount]
    totals: CountsTotals
