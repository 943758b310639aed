"""Reference data shaped for the pages: region choices, channels, contacts.

    groups = region_groups()          # [(city, [(code, name), ...]), ...]
    info = where_to_pay("450802")     # channels usable there + county contacts
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from yibao.errors import InputError
from yibao.idcard import parse_id_number
from yibao.policy import reference_data as reference
from yibao.policy.contacts import contacts_for

__all__ = ["PayInfo", "birth_date_of", "region_groups", "region_name", "where_to_pay"]


def region_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Cities (with the province first) and their counties, for a ``<select>``."""
    regions = reference.load_regions()
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for prov in (r for r in regions.values() if r.level == "province"):
        out.append((prov.name, [(prov.code, prov.name)]))
        for city in (r for r in regions.values() if r.parent == prov.code):
            kids = [(r.code, r.name) for r in regions.values() if r.parent == city.code]
            out.append((f"{prov.name} {city.name}", [(city.code, city.name + "（全市）"), *kids]))
    return out


def region_name(code: str) -> str:
    """``贵港市 港北区`` for a county code; the code itself if unknown."""
    regions = reference.load_regions()
    try:
        chain = reference.region_chain(code)
    except InputError:
        return code
    names = [regions[c].name for c in reversed(chain) if regions[c].level in ("city", "county")]
    return " ".join(names) or regions[code].name


def birth_date_of(id_number: str, birth_date: str) -> date | None:
    """The birth date from a valid ID number, else from the typed date, else None."""
    if id_number:
        try:
            return parse_id_number(id_number).birth_date
        except InputError:
            return None
    try:
        return date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        return None


@dataclass
class PayInfo:
    region: str
    region_label: str
    chain: list[str] = field(default_factory=list)
    online: list[reference.Channel] = field(default_factory=list)
    offline: list[reference.Channel] = field(default_factory=list)
    offices: list[reference.Contact] = field(default_factory=list)
    hotlines: list[reference.Contact] = field(default_factory=list)
    #: True when ``offices`` are the city's counties' offices (the city lists none itself)
    offices_of_counties: bool = False


def where_to_pay(region: str) -> PayInfo:
    """Channels that serve ``region`` (or any of its parents) and whom to call there."""
    chain = set(reference.region_chain(region)) if region else {"450000", "000000"}
    info = PayInfo(region, region_name(region) if region else "", sorted(chain))
    for ch in reference.channels():
        if chain & set(ch.regions):
            (info.online if ch.kind == "online" else info.offline).append(ch)
    if region:
        for contact in contacts_for(region):
            kind = contact.kind
            bucket = info.offices if kind in ("medical_insurance_office", "tax_office") else (
                info.hotlines
            )
            bucket.append(contact)
        if not info.offices:
            info.offices = _county_offices(region)
            info.offices_of_counties = bool(info.offices)
    return info


_OFFICES = ("medical_insurance_office", "tax_office")


def _county_offices(city: str) -> list[reference.Contact]:
    """The offices of a city's counties, county by county, for a city that lists none of its
    own ("贵港市（全市）": the five county units' insurance and tax offices)."""
    regions = reference.load_regions()
    counties = [r.code for r in regions.values() if r.parent == city]
    return [c for code in counties for c in contacts_for(code)
            if c.region == code and c.kind in _OFFICES]
