"""Validated inputs of the use cases (unknown keys are an error everywhere).

Types are strict at the edge: integers are JSON integers that fit the database (never
``"2025"`` or ``2025.0``), booleans are ``true``/``false``, dates are ISO ``YYYY-MM-DD``
between 1900 and 2100, and no text holds control characters or lone surrogates
(:mod:`yibao.validation`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yibao.validation import DbId, IsoDate, StrictBool, Text, trim

__all__ = [
    "ApplicationDecisionIn",
    "ApplicationIn",
    "ConvertIn",
    "CorrectionIn",
    "HistoryIn",
    "HouseholdIn",
    "IdNumber",
    "MemberIn",
    "MembershipEndIn",
    "MembershipIn",
    "PaymentIn",
    "PersonIn",
    "PersonPatch",
    "PersonQuoteIn",
    "PreRegistrationIn",
    "ReversalDecisionIn",
    "ReversalIn",
    "StatusChangeIn",
    "StatusWithdrawIn",
]

Name = Annotated[Text, StringConstraints(max_length=64), trim()]
Code = Annotated[Text, StringConstraints(max_length=32), trim()]
Region = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
TxnId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.:\-]{1,64}$")]
Year = Annotated[int, Field(strict=True, ge=1990, le=2100)]
IdNumber = Annotated[Text, StringConstraints(max_length=32)]
Source = Annotated[Text, StringConstraints(max_length=200), trim()]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=500)


class MembershipIn(_In):
    """A special-group membership: group code, validity and where it comes from."""

    group: Code
    valid_from: IsoDate
    valid_to: IsoDate | None = None
    source: Source


class MembershipEndIn(_In):
    """The day a special-group membership ends (the last day it is valid)."""

    valid_to: dt.date


class PersonIn(_In):
    """A resident to register; birth date and sex come from the ID number."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id_number": "45020219850709213X", "name": "韦志强", "region": "450202",
         "covered_years": [2022, 2023, 2024]}]})

    id_number: IdNumber
    name: Name
    region: Region
    hukou_region: Region | None = None
    birth_date: IsoDate | None = None
    sex: Literal["male", "female"] | None = None
    residence_permit: StrictBool = False
    eligibility_category: Code | None = None
    household_id: DbId | None = None
    special_groups: list[MembershipIn] = Field(default_factory=list, max_length=20)
    #: Years with resident or employee cover before the registry; absent = unknown.
    covered_years: list[Year] | None = Field(default=None, max_length=100)
    #: In (or obliged to join) employee insurance (职工医保) now: refused for resident
    #: insurance unless a flexible worker or a farm worker in difficulty (docs/rules.md C38).
    employee_insurance: StrictBool = False
    #: The region of the school or nursery where the person is a student (参保范围 2).
    student_at: Region | None = None


class PersonPatch(_In):
    """Fields of a person that may change."""

    name: Name | None = None
    region: Region | None = None
    hukou_region: Region | None = None
    residence_permit: StrictBool | None = None
    eligibility_category: Code | None = None
    household_id: DbId | None = None


class PersonQuoteIn(BaseModel):
    """What a payer may state for a registered person's quote (the query of
    ``GET /api/v1/persons/{id_number}/quote``); the registry supplies the rest."""

    coverage_year: Annotated[int, Field(ge=1900, le=2200)]
    payment_date: IsoDate | None = None
    back_pay_years: list[Annotated[int, Field(ge=1900, le=2200)]] | None = Field(
        default=None, max_length=64)
    employee_insurance_end_date: IsoDate | None = None
    hardship_deferral: bool = False


class PaymentIn(_In):
    """A payment as a channel reports it (contract section 4), plus optional quote facts."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id_number": "45020219850709213X", "coverage_year": 2025, "channel": "tax_hall",
         "channel_txn_id": "EXAMPLE-0001", "amount": "400.00", "paid_at": "2024-11-20"}]})

    id_number: IdNumber | None = None
    pre_registration_id: DbId | None = None
    coverage_year: Year
    channel: Code
    channel_txn_id: TxnId
    amount: Annotated[str, StringConstraints(max_length=32)]
    paid_at: Annotated[str, StringConstraints(max_length=40)]
    payer: Annotated[Text, StringConstraints(max_length=64)] = ""
    special_group: Code | None = None
    covered_years: list[Year] | None = Field(default=None, max_length=100)
    back_pay_years: list[Year] | None = Field(default=None, max_length=100)
    employee_insurance_end_date: IsoDate | None = None
    hardship_deferral: StrictBool | None = None


class HouseholdIn(_In):
    """A household; members are added by ID number."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"region": "450202", "address": "柳州市城中区", "head_id_number": "45020219850709213X",
         "member_id_numbers": ["45020219850709213X"]}]})

    region: Region
    address: Annotated[Text, StringConstraints(max_length=200), trim(min_length=0)] = ""
    head_id_number: IdNumber | None = None
    member_id_numbers: list[IdNumber] = Field(default_factory=list, max_length=50)


