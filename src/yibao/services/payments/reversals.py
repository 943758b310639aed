"""Refunds and channel reversals: their own rows, audited, reversing what they must, and
never cancelling or shortening cover on one person's word.

A reversal takes money out of one payment (never more than is left of it) and out of
its enrollment. When no payment of the year is left, the cover is cancelled; when the
payment that fixed the cover (the anchor) is wholly reversed, the cover is quoted again
at the next remaining payment's date (a later payment never starts cover earlier).
Recorded once per (payment, reference): a repeat with the same kind and amount answers
the first result, another body is a conflict.

Four eyes (contract §6): a clerk's reversal that would cancel or shorten the cover (no
cover, a later start, an earlier end, more waiting), and any refund a clerk asks for, is
stored as ``pending_approval`` with its effect on the cover and changes nothing; an
admin, another account than the one who asked, approves it (then it is applied, checked
against what is left of the payment at that moment) or rejects it. Requests, approvals
and rejections are audited. An admin's own reversal or refund applies at once.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, update

from yibao.errors import InputError
from yibao.services.common import Actor, fen_to_yuan, yuan_to_fen
from yibao.services.errors import Conflict, Forbidden, NotFound
from yibao.services.inputs import ReversalDecisionIn, ReversalIn
from yibao.services.payments.cover import ANCHORED, fix_cover, snapshot, update_status
from yibao.services.payments.requote import anchor_payment, requote
from yibao.services.payments.writes import audit_row
from yibao.services.scope import require_visible, scoped
from yibao.services.shapes import (
    CoverSnapshot,
    PendingReversal,
    ReversalEffect,
    ReversalPage,
    ReversalRecorded,
)
from yibao.services.views import enrollment_view, payment_view, reversal_view
from yibao.store.db import Database
from yibao.store.models import AuditEntry, Enrollment, Payment, PaymentReversal, Person, utcnow

__all__ = ["decide_reversal", "list_reversals", "reverse_payment", "shortens"]

_P = cast(Table, Payment.__table__)
_R = cast(Table, PaymentReversal.__table__)
_E = cast(Table, Enrollment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)

#: What the answer's status says: 201 recorded, 200 the same reference again (its first
#: answer), 202 waiting for an admin.
CREATED, REPEATED, PENDING = "created", "repeated", "pending"


def _payment_missing() -> NotFound:
    return NotFound("payment_not_found", "未找到该缴费记录", "no such payment", field="id")


def _reversal_missing() -> NotFound:
    return NotFound("reversal_not_found", "未找到该冲正/退费记录", "no such reversal or refund",
                    field="id")


def _person_of(conn: Connection, actor: Actor, person_id: int, missing: NotFound
               ) -> str | None:
    """Lock the person (payments of one person are written one at a time), check the
    actor's scope; the ID number."""
    row = conn.execute(select(_PERSON.c.id_number, _PERSON.c.region)
                       .where(_PERSON.c.id == person_id).with_for_update()).one()
    require_visible(actor, row.region, missing)
    number: str | None = row.id_number
    return number


def reverse_payment(
    db: Database, actor: Actor, payment_id: int, data: ReversalIn
) -> tuple[ReversalRecorded, str]:
    """Record a refund or reversal of a payment, or a clerk's request for one; returns the
    result and ``created``, ``repeated`` or ``pending``."""
    with db.write() as s:
        conn = s.connection()
        head = conn.execute(select(_P.c.person_id).where(_P.c.id == payment_id)).first()
        if head is None:
            raise _payment_missing()
        number = _person_of(conn, actor, head.person_id, _payment_missing())
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
            shown = PENDING if earlier.status == "pending_approval" else REPEATED
            return _result(conn, actor, payment_id, earlier, number), shown
        _check_amount(amount, remaining)
        eid = int(payment.enrollment_id)
        effect = None
        if actor.role != "admin":
            before, after = _simulate(conn, payment_id, eid, amount)
            if data.kind == "refund" or shortens(before, after):
                effect = {"before": before, "after": after}
        new_id = conn.execute(insert(_R).returning(_R.c.id), [{
            "payment_id": payment_id, "kind": data.kind, "amount_fen": amount,
            "reason": data.reason, "reference": data.reference, "recorded_by": actor.username,
            "created_at": utcnow(), "status": "recorded" if effect is None else "pending_approval",
            "effect": effect}]).scalar_one()
        row = conn.execute(select(_R).where(_R.c.id == new_id)).one()
        record = {**reversal_view(row).model_dump(mode="json"), "person_id": head.person_id}
        if effect is not None:
            conn.execute(insert(_A), [audit_row(actor, f"request_{data.kind}", "payment_reversal",
                                                new_id, None, {**record, "effect": effect})])
            return _result(conn, actor, payment_id, row, number), PENDING
        before, after = _apply(conn, payment_id, eid, amount)
        conn.execute(insert(_A), [
            audit_row(actor, "create", "payment_reversal", new_id, None, record),
            audit_row(actor, data.kind, "enrollment", eid, before,
                      {**after, **_what(payment_id, amount, data.reason, data.reference)}),
        ])
        return _result(conn, actor, payment_id, row, number), CREATED


