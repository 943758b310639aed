"""Refunds and channel reversals: their own rows, audited, reversing what they must.

A reversal takes money out of one payment (never more than is left of it) and out of
its enrollment. When no payment of the year is left, the cover is cancelled; when the
payment that fixed the cover (the anchor) is wholly reversed, the cover is quoted again
at the next remaining payment's date (a later payment never starts cover earlier).
Recorded once per (payment, reference): a repeat with the same kind and amount answers
the first result, another body is a conflict.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from yibao.errors import InputError
from yibao.services.common import Actor, fen_to_yuan, yuan_to_fen
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import ReversalIn
from yibao.services.payments.cover import ANCHORED, fix_cover, snapshot, update_status
from yibao.services.payments.requote import anchor_payment, requote
from yibao.services.payments.rows import audit_row
from yibao.services.shapes import ReversalRecorded
from yibao.services.views import enrollment_view, payment_view, reversal_view
from yibao.store.db import Database
from yibao.store.models import AuditEntry, Enrollment, Payment, PaymentReversal, Person, utcnow

__all__ = ["reverse_payment"]

_P = cast(Table, Payment.__table__)
_R = cast(Table, PaymentReversal.__table__)
_E = cast(Table, Enrollment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)


def reverse_payment(
    db: Database, actor: Actor, payment_id: int, data: ReversalIn
) -> tuple[ReversalRecorded, bool]:
    """Record a refund or reversal of a payment; returns (result, created)."""
    with db.write() as s:
        conn = s.connection()
        head = conn.execute(select(_P.c.person_id).where(_P.c.id == payment_id)).first()
        if head is None:
            raise NotFound("payment_not_found", "未找到该缴费记录", "no such payment", field="id")
        number = conn.execute(
            select(_PERSON.c.id_number).where(_PERSON.c.id == head.person_id).with_for_update()
        ).scalar_one()
        payment = conn.execute(select(_P).where(_P.c.id == payment_id)).one()
        remaining = int(payment.amount_fen) - int(payment.reversed_fen)
        amount = remaining if data.amount is None else yuan_to_fen(data.amount)
        earlier = conn.execute(
            select(_R).where(_R.c.payment_id == payment_id, _R.c.reference == data.reference)
        ).first()
        if earlier is not None:
            if earlier.kind != data.kind or (data.amount is not None
                                             and int(earlier.amount_fen) != amount):
                raise Conflict("reversal_conflict", "该冲正/退费凭证号已用于另一笔不同的记录",
                               "this reference was already recorded with another body",
                               field="reference")
            return _result(conn, actor, payment_id, earlier, number), False
        if amount <= 0 or amount > remaining:
            raise InputError(
                "reversal_amount",
                f"冲正/退费金额须大于 0 且不超过该笔缴费剩余的 {fen_to_yuan(remaining)} 元",
                f"the amount must be above 0 and at most the {fen_to_yuan(remaining)} left "
                "of this payment",
                field="amount",
            )
        anchor_before = anchor_payment(conn, int(payment.enrollment_id))
        new_id = conn.execute(insert(_R).returning(_R.c.id), [{
            "payment_id": payment_id, "kind": data.kind, "amount_fen": amount,
            "reason": data.reason, "reference": data.reference, "recorded_by": actor.username,
            "created_at": utcnow()}]).scalar_one()
        conn.execute(update(_P).where(_P.c.id == payment_id)
                     .values(reversed_fen=_P.c.reversed_fen + amount))
        before, after = _reverse_enrollment(
            conn, int(payment.enrollment_id), amount,
            None if anchor_before is None else int(anchor_before.id))
        row = conn.execute(select(_R).where(_R.c.id == new_id)).one()
        conn.execute(insert(_A), [
            audit_row(actor, "create", "payment_reversal", new_id, None,
                      {**reversal_view(row).model_dump(mode="json"),
                       "person_id": head.person_id}),
            audit_row(actor, data.kind, "enrollment", payment.enrollment_id, before, after),
        ])
        return _result(conn, actor, payment_id, row, number), True


def _reverse_enrollment(
    conn: Connection, eid: int, amount: int, anchor_before: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take ``amount`` out of the enrollment; cancel or re-anchor its cover if it must."""
    row = conn.execute(select(_E).where(_E.c.id == eid).with_for_update()).one()
    state = dict(row._mapping)
    before = snapshot(state)
    state["amount_paid_fen"] = int(state["amount_paid_fen"]) - amount
    anchor = anchor_payment(conn, eid)
    if anchor is None:
        state.update(status="cancelled", benefit_start=None, benefit_end=None,
                     waiting_fixed=0, waiting_variable=0, balance_due_fen=0, start_reason=None)
    else:
        if state["status"] in ANCHORED and anchor.id != anchor_before:
            quote, unknown = requote(conn, state, anchor)
            fix_cover(state, quote, history_unknown=unknown)
        update_status(state)
    state["updated_at"] = utcnow()
    keep = ("person_id", "coverage_year", "created_at", "id")
    conn.execute(update(_E).where(_E.c.id == eid)
                 .values({k: v for k, v in state.items() if k not in keep}))
    return before, snapshot(state)


def _result(conn: Connection, actor: Actor, payment_id: int, reversal: Any,
            number: str | None) -> ReversalRecorded:
    payment = conn.execute(select(_P).where(_P.c.id == payment_id)).one()
    enrollment = conn.execute(select(_E).where(_E.c.id == payment.enrollment_id)).one()
    return ReversalRecorded(
        reversal=reversal_view(reversal),
        payment=payment_view(actor, SimpleNamespace(**payment._mapping), number),
        enrollment=enrollment_view(actor, SimpleNamespace(**enrollment._mapping), number),
    )
