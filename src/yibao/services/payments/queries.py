"""Reading payments: one by id, a filtered page."""

from __future__ import annotations

from sqlalchemy import func, select

from yibao.services.common import Actor, audit_id_reads
from yibao.services.errors import NotFound
from yibao.services.scope import require_visible, scoped
from yibao.services.shapes import Payment as PaymentShape
from yibao.services.shapes import PaymentPage
from yibao.services.views import payment_view
from yibao.store.db import Database
from yibao.store.models import Payment, Person

__all__ = ["get_payment", "list_payments"]


def get_payment(db: Database, actor: Actor, payment_id: int) -> PaymentShape:
    """One payment, or NotFound."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        row = s.execute(
            select(Payment, Person.id_number, Person.region)
            .join(Person, Person.id == Payment.person_id)
            .where(Payment.id == payment_id)
        ).first()
        missing = NotFound("payment_not_found", "未找到该缴费记录", "no such payment", field="id")
        if row is None:
            raise missing
        payment, number, region = row
        require_visible(actor, region, missing)
        audit_id_reads(s, actor, [payment.person_id] if number else [], "get_payment")
        return payment_view(actor, payment, number)


def list_payments(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    coverage_year: int | None = None,
    channel: str | None = None,
    settlement: str | None = None,
    channel_txn_id: str | None = None,
) -> PaymentPage:
    """A page of payments, newest first (``channel`` with ``channel_txn_id``: the one
    payment recorded under that transaction number, if any)."""
    stmt = scoped(select(Payment, Person.id_number).join(Person, Person.id == Payment.person_id),
                  actor)
    if coverage_year is not None:
        stmt = stmt.where(Payment.coverage_year == coverage_year)
    if channel:
        stmt = stmt.where(Payment.channel == channel)
    if settlement:
        stmt = stmt.where(Payment.settlement == settlement)
    if channel_txn_id:
        stmt = stmt.where(Payment.channel_txn_id == channel_txn_id)
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(Payment.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        audit_id_reads(s, actor, [p.person_id for p, n in rows if n], "list_payments")
        items = [payment_view(actor, p, n) for p, n in rows]
    return PaymentPage(items=items, total=total, page=page, per_page=per_page)
