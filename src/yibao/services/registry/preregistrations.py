"""Newborn pre-registration (seed 000 四.1): register at the hospital, pay, convert or lapse."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from yibao.errors import InputError
from yibao.idcard import mask_id_number
from yibao.policy import reference_data as reference
from yibao.rules.calendar import add_months_to_date
from yibao.services.common import Actor, audit, audit_id_reads
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import PreRegistrationIn
from yibao.services.registry.persons import check_region, resident_id
from yibao.services.scope import check_assignable, require_visible, scoped
from yibao.services.shapes import ConversionDue, ConversionDuePage, PreRegistrationPage
from yibao.services.shapes import PreRegistration as PreRegistrationShape
from yibao.services.views import preregistration_view
from yibao.store.db import Database
from yibao.store.models import Person, PreRegistration

__all__ = [
    "conversions_due",
    "convert",
    "create_preregistration",
    "expire_unpaid",
    "get_preregistration",
    "list_preregistrations",
]


def _window_months() -> int:
    return reference.newborn_preregistration().deadline_months


def create_preregistration(
    db: Database, actor: Actor, data: PreRegistrationIn, *, today: dt.date | None = None
) -> PreRegistrationShape:
    """Pre-register a newborn; one parent must hold a Guangxi hukou (ID or registry)."""
    today = today or dt.date.today()
    check_region(data.region)
    check_assignable(actor, data.region)
    parent = resident_id(data.parent_id_number, field="parent_id_number")
    expires_on = add_months_to_date(data.birth_date, _window_months())
    if data.birth_date > today:
        raise InputError(
            "birth_in_future", "出生日期晚于今天", "birth_date is in the future", field="birth_date"
        )
    if expires_on < today:  # the window's last day is still inside (C3)
        months = _window_months()
        raise InputError(
            "window_passed",
            f"出生已超过{months}个月,不能预参保登记,请到医保经办机构办理参保登记",
            f"more than {months} months since birth: register at a medical-insurance office "
            "instead",
            field="birth_date",
        )
    with db.write() as s:
        registered = s.scalar(select(Person).where(Person.id_number == parent.number))
        hukou = registered.hukou_region if registered is not None else parent.region_code
        if not hukou.startswith("45"):
            raise InputError(
                "parent_not_guangxi",
                "父母一方须为广西户籍",
                "one parent must hold a Guangxi hukou",
                field="parent_id_number",
            )
        person = Person(
            id_number=None,
            document_type="other",
            name=data.newborn_name,
            birth_date=data.birth_date,
            sex=data.sex,
            region=data.region,
            hukou_region=data.region,
        )
        s.add(person)
        s.flush()
        reg = PreRegistration(
            person_id=person.id,
            birth_hospital=data.birth_hospital,
            parent_id_number=parent.number,
            parent_name=data.parent_name,
            expires_on=expires_on,
            status="registered",
        )
        s.add(reg)
        s.flush()
        audit(
            s,
            actor,
            "create",
            "preregistration",
            reg.id,
            after={
                "person_id": person.id,
                "expires_on": expires_on.isoformat(),
                "parent_id_number": mask_id_number(parent.number),
                "status": reg.status,
            },
        )
        return preregistration_view(actor, reg, person)


def _load(s: Any, actor: Actor, reg_id: int, *, lock: bool = False
          ) -> tuple[PreRegistration, Person]:
    missing = NotFound(
        "preregistration_not_found",
        "未找到该预参保登记",
        "no such pre-registration",
        field="id",
    )
    reg = s.get(PreRegistration, reg_id, with_for_update=lock)
    if reg is None:
        raise missing
    person = s.get(Person, reg.person_id, with_for_update=lock)
    require_visible(actor, person.region, missing)
    return reg, person


def get_preregistration(db: Database, actor: Actor, reg_id: int) -> PreRegistrationShape:
    """One pre-registration."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        reg, person = _load(s, actor, reg_id)
        audit_id_reads(s, actor, [person.id], "get_preregistration")
        return preregistration_view(actor, reg, person)