class MemberIn(_In):
    """A person to add to a household."""

    id_number: IdNumber
    head: StrictBool = False


class PreRegistrationIn(_In):
    """A newborn pre-registered at the birth hospital (seed 000 四.1)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"newborn_name": "韦小宝", "birth_date": "2026-11-01", "sex": "male", "region": "450202",
         "birth_hospital": "柳州市妇幼保健院", "parent_id_number": "45020219850709213X",
         "parent_name": "韦志强"}]})

    newborn_name: Name
    birth_date: IsoDate
    sex: Literal["male", "female"]
    region: Region
    birth_hospital: Annotated[
        Text, StringConstraints(max_length=120), trim()
    ]
    parent_id_number: IdNumber
    parent_name: Name


class ConvertIn(_In):
    """A pre-registered newborn's ID number, once the hukou is registered."""

    id_number: IdNumber


class ApplicationIn(_In):
    """A back-payment application (seed 001 补缴流程)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id_number": "45020219850709213X", "type": "veteran", "submitted_via": "window",
         "years": [2020, 2021]}]})

    id_number: IdNumber
    type: Code
    submitted_via: Literal["window", "online"]
    years: list[Year] = Field(min_length=1, max_length=50)
    materials: dict[Code, StrictBool] = Field(default_factory=dict, max_length=20)


class ApplicationDecisionIn(_In):
    """The decision on an application."""

    decision: Literal["approved", "rejected"]
    reason: Annotated[Text, StringConstraints(max_length=500),
                      trim(min_length=0, one_line=False)] = ""


Reason = Annotated[Text, StringConstraints(max_length=500), trim(min_length=4, one_line=False)]


class HistoryIn(_In):
    """Years covered before the registry, declared for a registered person (added, never
    removed), with where the clerk has them from."""

    covered_years: list[Year] = Field(max_length=100)
    source: Source


class ReversalIn(_In):
    """A refund by the bureau or a reversal reported by the channel, against one payment.

    ``amount`` defaults to what is left of the payment; ``reference`` (refund voucher or the
    channel's reversal ID) makes the request idempotent.
    """

    kind: Literal["refund", "reversal"]
    reference: TxnId
    reason: Reason
    amount: Annotated[str, StringConstraints(max_length=32)] | None = None


class ReversalDecisionIn(_In):
    """An admin's decision on a reversal or refund waiting for approval (another account
    than the one who asked); ``note`` is kept with the decision."""

    decision: Literal["approve", "reject"] = "approve"
    note: Annotated[Text, StringConstraints(max_length=500),
                    trim(min_length=0, one_line=False)] | None = None


class CorrectionIn(_In):
    """An admin's correction of an enrollment's cover: recompute it from the registry, or set
    the dates and waiting months; always with a reason."""

    reason: Reason
    recompute: StrictBool = False
    benefit_start: IsoDate | None = None
    benefit_end: IsoDate | None = None
    waiting_fixed: Annotated[int, Field(strict=True, ge=0, le=24)] | None = None
    waiting_variable: Annotated[int, Field(strict=True, ge=0, le=60)] | None = None


#: The status changes of contract §2.2 (the quote's ``status_change.kind``).
StatusKind = Literal["released_from_prison", "discharged_veteran", "severe_disability_certified"]


class StatusChangeIn(_In):
    """A change of status recorded by a clerk (contract §2.2): what, from which day, and the
    document it rests on (释放证明, 退役证, 残疾人证 ...)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "discharged_veteran", "date": "2025-03-10", "source": "退役军人事务局退役证明"}]})

    kind: StatusKind
    date: IsoDate
    source: Source


class StatusWithdrawIn(_In):
    """Why a status change recorded by mistake is withdrawn."""

    reason: Reason
