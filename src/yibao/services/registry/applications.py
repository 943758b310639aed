"""Back-payment applications (seed 001 补缴流程): submit with a materials checklist, decide."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from yibao.errors import InputError
from yibao.policy import reference_data as reference
from yibao.services.common import Actor, audit, audit_id_reads
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import ApplicationDecisionIn, ApplicationIn
from yibao.services.registry.persons import find_person
from yibao.services.scope import require_visible, scoped
from yibao.services.shapes import Application, ApplicationPage
from yibao.services.views import application_view
from yibao.store.db import Database
from yibao.store.models import BackPaymentApplication, Person, utcnow

__all__ = ["create_application", "decide", "get_application", "list_applications", "missing"]


def missing(app_type: str, materials: dict[str, Any]) -> list[str]:
    """Codes of required materials not ticked for this application type."""
    out = []
    for m in reference.back_payment_reference().materials:
        needed = m.required == "always" or app_type in m.required_for
        if needed and not materials.get(m.code):
            out.append(m.code)
    return out


def _view(actor: Actor, a: BackPaymentApplication, p: Person) -> Application:
    return application_view(actor, a, p, missing(a.application_type, dict(a.materials)))


def create_application(db: Database, actor: Actor, data: ApplicationIn) -> Application:
    """Submit an application; status ``submitted``, or ``incomplete`` if materials are missing."""
    ref = reference.back_payment_reference()
    types = {t.code for t in ref.application_types}
    if data.type not in types:
        raise InputError(
            "unknown_application_type",
            f"未知的补缴类型“{data.type}”",
            f"unknown application type {data.type!r}",
            field="type",
        )
    codes = {m.code for m in ref.materials}
    for code in data.materials:
        if code not in codes:
            raise InputError(
                "unknown_material",
                f"未知的申办材料“{code}”",
                f"unknown material {code!r}",
                field=f"materials.{code}",
            )
    if len(set(data.years)) != len(data.years):
        raise InputError("duplicate_year", "补缴年度重复", "a year is listed twice", field="years")
    status = "incomplete" if missing(data.type, data.materials) else "submitted"
    with db.write() as s:
        person = find_person(s, actor, data.id_number, lock=True)
        row = BackPaymentApplication(
            person_id=person.id,
            application_type=data.type,
            submitted_via=data.submitted_via,
            years=sorted(data.years),
            materials=dict(data.materials),
            status=status,
            created_by=actor.username,
        )
        s.add(row)
        s.flush()
        audit(
            s,
            actor,
            "create",
            "back_payment_application",
            row.id,
            after={
                "person_id": person.id,
                "type": row.application_type,
                "status": status,
                "years": row.years,
            },
        )
        audit_id_reads(s, actor, [person.id], "create_application")
        return _view(actor, row, person)


def _load(s: Any, actor: Actor, app_id: int, *, lock: bool = False
          ) -> tuple[BackPaymentApplication, Person]:
    missing = NotFound(
        "application_not_found", "未找到该补缴申请", "no such application", field="id"
    )
    row = s.get(BackPaymentApplication, app_id, with_for_update=lock)
    if row is None:
        raise missing
    person = s.get(Person, row.person_id)
    require_visible(actor, person.region, missing)
    return row, person


def get_application(db: Database, actor: Actor, app_id: int) -> Application:
    """One application with its missing materials."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        row, person = _load(s, actor, app_id)
        audit_id_reads(s, actor, [person.id], "get_application")
        return _view(actor, row, person)


def list_applications(
    db: Database, actor: Actor, *, page: int, per_page: int, status: str | None = None
) -> ApplicationPage:
    """A page of applications, newest first."""
    stmt = scoped(select(BackPaymentApplication, Person).join(
        Person, Person.id == BackPaymentApplication.person_id
    ), actor)
    if status:
        stmt = stmt.where(BackPaymentApplication.status == status)
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(BackPaymentApplication.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        audit_id_reads(s, actor, [p.id for _a, p in rows], "list_applications")
        items = [_view(actor, a, p) for a, p in rows]
    return ApplicationPage(items=items, total=total, page=page, per_page=per_page)


def decide(db: Database, actor: Actor, app_id: int, data: ApplicationDecisionIn
           ) -> Application:
    """Approve or reject a submitted application (an incomplete one can only be rejected)."""
    with db.write() as s:
        row, person = _load(s, actor, app_id, lock=True)
        if row.status not in ("submitted", "incomplete"):
            raise Conflict(
                "already_decided",
                "该申请已有决定",
                "the application was already decided",
                field="id",
            )
        if data.decision == "approved" and row.status == "incomplete":
            raise Conflict(
                "materials_missing",
                "材料不全,不能批准",
                "required materials are missing; it cannot be approved",
                field="decision",
            )
        before = {"status": row.status}
        row.status = data.decision
        row.decision_reason = data.reason or None
        row.decided_by = actor.username
        row.decided_at = utcnow()
        s.flush()
        audit(
            s,
            actor,
            "decide",
            "back_payment_application",
            row.id,
            before=before,
            after={"status": row.status, "reason": row.decision_reason},
        )
        audit_id_reads(s, actor, [person.id], "decide_application")
        return _view(actor, row, person)
