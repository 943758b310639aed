"""Public answers: regions, rules and the reference data of seeds 000/001."""

from __future__ import annotations

from yibao.api.schemas.common import Listing, Out
from yibao.policy.reference_data import Channel, Contact, EligibilityCategory, SpecialGroup

__all__ = [
    "ChannelList",
    "ContactList",
    "EligibilityList",
    "RegionList",
    "RuleList",
    "SpecialGroupList",
]


class _Region(Out):
    code: str
    name: str
    parent: str | None
    level: str


class RegionList(Listing):
    """Every region yibao knows (GB/T 2260)."""

    items: list[_Region]


class _Rule(Out):
    id: str
    title: str
    source: str
    text: str


class RuleList(Listing):
    """The rules catalogue."""

    items: list[_Rule]


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
