"""Register, find, change and list residents; special-group memberships."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from yibao.errors import InputError, UnknownRegion
from yibao.idcard import ResidentId, mask_id_number, parse_id_number
from yibao.policy import reference_data as reference
from yibao.services.common import Actor, audit, audit_id_reads, today_beijing
from yibao.services.errors import Conflict
from yibao.services.inputs import MembershipIn, PersonIn, PersonPatch
from yibao.services.registry.eligibility import (
    EligibilityFacts,
    check_eligibility,
    check_hukou_region,
)
from yibao.services.scope import (
    check_assignable,
    in_scope,
    person_missing,
    require_visible,
    scoped,
)
from yibao.services.shapes import Membership, PersonDetail, PersonPage, PersonRegistered
from yibao.services.views import membership_view, person_detail, person_view
from yibao.store.db import Database
from yibao.store.models import Household, Person, SpecialGroupMembership

__all__ = [
    "add_membership",
    "check_region",
    "find_person",
    "get_person",
    "list_persons",
    "normalize_id",
    "register_person",
    "resident_id",
    "snapshot",
    "update_person",
]


def resident_id(number: str, *, field: str = "id_number") -> ResidentId:
    """A checked ID number of someone already born (birth date not after today in Beijing)."""
    rid = parse_id_number(number, field=field)
    today = today_beijing()
    if rid.birth_date > today:
        raise InputError(
            "id_number_birth_date",
            f"公民身份号码有误：出生日期{rid.birth_date.isoformat()}晚于今天",
            f"Invalid ID number: birth date {rid.birth_date.isoformat()} is after today "
            f"({today.isoformat()}, Beijing time)",
            field=field,
        )
    return rid


def normalize_id(number: str, *, field: str = "id_number") -> str:
    """The canonical ID number, or InputError."""
    return resident_id(number, field=field).number


def check_region(code: str, *, field: str = "region") -> str:
    """``code`` if it is a known region, else ``unknown_region`` naming ``field``."""
    try:
        reference.region_chain(code)
    except UnknownRegion as exc:
        raise UnknownRegion(exc.code, exc.message, exc.message_en, field=field) from None
    return code


def find_person(session: Session, actor: Actor, id_number: str, *, lock: bool = False
                ) -> Person:
    """The person with this ID number (validated first) in the actor's scope, or NotFound
    (the same answer whether the person is unknown or outside the scope)."""
    number = normalize_id(id_number)
    stmt = select(Person).where(Person.id_number == number)
    if lock:
        stmt = stmt.with_for_update()
    person = session.scalar(stmt)
    if person is None:
        raise person_missing(number)
    require_visible(actor, person.region, person_missing(number))
    return person


def snapshot(p: Person) -> dict[str, Any]:
    """A person's state for the audit log (ID number masked)."""
    return {
        "id_number": None if p.id_number is None else mask_id_number(p.id_number),
        "name": p.name,
        "region": p.region,
        "hukou_region": p.hukou_region,
        "residence_permit": p.residence_permit,
        "eligibility_category": p.eligibility_category,
        "household_id": p.household_id,
    }


def _check_category(code: str | None) -> None:
    if code is not None:
        reference.eligibility_category(code)


def _check_household(session: Session, actor: Actor, household_id: int | None) -> None:
    if household_id is None:
        return
    household = session.get(Household, household_id)
    if household is None or not in_scope(actor, household.region):
        raise InputError(
            "unknown_household",
            f"户 {household_id} 不存在",
            f"household {household_id} does not exist",
            field="household_id",
        )


def _membership(person: Person, m: MembershipIn) -> SpecialGroupMembership:
    reference.special_group(m.group)
    if m.valid_to is not None and m.valid_to < m.valid_from:
        raise InputError(
            "invalid_period",
            "有效期止不得早于有效期起",
            "valid_to is before valid_from",
            field="valid_to",
        )
    return SpecialGroupMembership(
        person=person,
        group_code=m.group,
        valid_from=m.valid_from,
        valid_to=m.valid_to,
        source=m.source,
    )


