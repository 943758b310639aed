"""Typed shapes of what the services answer: one frozen Pydantic model per resource,
declared once, returned by the services, declared by the API's routers as their
``response_model`` and read by the console's templates.

    person = get_person(db, actor, "45080219850709213X")     # a PersonDetail
    person.birth_date                                          # datetime.date
    payment.amount                                             # int fen: 28000
    payment.model_dump(mode="json")["amount"]                  # "280.00"

Why Pydantic models here, and not dataclasses inside with API schemas beside them: the
shape of an answer was written twice (a dict built by ``services/views.py``, a schema in
``api/schemas/``), and the two drifted (a quote schema with 16 of the answer's 20 keys,
``extra="allow"`` so that nobody noticed). One model is both: typed values inside (money
as int fen, dates as ``date``, moments as ``datetime``), exactly the contract's JSON at
the edge. So:

- **Frozen, ``extra="forbid"``** (:class:`~yibao.services.shapes.base.Shape`): an answer
  cannot carry a key its model does not declare; the OpenAPI document lists every key.
- **Money is** :data:`~yibao.services.shapes.base.Yuan`: ``int`` fen, serialised as the
  contract's yuan string ("280.00", a JSON schema of a string pattern). The same type
  parses "280.00" back, for answers stored as JSON and read again (a payment's replay
  answers its first answer, stored with the payment).
- **Moments are** :data:`~yibao.services.shapes.base.Moment` (ISO text as ``isoformat``
  writes it, so the JSON is byte for byte what it was); dates are ``date``.
- **No key is sometimes absent**: where two answers differ by a key, they are two shapes
  (``Person`` in lists, ``PersonDetail`` with memberships; ``Household`` and
  ``HouseholdSummary``; a bulk item ``BulkDone`` or ``BulkFailed``).
- **The quote** is declared once as the ``TypedDict`` ``yibao.rules.answer_json.QuoteJSON``
  (the rules stay free of Pydantic); :mod:`~yibao.services.shapes.quote` derives its
  shape from it.

Services build shapes from rows in ``services/views.py``; the API's ``api/schemas`` only
adds what is the API's own (login answers, the public reference lists, error bodies).
"""

from __future__ import annotations

from yibao.services.shapes.base import YUAN_TEXT, ErrorBody, ErrorOut, Moment, Page, Shape, Yuan
from yibao.services.shapes.events import (
    Continuity,
    ConversionDue,
    ConversionDuePage,
    EligibilityCheck,
    EligibilityNote,
    PersonRegistered,
    StatusChange,
    StatusChangeRecorded,
    StatusChangeReview,
    YearContinuity,
)
from yibao.services.shapes.ledger import (
    AuditEntry,
    AuditPage,
    BulkDone,
    BulkFailed,
    BulkResult,
    Correction,
    Counts,
    CountsTotals,
    CoverSnapshot,
    Enrollment,
    EnrollmentCount,
    EnrollmentDetail,
    EnrollmentPage,
    Payment,
    PaymentCount,
    PaymentPage,
    PaymentRecorded,
    PendingReversal,
    PersonsCount,
    Reversal,
    ReversalEffect,
    ReversalPage,
    ReversalRecorded,
    RuleRef,
    SettleError,
    SettleResult,
    StartReason,
    Waiting,
)
from yibao.services.shapes.quote import PersonAnswers, PersonQuoteAnswer, QuoteAnswer, YearAnswer
from yibao.services.shapes.registry import (
    Application,
    ApplicationPage,
    History,
    HistoryAdded,
    HistoryReview,
    Household,
    HouseholdMember,
    HouseholdPage,
    HouseholdSummary,
    MemberName,
    Membership,
    Person,
    PersonDetail,
    PersonPage,
    PersonRecord,
    PreRegistration,
    PreRegistrationPage,
    RecordMember,
    YearRecord,
)

__all__ = [
    "YUAN_TEXT",
    "Application",
    "ApplicationPage",
    "AuditEntry",
    "AuditPage",
    "BulkDone",
    "BulkFailed",
    "BulkResult",
    "Continuity",
    "ConversionDue",
    "ConversionDuePage",
    "Correction",
    "Counts",
    "CountsTotals",
    "CoverSnapshot",
    "EligibilityCheck",
    "EligibilityNote",
    "Enrollment",
    "EnrollmentCount",
    "EnrollmentDetail",
    "EnrollmentPage",
    "ErrorBody",
    "ErrorOut",
    "History",
    "HistoryAdded",
    "HistoryReview",
    "Household",
    "HouseholdMember",
    "HouseholdPage",
    "HouseholdSummary",
    "MemberName",
    "Membership",
    "Moment",
    "Page",
    "Payment",
    "PaymentCount",
    "PaymentPage",
    "PaymentRecorded",
    "PendingReversal",
    "Person",
    "PersonAnswers",
    "PersonDetail",
    "PersonPage",
    "PersonQuoteAnswer",
    "PersonRecord",
    "PersonRegistered",
    "PersonsCount",
    "PreRegistration",
    "PreRegistrationPage",
    "QuoteAnswer",
    "RecordMember",
    "Reversal",
    "ReversalEffect",
    "ReversalPage",
    "ReversalRecorded",
    "RuleRef",
    "SettleError",
    "SettleResult",
    "Shape",
    "StartReason",
    "StatusChange",
    "StatusChangeRecorded",
    "StatusChangeReview",
    "Waiting",
    "YearAnswer",
    "YearContinuity",
    "YearRecord",
    "Yuan",
]
