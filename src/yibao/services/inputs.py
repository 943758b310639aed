"""Validated inputs of the use cases (unknown keys are an error everywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "ApplicationDecisionIn",
    "ApplicationIn",
    "CorrectionIn",
    "HistoryIn",
    "HouseholdIn",
    "MemberIn",
    "MembershipIn",
    "PaymentIn",
    "PersonIn",
    "PersonPatch",
    "PreRegistrationIn",
    "ReversalIn",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Region = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
TxnId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.:\-]{1,64}$")]
Year = Annotated[int, Field(ge=1990, le=2100)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=500)


class MembershipIn(_In):
    """A special-group membership: group code, validity and where it comes from."""

    group: Code
    valid_from: dt.date
    valid_to: dt.date | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PersonIn(_In):
    """A resident to register; birth date and sex come from the ID number."""

    id_number: str
    name: Name
    region: Region
    hukou_region: Region | None = None
    birth_date: dt.date | None = None
    sex: Literal["male", "female"] | None = None
    residence_permit: bool = False
    eligibility_category: Code | None = None
    household_id: int | None = None
    special_groups: list[MembershipIn] = Field(default_factory=list, max_length=20)
    #: Years with resident or employee cover before the registry; absent = unknown.
    covered_years: list[Year] | None = Field(default=None, max_length=100)


class PersonPatch(_In):
    """Fields of a person that may change."""

    name: Name | None = None
    region: Region | None = None
    hukou_region: Region | None = None
    residence_permit: bool | None = None
    eligibility_category: Code | None = None
    household_id: int | None = None


class PaymentIn(_In):
    """A payment as a channel reports it (contract section 4), plus optional quote facts."""

    id_number: str | None = None
    pre_registration_id: int | None = None
    coverage_year: Year
    channel: Code
    channel_txn_id: TxnId
    amount: str
    paid_at: str
    payer: Annotated[str, StringConstraints(max_length=64)] = ""
    special_group: Code | None = None
    covered_years: list[Year] | None = Field(default=None, max_length=100)
    back_pay_years: list[Year] | None = Field(default=None, max_length=100)
    employee_insurance_end_date: dt.date | None = None
    hardship_deferral: bool | None = None


class HouseholdIn(_In):
    """A household; members are added by ID number."""

    region: Region
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    head_id_number: str | None = None
    member_id_numbers: list[str] = Field(default_factory=list, max_length=50)


class MemberIn(_In):
    """A person to add to a household."""

    id_number: str
    head: bool = False


class PreRegistrationIn(_In):
    """A newborn pre-registered at the birth hospital (seed 000 四.1)."""

    newborn_name: Name
    birth_date: dt.date
    sex: Literal["male", "female"]
    region: Region
    birth_hospital: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ]
    parent_id_number: str
    parent_name: Name


class ApplicationIn(_In):
    """A back-payment application (seed 001 补缴流程)."""

    id_number: str
    type: Code
    submitted_via: Literal["window", "online"]
    years: list[Year] = Field(min_length=1, max_length=50)
    materials: dict[Code, bool] = Field(default_factory=dict, max_length=20)


class ApplicationDecisionIn(_In):
    """The decision on an application."""

    decision: Literal["approved", "rejected"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500)]


class HistoryIn(_In):
    """Years covered before the registry, declared for a registered person (added, never
    removed), with where the clerk has them from."""

    covered_years: list[Year] = Field(max_length=100)
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ReversalIn(_In):
    """A refund by the bureau or a reversal reported by the channel, against one payment.

    ``amount`` defaults to what is left of the payment; ``reference`` (refund voucher or the
    channel's reversal ID) makes the request idempotent.
    """

    kind: Literal["refund", "reversal"]
    reference: TxnId
    reason: Reason
    amount: str | None = None


class CorrectionIn(_In):
    """An admin's correction of an enrollment's cover: recompute it from the registry, or set
    the dates and waiting months; always with a reason."""

    reason: Reason
    recompute: bool = False
    benefit_start: dt.date | None = None
    benefit_end: dt.date | None = None
    waiting_fixed: Annotated[int, Field(ge=0, le=24)] | None = None
    waiting_variable: Annotated[int, Field(ge=0, le=60)] | None = None
