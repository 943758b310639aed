"""Response models of the API: every endpoint's success and error bodies in OpenAPI.

The services return plain JSON-ready dicts; these models describe them, FastAPI checks
each answer against them, and the schemathesis test checks the live server against the
published schema.
"""

from __future__ import annotations

from yibao.api.schemas.auth import Health, Me, TokenOut
from yibao.api.schemas.common import ERRORS, ErrorBody, ErrorOut, Listing, Out, Page, errors
from yibao.api.schemas.ledger import (
    AuditPage,
    BulkResult,
    Correction,
    Counts,
    Enrollment,
    EnrollmentDetail,
    EnrollmentPage,
    Payment,
    PaymentPage,
    PaymentRecorded,
    ReversalRecorded,
    SettleResult,
)
from yibao.api.schemas.public import (
    ChannelList,
    ContactList,
    EligibilityList,
    RegionList,
    RuleList,
    SpecialGroupList,
)
from yibao.api.schemas.registry import (
    Application,
    ApplicationPage,
    History,
    HistoryAdded,
    Household,
    HouseholdPage,
    Membership,
    Person,
    PersonPage,
    PersonQuote,
    PreRegistration,
    PreRegistrationPage,
    Quote,
)

__all__ = [
    "ERRORS",
    "Application",
    "ApplicationPage",
    "AuditPage",
    "BulkResult",
    "ChannelList",
    "ContactList",
    "Correction",
    "Counts",
    "EligibilityList",
    "Enrollment",
    "EnrollmentDetail",
    "EnrollmentPage",
    "ErrorBody",
    "ErrorOut",
    "Health",
    "History",
    "HistoryAdded",
    "Household",
    "HouseholdPage",
    "Listing",
    "Me",
    "Membership",
    "Out",
    "Page",
    "Payment",
    "PaymentPage",
    "PaymentRecorded",
    "Person",
    "PersonPage",
    "PersonQuote",
    "PreRegistration",
    "PreRegistrationPage",
    "Quote",
    "RegionList",
    "ReversalRecorded",
    "RuleList",
    "SettleResult",
    "SpecialGroupList",
    "TokenOut",
    "errors",
]