def register_person(db: Database, actor: Actor, data: PersonIn) -> PersonRegistered:
    """Create a person; 409 ``person_exists`` if the ID number is already registered.

    The registration is checked against 参保范围 (docs/rules.md C38): refused (422) with the
    reason and the categories, or accepted with the category that admits the person
    (stored as ``eligibility_category``) and what the clerk should check by hand.
    """
    rid = resident_id(data.id_number)
    check_region(data.region)
    check_assignable(actor, data.region)
    hukou = check_hukou_region(data.hukou_region or data.region)
    if data.student_at is not None:
        check_region(data.student_at, field="student_at")
    if data.birth_date is not None and data.birth_date != rid.birth_date:
        raise InputError(
            "birth_date_mismatch",
            "出生日期与身份证号不符",
            "birth_date does not match the ID number",
            field="birth_date",
        )
    if data.sex is not None and data.sex != rid.sex:
        raise InputError(
            "sex_mismatch", "性别与身份证号不符", "sex does not match the ID number", field="sex"
        )
    _check_category(data.eligibility_category)
    eligible = check_eligibility(EligibilityFacts.of(rid, data))
    if data.covered_years is not None:
        from yibao.services.registry.history import check_declared_years

        check_declared_years(data.covered_years, rid.birth_date, today_beijing())
    try:
        with db.write() as s:
            if s.scalar(select(Person.id).where(Person.id_number == rid.number)) is not None:
                raise _exists(rid.number)
            _check_household(s, actor, data.household_id)
            person = Person(
                id_number=rid.number,
                name=data.name,
                birth_date=rid.birth_date,
                sex=rid.sex,
                region=data.region,
                hukou_region=hukou,
                residence_permit=data.residence_permit,
                eligibility_category=eligible.category,
                household_id=data.household_id,
            )
            s.add(person)
            for m in data.special_groups:
                s.add(_membership(person, m))
            s.flush()
            after = snapshot(person)
            if data.covered_years is not None:
                from yibao.services.registry.history import declare_years

                added, _ = declare_years(s.connection(), actor, person.id, data.covered_years,
                                         source="declared", reference="registration")
                after["covered_years"] = added
                s.refresh(person, ["history_recorded_at"])
            after["eligibility"] = {
                "category": eligible.category, "basis": eligible.basis,
                "employee_insurance": data.employee_insurance, "student_at": data.student_at,
                "notes": [n.code for n in eligible.notes]}
            audit(s, actor, "create", "person", person.id, after=after)
            audit_id_reads(s, actor, [person.id], "register_person")
            detail = person_detail(actor, person)
            return PersonRegistered.model_validate({**dict(detail), "eligibility": eligible})
    except IntegrityError:
        raise _exists(rid.number) from None


def _exists(number: str) -> Conflict:
    return Conflict(
        "person_exists",
        f"身份证号 {mask_id_number(number)} 已登记",
        f"ID number {mask_id_number(number)} is already registered",
        field="id_number",
    )


def get_person(db: Database, actor: Actor, id_number: str) -> PersonDetail:
    """One person with memberships; a clerk's or admin's read is audited."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, actor, id_number)
        s.refresh(person, ["memberships"])
        audit_id_reads(s, actor, [person.id], "get_person")
        return person_detail(actor, person)


def list_persons(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    region: str | None = None,
    name: str | None = None,
    household_id: int | None = None,
) -> PersonPage:
    """A page of persons, newest first, filtered by region (with the regions under it in
    GB/T 2260), name or household."""
    stmt = scoped(select(Person), actor)
    if region:
        stmt = stmt.where(Person.region.in_(reference.region_subtree(region)))
    if name:
        stmt = stmt.where(Person.name.contains(name, autoescape=True))
    if household_id is not None:
        stmt = stmt.where(Person.household_id == household_id)
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(
            stmt.options(selectinload(Person.memberships))
            .order_by(Person.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        audit_id_reads(s, actor, [p.id for p in rows if p.id_number], "list_persons")
        items = [person_view(actor, p) for p in rows]
    return PersonPage(items=items, total=total, page=page, per_page=per_page)


def update_person(db: Database, actor: Actor, id_number: str, patch: PersonPatch
                  ) -> PersonDetail:
    """Change the given fields; the audit log keeps before and after."""
    changes = patch.model_dump(exclude_unset=True)
    for key in ("name", "region", "hukou_region", "residence_permit"):
        if key in changes and changes[key] is None:
            raise InputError(
                "invalid_value", f"“{key}”不能为空", f"{key} may not be null", field=key
            )
    if changes.get("region"):
        check_region(changes["region"])
        check_assignable(actor, changes["region"])
    if changes.get("hukou_region"):
        check_hukou_region(changes["hukou_region"])
    _check_category(changes.get("eligibility_category"))
    with db.write() as s:
        person = find_person(s, actor, id_number, lock=True)
        _check_household(s, actor, changes.get("household_id"))
        before = snapshot(person)
        for key, value in changes.items():
            setattr(person, key, value)
        s.flush()
        audit(s, actor, "update", "person", person.id, before=before, after=snapshot(person))
        audit_id_reads(s, actor, [person.id], "update_person")
        s.refresh(person, ["memberships"])
        return person_detail(actor, person)


def add_membership(db: Database, actor: Actor, id_number: str, m: MembershipIn
                   ) -> Membership:
    """Record a special-group membership for a person."""
    with db.write() as s:
        person = find_person(s, actor, id_number, lock=True)
        row = _membership(person, m)
        s.add(row)
        s.flush()
        view = membership_view(row)
        audit(
            s,
            actor,
            "create",
            "special_group_membership",
            row.id,
            after={"person_id": person.id, **view.model_dump(mode="json")},
        )
        return view
