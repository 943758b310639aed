"""Enrollments: the engine's quote applied to a person's coverage year; lists; opening a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yibao.services.common import Actor, audit, audit_id_reads
from yibao.services.inputs import PaymentIn
from yibao.services.persons import find_person
from yibao.services.views import enrollment_view, payment_view
from yibao.store.db import Database
from yibao.store.models import Enrollment, Payment, Person, SpecialGroupMembership

__all__ = [
    "PAID_STATUSES",
    "apply_quote",
    "list_enrollments",
    "person_enrollments",
    "person_payments",
    "quote_facts",
    "special_group_on",
]

PAID_STATUSES = ("paid", "overpaid")
_FULL_GROUPS = ("tekun", "orphan", "fact_orphan")


def special_group_on(session: Session, person_id: int, day: dt.date) -> str | None:
    """The person's special group on ``day`` (a full-assistance group first), or None."""
    rows = session.scalars(
        select(SpecialGroupMembership.group_code).where(
            SpecialGroupMembership.person_id == person_id,
            SpecialGroupMembership.valid_from <= day,
            (SpecialGroupMembership.valid_to.is_(None)) | (SpecialGroupMembership.valid_to >= day),
        )
    ).all()
    for code in _FULL_GROUPS:
        if code in rows:
            return code
    return rows[0] if rows else None


def _covered_years(session: Session, person_id: int, year: int) -> list[int] | None:
    """Years with cover known to the registry, or None (= continuous) when it knows none."""
    rows = session.execute(
        select(Enrollment.coverage_year, Enrollment.status).where(
            Enrollment.person_id == person_id, Enrollment.coverage_year < year
        )
    ).all()
    if not rows:
        return None
    return sorted(y for y, status in rows if status in (*PAID_STATUSES, "underpaid"))


def quote_facts(
    session: Session, person: Person, data: PaymentIn, payment_date: dt.date
) -> dict[str, Any]:
    """The quote input for a payment: registry facts, overridden by facts in the payment."""
    facts: dict[str, Any] = {
        "region": person.region,
        "coverage_year": data.coverage_year,
        "payment_date": payment_date.isoformat(),
    }
    if person.id_number is not None:
        facts["id_number"] = person.id_number
    else:
        facts["birth_date"] = person.birth_date.isoformat()
    group = data.special_group or special_group_on(session, person.id, payment_date)
    if group:
        facts["special_group"] = group
    covered = data.covered_years
    if covered is None:
        covered = _covered_years(session, person.id, data.coverage_year)
    if covered is not None:
        facts["covered_years"] = covered
    if data.back_pay_years:
        facts["back_pay_years"] = data.back_pay_years
    if data.employee_insurance_end_date is not None:
        facts["employee_insurance_end_date"] = data.employee_insurance_end_date.isoformat()
    if data.hardship_deferral is not None:
        facts["hardship_deferral"] = data.hardship_deferral
    return facts


def _fen(text: str | None) -> int | None:
    return None if text is None else int(Decimal(text) * 100)


def apply_quote(
    session: Session, person: Person, year: int, facts: dict[str, Any]
) -> tuple[Enrollment, int | None, dict[str, Any]]:
    """Quote, then create or update the enrollment; returns (enrollment, due in fen, quote).

    Due is the coverage year's amount plus any back-pay, or None when a figure is missing.
    """
    from yibao.quoting import quote

    result = quote(facts)
    amount = _fen(result.get("amount_due"))
    back_pay = _fen((result.get("breakdown") or {}).get("back_pay")) or 0
    due = None if amount is None else amount + back_pay
    enrollment = session.scalar(
        select(Enrollment)
        .where(Enrollment.person_id == person.id, Enrollment.coverage_year == year)
        .with_for_update()
    )
    before = None
    if enrollment is None:
        enrollment = Enrollment(person_id=person.id, coverage_year=year, amount_paid_fen=0)
        session.add(enrollment)
    else:
        before = _snapshot(enrollment)
    waiting = result.get("waiting_months") or {}
    enrollment.region = person.region
    enrollment.status = enrollment.status or "open"
    enrollment.amount_due_fen = due
    enrollment.benefit_start = _date(result.get("benefit_start"))
    enrollment.benefit_end = _date(result.get("benefit_end"))
    enrollment.waiting_fixed = int(waiting.get("fixed", 0))
    enrollment.waiting_variable = int(waiting.get("variable", 0))
    enrollment.rules = [
        {"id": r["id"], "source": r.get("source"), "text": r.get("text")}
        for r in result.get("rules", [])
    ]
    enrollment.rule_ids = [r["id"] for r in enrollment.rules]
    enrollment.warnings = list(result.get("warnings", []))
    session.flush()
    session.info.setdefault("enrollment_before", {})[enrollment.id] = before
    return enrollment, due, result


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(text) if isinstance(text, str) else None


def _snapshot(e: Enrollment) -> dict[str, Any]:
    return {
        "status": e.status,
        "amount_due_fen": e.amount_due_fen,
        "amount_paid_fen": e.amount_paid_fen,
        "benefit_start": None if e.benefit_start is None else e.benefit_start.isoformat(),
        "rule_ids": list(e.rule_ids),
    }


def audit_enrollment(session: Session, actor: Actor, e: Enrollment, action: str) -> None:
    """Audit an enrollment change with its state before (if any) and after."""
    before = session.info.get("enrollment_before", {}).get(e.id)
    audit(session, actor, action, "enrollment", e.id, before=before, after=_snapshot(e))


def person_enrollments(db: Database, actor: Actor, id_number: str) -> dict[str, Any]:
    """All enrollments of one person, by coverage year."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, id_number)
        rows = s.scalars(
            select(Enrollment)
            .where(Enrollment.person_id == person.id)
            .order_by(Enrollment.coverage_year)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_enrollments")
        items = [enrollment_view(actor, e, person.id_number) for e in rows]
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


def person_payments(db: Database, actor: Actor, id_number: str) -> dict[str, Any]:
    """All payments of one person, oldest first."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, id_number)
        rows = s.scalars(
            select(Payment).where(Payment.person_id == person.id).order_by(Payment.id)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_payments")
        items = [payment_view(actor, p, person.id_number) for p in rows]
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


def list_enrollments(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    coverage_year: int | None = None,
    status: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """A page of enrollments, filtered by year, status and region prefix."""
    stmt = select(Enrollment, Person.id_number).join(Person, Person.id == Enrollment.person_id)
    if coverage_year is not None:
        stmt = stmt.where(Enrollment.coverage_year == coverage_year)
    if status:
        stmt = stmt.where(Enrollment.status == status)
    if region:
        stmt = stmt.where(Enrollment.region.startswith(region.rstrip("0") or region))
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(Enrollment.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        audit_id_reads(s, actor, [e.person_id for e, n in rows if n], "list_enrollments")
        items = [enrollment_view(actor, e, n) for e, n in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}