def decide_reversal(db: Database, actor: Actor, reversal_id: int, data: ReversalDecisionIn
                    ) -> ReversalRecorded:
    """An admin approves (the reversal is applied now) or rejects a request waiting for
    approval; never the account that asked (403 ``four_eyes``)."""
    with db.write() as s:
        conn = s.connection()
        found = conn.execute(
            select(_R.c.payment_id, _P.c.person_id).join(_P, _P.c.id == _R.c.payment_id)
            .where(_R.c.id == reversal_id)).first()
        if found is None:
            raise _reversal_missing()
        number = _person_of(conn, actor, found.person_id, _reversal_missing())
        row = conn.execute(select(_R).where(_R.c.id == reversal_id).with_for_update()).one()
        if row.status != "pending_approval":
            raise Conflict("already_decided", "该冲正/退费已处理,不能再审批",
                           "this reversal or refund was already decided", field="id")
        if row.recorded_by == actor.username:
            raise Forbidden("four_eyes", "不能审批自己提交的冲正/退费,须由另一位管理员审批",
                            "you cannot approve your own request: another admin must",
                            field="id")
        payment = conn.execute(select(_P).where(_P.c.id == row.payment_id)).one()
        approve = data.decision == "approve"
        now = utcnow()
        conn.execute(update(_R).where(_R.c.id == reversal_id).values(
            status="recorded" if approve else "rejected", decided_by=actor.username,
            decided_at=now, decision_note=data.note))
        audits = [audit_row(actor, "approve_reversal" if approve else "reject_reversal",
                            "payment_reversal", reversal_id, {"status": "pending_approval"},
                            {"status": "recorded" if approve else "rejected",
                             "asked_by": row.recorded_by, "note": data.note,
                             "person_id": found.person_id}, now)]
        if approve:
            remaining = int(payment.amount_fen) - int(payment.reversed_fen)
            _check_amount(int(row.amount_fen), remaining)
            eid = int(payment.enrollment_id)
            before, after = _apply(conn, int(row.payment_id), eid, int(row.amount_fen))
            what = _what(int(row.payment_id), int(row.amount_fen), row.reason, row.reference)
            audits.append(audit_row(actor, row.kind, "enrollment", eid, before,
                                    {**after, **what}, now))
        conn.execute(insert(_A), audits)
        decided = conn.execute(select(_R).where(_R.c.id == reversal_id)).one()
        return _result(conn, actor, int(row.payment_id), decided, number)


def _what(payment_id: int, amount: int, reason: str, reference: str) -> dict[str, Any]:
    """What a reversal took out, for the enrollment's audit row (the log names the payment,
    the amount and the reason, not only the enrollment's new state)."""
    return {"reversed_payment_id": payment_id, "reversed_amount": fen_to_yuan(amount),
            "reversal_reason": reason, "reversal_reference": reference}


def list_reversals(db: Database, actor: Actor, *, page: int, per_page: int,
                   status: str | None = "pending_approval", person_id: int | None = None
                   ) -> ReversalPage:
    """Reversals and refunds (by default those waiting for approval; ``status=None`` all) of
    the persons in the actor's scope (or of one person), oldest first, each with its
    evidence."""
    stmt = scoped(
        select(PaymentReversal, Payment, Enrollment, Person)
        .join(Payment, Payment.id == PaymentReversal.payment_id)
        .join(Enrollment, Enrollment.id == Payment.enrollment_id)
        .join(Person, Person.id == Payment.person_id), actor)
    if status:
        stmt = stmt.where(PaymentReversal.status == status)
    if person_id is not None:
        stmt = stmt.where(Payment.person_id == person_id)
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(stmt.order_by(PaymentReversal.id)
                         .offset((page - 1) * per_page).limit(per_page)).all()
        items = []
        for r, p, e, person in rows:
            effect = None
            if r.effect:
                effect = ReversalEffect(before=CoverSnapshot.model_validate(r.effect["before"]),
                                        after=CoverSnapshot.model_validate(r.effect["after"]))
            items.append(PendingReversal(
                reversal=reversal_view(r), payment=payment_view(actor, p, person.id_number),
                enrollment=enrollment_view(actor, e, person.id_number), person_id=person.id,
                person_name=person.name, effect=effect))
    return ReversalPage(items=items, total=total, page=page, per_page=per_page)


def _check_amount(amount: int, remaining: int) -> None:
    if amount <= 0 or amount > remaining:
        raise InputError(
            "reversal_amount",
            f"冲正/退费金额须大于 0 且不超过该笔缴费剩余的 {fen_to_yuan(remaining)} 元",
            f"the amount must be above 0 and at most the {fen_to_yuan(remaining)} left "
            "of this payment",
            field="amount",
        )


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def shortens(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether the cover ``after`` is less than ``before`` (snapshots of an enrollment):
    cancelled or without a start where there was one, a later start, an earlier end, or
    more waiting months."""
    start0, start1 = _day(before["benefit_start"]), _day(after["benefit_start"])
    end0, end1 = _day(before["benefit_end"]), _day(after["benefit_end"])
    if after["status"] == "cancelled" and before["status"] != "cancelled":
        return True
    if start0 is not None and (start1 is None or start1 > start0):
        return True
    if end0 is not None and (end1 is None or end1 < end0):
        return True
    waiting = ("waiting_fixed", "waiting_variable")
    return sum(int(after[k] or 0) for k in waiting) > sum(int(before[k] or 0) for k in waiting)


def _simulate(conn: Connection, payment_id: int, eid: int, amount: int
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The enrollment before and after the reversal, without keeping anything."""
    savepoint = conn.begin_nested()
    try:
        return _apply(conn, payment_id, eid, amount)
    finally:
        savepoint.rollback()


def _apply(conn: Connection, payment_id: int, eid: int, amount: int
           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take ``amount`` out of the payment and its enrollment; the enrollment before, after."""
    anchor_before = anchor_payment(conn, eid)
    conn.execute(update(_P).where(_P.c.id == payment_id)
                 .values(reversed_fen=_P.c.reversed_fen + amount))
    return _reverse_enrollment(conn, eid, amount,
                               None if anchor_before is None else int(anchor_before.id))


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
