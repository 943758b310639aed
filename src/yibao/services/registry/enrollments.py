"""Enrollments: a person's, one with its payments and corrections, a filtered page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yibao.policy import reference_data as reference
from yibao.services.common import Actor, audit_id_reads
from yibao.services.errors import NotFound
from yibao.services.registry.persons import find_person
from yibao.services.registry.quotes import pick_group
from yibao.services.scope import require_visible, scoped
from yibao.services.shapes import Enrollment as EnrollmentShape
from yibao.services.shapes import EnrollmentDetail, EnrollmentPage
from yibao.services.shapes import Payment as PaymentShape
from yibao.services.views import correction_view, enrollment_view, payment_view, reversal_view
from yibao.store.db import Database
from yibao.store.models import (
    Enrollment,
    EnrollmentCorrection,
    Payment,
    PaymentReversal,
    Person,
    SpecialGroupMembership,
)

__all__ = [
    "get_enrollment",
    "list_enrollments",
    "person_enrollments",
    "person_payments",
    "special_group_on",
]


def special_group_on(session: Session, person_id: int, day: dt.date) -> str | None:
    """The person's special group on ``day`` (a full-assistance group first), or None."""
    m = SpecialGroupMembership
    rows = session.execute(
        select(m.group_code, m.valid_from, m.valid_to)
        .where(m.person_id == person_id)
        .order_by(m.id)
    ).all()
    return pick_group([(c, f, t) for c, f, t in rows], day)


def person_enrollments(db: Database, actor: Actor, id_number: str) -> list[EnrollmentShape]:
    """All enrollments of one person, by coverage year."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, actor, id_number)
        rows = s.scalars(
            select(Enrollment)
            .where(Enrollment.person_id == person.id)
            .order_by(Enrollment.coverage_year)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_enrollments")
        return [enrollment_view(actor, e, person.id_number) for e in rows]


def person_payments(db: Database, actor: Actor, id_number: str) -> list[PaymentShape]:
    """All payments of one person, oldest first."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, actor, id_number)
        rows = s.scalars(
            select(Payment).where(Payment.person_id == person.id).order_by(Payment.id)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_payments")
        return [payment_view(actor, p, person.id_number) for p in rows]


def get_enrollment(db: Database, actor: Actor, enrollment_id: int) -> EnrollmentDetail:
    """One enrollment with its payments, their reversals and the corrections made to it."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        row = s.execute(
            select(Enrollment, Person.id_number, Person.region)
            .join(Person, Person.id == Enrollment.person_id)
            .where(Enrollment.id == enrollment_id)
        ).first()
        missing = NotFound("enrollment_not_found", "未找到该参保记录", "no such enrollment",
                           field="id")
        if row is None:
            raise missing
        enrollment, number, region = row
        require_visible(actor, region, missing)
        payments = s.scalars(
            select(Payment).where(Payment.enrollment_id == enrollment_id).order_by(Payment.id)
        ).all()
        reversals = s.scalars(
            select(PaymentReversal)
            .where(PaymentReversal.payment_id.in_([p.id for p in payments]))
            .order_by(PaymentReversal.id)
        ).all()
        corrections = s.scalars(
            select(EnrollmentCorrection)
            .where(EnrollmentCorrection.enrollment_id == enrollment_id)
            .order_by(EnrollmentCorrection.id)
        ).all()
        audit_id_reads(s, actor, [enrollment.person_id] if number else [], "get_enrollment")
        return EnrollmentDetail(
            **dict(enrollment_view(actor, enrollment, number)),
            payments=[payment_view(actor, p, number) for p in payments],
            reversals=[reversal_view(r) for r in reversals],
            corrections=[correction_view(c) for c in corrections],
        )


def list_enrollments(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    coverage_year: int | None = None,
    status: str | None = None,
    region: str | None = None,
) -> EnrollmentPage:
    """A page of enrollments, filtered by year, status and region (with the regions under it)."""
    stmt = scoped(select(Enrollment, Person.id_number)
                  .join(Person, Person.id == Enrollment.person_id), actor)
    if coverage_year is not None:
        stmt = stmt.where(Enrollment.coverage_year == coverage_year)
    if status:
        stmt = stmt.where(Enrollment.status == status)
    if region:
        stmt = stmt.where(Enrollment.region.in_(reference.region_subtree(region)))
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(Enrollment.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        audit_id_reads(s, actor, [e.person_id for e, n in rows if n], "list_enrollments")
        items = [enrollment_view(actor, e, n) for e, n in rows]
    return EnrollmentPage(items=items, total=total, page=page, per_page=per_page)
