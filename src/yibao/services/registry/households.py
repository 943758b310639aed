"""Households: create, add members, read, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from yibao.errors import InputError
from yibao.services.common import Actor, audit, audit_id_reads
from yibao.services.errors import NotFound
from yibao.services.inputs import HouseholdIn, MemberIn
from yibao.services.registry.persons import check_region, find_person
from yibao.services.scope import check_assignable, require_visible, scoped
from yibao.services.shapes import Household as HouseholdShape
from yibao.services.shapes import HouseholdPage, HouseholdSummary, MemberName
from yibao.services.views import household_view
from yibao.store.db import Database
from yibao.store.models import Household, Person

__all__ = ["add_member", "create_household", "get_household", "list_households"]


def _members(s: Any, actor: Actor, household_id: int) -> list[Person]:
    """The members the actor may see (a member registered in another city is left out)."""
    return list(s.scalars(scoped(select(Person).where(Person.household_id == household_id),
                                 actor).order_by(Person.id)))


def _get(s: Any, actor: Actor, household_id: int, *, lock: bool = False) -> Household:
    missing = NotFound("household_not_found", "未找到该户", "no such household", field="id")
    household = s.get(Household, household_id, with_for_update=lock)
    if household is None:
        raise missing
    assert isinstance(household, Household)
    require_visible(actor, household.region, missing)
    return household


def create_household(db: Database, actor: Actor, data: HouseholdIn) -> HouseholdShape:
    """Create a household, optionally with its head and members (all already registered)."""
    check_region(data.region)
    check_assignable(actor, data.region)
    numbers = list(
        dict.fromkeys(
            [*([data.head_id_number] if data.head_id_number else []), *data.member_id_numbers]
        )
    )
    with db.write() as s:
        household = Household(region=data.region, address=data.address)
        s.add(household)
        s.flush()
        for number in numbers:
            person = find_person(s, actor, number, lock=True)
            person.household_id = household.id
            if number == data.head_id_number:
                household.head_person_id = person.id
        s.flush()
        members = _members(s, actor, household.id)
        audit(
            s,
            actor,
            "create",
            "household",
            household.id,
            after={"region": household.region, "member_ids": [m.id for m in members]},
        )
        audit_id_reads(s, actor, [m.id for m in members if m.id_number], "create_household")
        return household_view(actor, household, members)


def add_member(db: Database, actor: Actor, household_id: int, data: MemberIn
               ) -> HouseholdShape:
    """Move a registered person into the household (optionally as its head)."""
    with db.write() as s:
        household = _get(s, actor, household_id, lock=True)
        person = find_person(s, actor, data.id_number, lock=True)
        if person.household_id == household.id and not data.head:
            raise InputError(
                "already_member",
                "此人已是该户成员",
                "the person is already a member",
                field="id_number",
            )
        before = {"household_id": person.household_id}
        person.household_id = household.id
        if data.head:
            household.head_person_id = person.id
        s.flush()
        audit(
            s,
            actor,
            "add_member",
            "household",
            household.id,
            before=before,
            after={"person_id": person.id, "head": data.head},
        )
        members = _members(s, actor, household.id)
        audit_id_reads(s, actor, [m.id for m in members if m.id_number], "add_member")
        return household_view(actor, household, members)


def get_household(db: Database, actor: Actor, household_id: int) -> HouseholdShape:
    """One household with its members."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        household = _get(s, actor, household_id)
        members = _members(s, actor, household.id)
        audit_id_reads(s, actor, [m.id for m in members if m.id_number], "get_household")
        return household_view(actor, household, members)


def list_households(
    db: Database, actor: Actor, *, page: int, per_page: int, region: str | None = None
) -> HouseholdPage:
    """A page of households (members by id and name only)."""
    stmt = scoped(select(Household), actor, Household.region)
    if region:
        stmt = stmt.where(Household.region.startswith(region.rstrip("0") or region,
                                                      autoescape=True))
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(
            stmt.order_by(Household.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        items = [
            HouseholdSummary(id=h.id, region=h.region, address=h.address,
                             head_person_id=h.head_person_id, created_at=h.created_at,
                             members=[MemberName(id=m.id, name=m.name)
                                      for m in _members(s, actor, h.id)])
            for h in rows
        ]
    return HouseholdPage(items=items, total=total, page=page, per_page=per_page)
