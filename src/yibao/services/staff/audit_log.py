"""Reading the audit log (auditors and admins); an account limited to a region reads the
entries about its own persons (and their rows) and the entries about no person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, and_, cast, exists, func, not_, or_, select

from yibao.services.common import Actor
from yibao.services.scope import visible
from yibao.services.shapes import AuditPage
from yibao.services.views import audit_view
from yibao.store.db import Database
from yibao.store.models import (
    AuditEntry,
    BackPaymentApplication,
    Enrollment,
    Household,
    Payment,
    PaymentReversal,
    Person,
    PreRegistration,
    SpecialGroupMembership,
)


def _scoped(stmt: Any, actor: Actor) -> Any:
    """Entries about persons (and their rows, households) of the actor's scope, and entries
    about no person; an entry naming several persons at once (entity id null) is left out."""
    if actor.region is None:
        return stmt
    a, mine = AuditEntry, visible(actor)

    def ids(column: Any, *joins: tuple[Any, Any]) -> Any:
        query = select(cast(column, String))
        for table, on in joins:
            query = query.join(table, on)
        return query.where(mine)

    of_person = {
        "person": ids(Person.id),
        "enrollment": ids(Enrollment.id, (Person, Person.id == Enrollment.person_id)),
        "payment": ids(Payment.id, (Person, Person.id == Payment.person_id)),
        "payment_reversal": ids(PaymentReversal.id,
                                (Payment, Payment.id == PaymentReversal.payment_id),
                                (Person, Person.id == Payment.person_id)),
        "special_group_membership": ids(SpecialGroupMembership.id,
                                        (Person, Person.id == SpecialGroupMembership.person_id)),
        "back_payment_application": ids(BackPaymentApplication.id,
                                        (Person, Person.id == BackPaymentApplication.person_id)),
        "preregistration": ids(PreRegistration.id,
                               (Person, Person.id == PreRegistration.person_id)),
    }
    allowed = [and_(a.entity == kind, a.entity_id.in_(query)) for kind, query in of_person.items()]
    households = select(cast(Household.id, String)).where(visible(actor, Household.region))
    allowed.append(and_(a.entity == "household", a.entity_id.in_(households)))
    return stmt.where(or_(not_(a.entity.in_((*of_person, "household"))), *allowed))


def list_audit(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    entity: str | None = None,
    entity_id: str | None = None,
    who: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    from_day: dt.date | None = None,
    to_day: dt.date | None = None,
    person: str | None = None,
    person_id: int | None = None,
) -> AuditPage:
    """A page of audit entries, newest first (the log holds no full ID numbers), of the
    actor's scope. ``from_day`` .. ``to_day`` are days in Beijing time, both included;
    ``person`` (a whole ID number, or a name) or ``person_id`` keeps the entries about
    that person and their rows (enrollments, payments, reversals, memberships,
    applications, pre-registrations)."""
    stmt = _scoped(select(AuditEntry), actor)
    if person or person_id is not None:
        stmt = stmt.where(_about(person, person_id, db.engine.dialect.name))
    if from_day is not None:
        stmt = stmt.where(AuditEntry.at >= _utc_start(from_day))
    if to_day is not None:
        stmt = stmt.where(AuditEntry.at < _utc_start(to_day + dt.timedelta(days=1)))
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if who:
        stmt = stmt.where(AuditEntry.actor == who)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(
            stmt.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        items = [audit_view(e) for e in rows]
    return AuditPage(items=items, total=total, page=page, per_page=per_page)


def _utc_start(day: dt.date) -> dt.datetime:
    """Midnight of a Beijing day as naive UTC (as the log stores its times)."""
    return dt.datetime.combine(day, dt.time()) - dt.timedelta(hours=8)


def _named_among(persons: Any, dialect: str) -> Any:
    """Entries naming several persons at once (the full ID numbers shown on one page or in
    one batch: entity ``person``, no entity id, the row ids in ``after.person_ids``) that
    name one of ``persons``."""
    a = AuditEntry
    if dialect == "postgresql":
        named = func.json_array_elements_text(a.after["person_ids"]).table_valued("value")
    else:
        named = func.json_each(a.after, "$.person_ids").table_valued("value")
    return and_(a.entity == "person", a.entity_id.is_(None),
                exists(select(1).select_from(named)
                       .where(cast(named.c.value, Integer).in_(persons))))


def _about(person: str | None, person_id: int | None, dialect: str) -> Any:
    """Entries about one person (by row id), or the persons with this whole ID number or
    this name, and their rows (also the entries that name them among others)."""
    text = (person or "").strip()
    if person_id is not None:
        match = Person.id == person_id
    elif len(text) == 18 and text[:17].isdigit():
        match = Person.id_number == text.upper()
    else:
        match = Person.name == text
    persons = select(Person.id).where(match)
    a = AuditEntry

    def about(kind: str, column: Any, owner: Any) -> Any:
        return and_(a.entity == kind,
                    a.entity_id.in_(select(cast(column, String)).where(owner.in_(persons))))

    return or_(
        about("person", Person.id, Person.id),
        _named_among(persons, dialect),
        about("enrollment", Enrollment.id, Enrollment.person_id),
        about("payment", Payment.id, Payment.person_id),
        and_(a.entity == "payment_reversal", a.entity_id.in_(
            select(cast(PaymentReversal.id, String))
            .join(Payment, Payment.id == PaymentReversal.payment_id)
            .where(Payment.person_id.in_(persons)))),
        about("special_group_membership", SpecialGroupMembership.id,
              SpecialGroupMembership.person_id),
        about("back_payment_application", BackPaymentApplication.id,
              BackPaymentApplication.person_id),
        about("preregistration", PreRegistration.id, PreRegistration.person_id),
    )


def person_row(db: Database, actor: Actor, id_number: str) -> int | None:
    """The row id of the person (in the actor's scope) with this whole ID number, for the
    audit log's filter by person (an auditor types the number; the address carries the row
    id). Shows no ID number, so nothing is audited."""
    stmt = select(Person.id).where(Person.id_number == id_number.strip().upper())
    if actor.region is not None:
        stmt = stmt.where(visible(actor))
    with db.read() as s:
        found = s.scalar(stmt)
    return None if found is None else int(found)
