"""Reading the audit log (auditors and admins); an account limited to a region reads the
entries about its own persons (and their rows) and the entries about no person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, and_, cast, func, not_, or_, select

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
) -> AuditPage:
    """A page of audit entries, newest first (the log holds no full ID numbers), of the
    actor's scope."""
    stmt = _scoped(select(AuditEntry), actor)
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
