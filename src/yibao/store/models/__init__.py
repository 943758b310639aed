"""Tables of the registry, one module per concept (``base``, ``staff``, ``registry``,
``ledger``, ``audit``), all importable from here: staff and their login throttle, persons, households,
memberships, coverage history, status changes, enrollments, payments and their reversals,
enrollment corrections, newborn pre-registrations, back-payment applications, the
append-only audit log, and channel reconciliation runs with their difference lines.

Money is integer fen. ``paid_at`` is Beijing local time (naive); every ``*_at`` stamp
written by the system is naive UTC.
"""

from __future__ import annotations

from yibao.store.models.audit import AuditEntry, ReconciliationLine, ReconciliationRun
from yibao.store.models.base import Base, utcnow
from yibao.store.models.ledger import Enrollment, EnrollmentCorrection, Payment, PaymentReversal
from yibao.store.models.registry import (
    BackPaymentApplication,
    CoverageHistory,
    Household,
    Person,
    PreRegistration,
    SpecialGroupMembership,
    StatusChange,
)
from yibao.store.models.staff import LoginThrottle, RateLimit, StaffUser

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