def list_preregistrations(
    db: Database, actor: Actor, *, page: int, per_page: int, status: str | None = None
) -> PreRegistrationPage:
    """A page of pre-registrations, newest first."""
    stmt = scoped(select(PreRegistration, Person)
                  .join(Person, Person.id == PreRegistration.person_id), actor)
    if status:
        stmt = stmt.where(PreRegistration.status == status)
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(PreRegistration.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        audit_id_reads(s, actor, [p.id for _r, p in rows], "list_preregistrations")
        items = [preregistration_view(actor, r, p) for r, p in rows]
    return PreRegistrationPage(items=items, total=total, page=page, per_page=per_page)


def convert(db: Database, actor: Actor, reg_id: int, id_number: str) -> PreRegistrationShape:
    """Formal registration once the newborn has a hukou: the ID number replaces the document."""
    rid = resident_id(id_number)
    with db.write() as s:
        reg, person = _load(s, actor, reg_id, lock=True)
        if reg.status in ("converted", "lapsed"):
            raise Conflict(
                "preregistration_closed",
                f"预参保登记状态为 {reg.status},不能转为正式参保",
                f"the pre-registration is {reg.status}",
                field="id",
            )
        if rid.birth_date != person.birth_date or rid.sex != person.sex:
            raise InputError(
                "id_number_mismatch",
                "身份证号的出生日期或性别与预参保登记不符",
                "the ID number's birth date or sex differs from the pre-registration",
                field="id_number",
            )
        if s.scalar(select(Person.id).where(Person.id_number == rid.number)) is not None:
            raise Conflict(
                "person_exists",
                "该身份证号已登记",
                "ID number already registered",
                field="id_number",
            )
        before = {"status": reg.status, "document_type": person.document_type}
        person.id_number = rid.number
        person.document_type = "resident_id"
        reg.status = "converted"
        s.flush()
        audit(
            s,
            actor,
            "convert",
            "preregistration",
            reg.id,
            before=before,
            after={"status": reg.status, "id_number": mask_id_number(rid.number)},
        )
        audit_id_reads(s, actor, [person.id], "convert_preregistration")
        return preregistration_view(actor, reg, person)


def expire_unpaid(db: Database, actor: Actor, *, today: dt.date) -> list[int]:
    """Lapse every unpaid pre-registration whose window closed before ``today`` (its last
    day, ``expires_on``, is still inside: C3); returns their ids."""
    with db.write() as s:
        rows = s.scalars(
            select(PreRegistration)
            .where(PreRegistration.status == "registered", PreRegistration.expires_on < today)
            .with_for_update()
        ).all()
        for reg in rows:
            reg.status = "lapsed"
            audit(
                s,
                actor,
                "lapse",
                "preregistration",
                reg.id,
                before={"status": "registered"},
                after={"status": "lapsed", "expires_on": reg.expires_on.isoformat()},
            )
        return [r.id for r in rows]


def conversions_due(db: Database, actor: Actor, *, page: int, per_page: int,
                    region: str | None = None, today: dt.date | None = None
                    ) -> ConversionDuePage:
    """Paid-for newborn pre-registrations not yet turned into a formal registration, the
    earliest deadline first (C40): 《贵港市2021年度城乡居民医保参保缴费指南》四.1 — register a hukou
    within 3 months of birth, then have the office change the registration. The deadline is
    the last day of the newborn window by the engine's rule (C3); past it, ``overdue``.
    """
    from yibao.quoting.windows import newborn_last_days
    from yibao.services.common import today_beijing

    today = today or today_beijing()
    r, p = PreRegistration, Person
    where = [r.status == "paid"]
    if region:
        where.append(p.region.in_(reference.region_subtree(check_region(region))))
    with db.write() if actor.sees_full_ids else db.read() as s:
        keys = s.execute(scoped(select(r.id, p.region, p.birth_date)  # the account's own
                                .join(p, p.id == r.person_id).where(*where), actor)).all()
        deadlines = dict(zip((k.id for k in keys),
                             newborn_last_days([(k.region, k.birth_date) for k in keys]),
                             strict=True))
        far = dt.date.max
        order = sorted(keys, key=lambda k: (deadlines[k.id] or far, k.birth_date, k.id))
        shown = [k.id for k in order[(page - 1) * per_page:page * per_page]]
        rows = {reg.id: (reg, person) for reg, person in s.execute(
            select(r, p).join(p, p.id == r.person_id).where(r.id.in_(shown)))} if shown else {}
        audit_id_reads(s, actor, [rows[i][1].id for i in shown], "conversions_due")
        items = []
        for i in shown:
            reg, person = rows[i]
            deadline = deadlines[i]
            items.append(ConversionDue(
                pre_registration=preregistration_view(actor, reg, person), deadline=deadline,
                days_left=None if deadline is None else (deadline - today).days,
                overdue=deadline is not None and deadline < today))
    return ConversionDuePage(items=items, total=len(keys), page=page, per_page=per_page,
                             as_of=today)
