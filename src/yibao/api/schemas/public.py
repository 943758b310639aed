"""Public answers of the API's own: the regions and rules lists, the reference data of
seeds 000/001 as lists, the policy in force, one parameter, tilt assistance.

They describe what ``yibao.quoting`` and ``yibao.policy`` give the CLI and the API alike
(plain JSON values there); the test that compares answers with the OpenAPI document
holds the two together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from yibao.policy.reference_data import Channel, Contact, EligibilityCategory, SpecialGroup
from yibao.services.shapes import Shape, Yuan

__all__ = [
    "ChannelList",
    "ContactList",
    "EligibilityList",
    "ParameterAnswer",
    "ParameterByRegion",
    "ParameterByYear",
    "PolicyInForce",
    "RegionList",
    "RuleList",
    "SpecialGroupList",
    "TiltAnswer",
]


class Listing(Shape):
    """A whole (short) list with its length."""

    total: int


class RegionItem(Shape):
    """A region yibao knows: GB/T 2260 code, name, parent, level."""

    code: str
    name: str
    parent: str | None
    level: str


class RegionList(Listing):
    """Every region yibao knows (GB/T 2260)."""

    items: list[RegionItem]


class RuleItem(Shape):
    """A rule of the catalogue: titles, citation, text templates (figures as
    ``{placeholders}``), plain words, and the conventions it relies on."""

    id: str
    title: str
    title_en: str
    source: str
    text: str
    text_en: str
    plain: str
    plain_en: str
    conventions: list[str]


class RuleList(Listing):
    """The rules catalogue."""

    items: list[RuleItem]


class ChannelList(Listing):
    """Payment channels with their steps."""

    items: list[Channel]


class ContactList(Listing):
    """Consultation contacts of a region and the regions above it."""

    items: list[Contact]


class EligibilityList(Listing):
    """Who may enrol."""

    items: list[EligibilityCategory]


class SpecialGroupList(Listing):
    """Special groups and their assistance."""

    items: list[SpecialGroup]


class PolicyInForce(Shape):
    """The policy in force: its version, the published folder laid over the shipped
    figures (if any), and the coverage years it can answer."""

    version: str
    published_dir: str | None
    first_year: int
    last_year: int
    parameters: list[str]


class DatedValue(Shape):
    """One value of a parameter for a region, with its coverage dates and source."""

    from_: dt.date = Field(alias="from")
    to: dt.date
    value: Any
    shown: str
    status: Literal["published", "unpublished"]
    source: str


class YearValue(Shape):
    """What a parameter resolves to in one coverage year of a region."""

    year: int
    value: Any
    shown: str
    status: Literal["published", "unpublished", "absent"]
    from_region: str | None
    source: str | None


class ParameterAnswer(Shape):
    """A parameter's name, description, unit and the policy version."""

    name: str
    description: str
    unit: str
    policy_version: str


class ParameterByRegion(ParameterAnswer):
    """Every dated value of the parameter, per region."""

    values: dict[str, list[DatedValue]]


class ParameterByYear(ParameterAnswer):
    """What the parameter resolves to in each coverage year of one region."""

    region: str
    region_name: str
    years: list[YearValue]


class TiltRegion(Shape):
    """The region asked about."""

    code: str
    name: str


class TiltRule(Shape):
    """The rule of tilt assistance and the citation of the region's terms."""

    id: str
    title: str
    source: str


class TiltAnswer(Shape):
    """The range of tilt assistance for one case: ``low`` and ``high`` at the published
    lowest and highest ratio within what is left of the annual cap; ``missing`` names the
    terms when they are not published."""

    region: TiltRegion
    year: int
    eligible_costs: Yuan
    granted_this_year: Yuan
    low: Yuan | None
    high: Yuan | None
    remaining_cap: Yuan | None
    capped: bool
    min_percent: int | None
    max_percent: int | None
    annual_cap: Yuan | None
    rule: TiltRule
    text: str | None
    text_en: str | None
    plain: str | None
    plain_en: str | None
    missing: list[str]
    missing_labels: list[str]
    policy_version: str
