"""The shapes of the shipped reference data (regions, channels, contacts, eligibility,
back payment, special groups, newborn pre-registration): frozen Pydantic models that
reject unknown keys. ``yibao.policy.reference_data`` loads the files into them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Region(_Frozen):
    """One GB/T 2260 region."""

    code: RegionCode
    name: str
    parent: RegionCode | None
    level: Literal["national", "province", "city", "county"]


class BankList(_Frozen):
    """Banks that take payments at the counter in one region."""

    region: RegionCode
    names: tuple[str, ...]
    source: str


class Remark(_Frozen):
    """What a source adds about a channel in one region, in words a resident reads."""

    region: RegionCode
    text: str
    text_en: str
    source: str = Field(min_length=1)


class Channel(_Frozen):
    """A payment channel (contract.md section 4). ``notes`` are editors' notes on the
    sources; ``remarks`` are what residents of a region are told."""

    code: str
    name: str
    name_en: str
    kind: Literal["online", "offline"]
    regions: tuple[RegionCode, ...] = Field(min_length=1)
    steps: tuple[str, ...] = ()
    banks: tuple[BankList, ...] = ()
    notes: str | None = None
    remarks: tuple[Remark, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)


class Phone(_Frozen):
    """A phone number and what to call it for (``purpose`` None if the source says nothing)."""

    number: str
    purpose: str | None
    note: str | None = None


class Contact(_Frozen):
    """An office, hotline or online service residents can turn to."""

    region: RegionCode
    kind: Literal["medical_insurance_office", "tax_office", "hotline", "online_service"]
    name: str
    phones: tuple[Phone, ...] = ()
    addresses: tuple[str, ...] = ()
    url: str | None = None
    path: tuple[str, ...] = ()
    note: str | None = None
    source: str = Field(min_length=1)


class EligibilityCategory(_Frozen):
    """One category of people who may enrol (《贵港市2021年度城乡居民医保参保缴费指南》“参保范围”)."""

    code: str
    name: str
    name_en: str
    text: str
    source: str = Field(min_length=1)


class _Cited(_Frozen):
    text: str
    source: str = Field(min_length=1)


class _Coded(_Frozen):
    code: str
    name: str
    name_en: str | None = None
    source: str = Field(min_length=1)


class _Platform(_Frozen):
    name: str
    url: str


class _SubmissionMode(_Coded):
    text: str
    platforms: tuple[_Platform, ...]


class _Material(_Coded):
    required: Literal["always", "conditional"]
    required_for: tuple[str, ...]
    when: str | None = None


class BackPaymentReference(_Frozen):
    """Who may back-pay, how to apply and which materials to bring (《2025广西柳州居民医保断缴怎么补交》)."""

    region: RegionCode
    scope: _Cited
    application_types: tuple[_Coded, ...]
    applicants: tuple[_Coded, ...]
    submission_modes: tuple[_SubmissionMode, ...]
    materials: tuple[_Material, ...]


class SpecialGroup(_Frozen):
    """A special group whose contribution medical assistance pays in full or in part."""

    code: str
    name: str
    name_en: str
    assistance: Literal["full", "fixed"]
    notes: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)


class _Condition(_Frozen):
    code: str
    text: str
    text_en: str
    source: str = Field(min_length=1)


class NewbornPreregistration(_Frozen):
    """Pre-registration of a newborn at the birth hospital (《贵港市2021年度城乡居民医保参保缴费指南》四.1)."""

    region: RegionCode
    notes: str | None = None
    conditions: tuple[_Condition, ...]
    document_type: str
    document_type_en: str
    pay_channels: tuple[str, ...]
    deadline_months: int = Field(gt=0)
    deadline_text: str
    lapse_text: str
    source: str = Field(min_length=1)
