"""``yibao payments settle``: quote the pending enrollments whose figures are now published.

A payment for a year whose figures were unpublished is recorded as ``unquoted`` and its
enrollment stays ``pending`` (no cover). Once the figures are published, settling quotes
each such enrollment at its anchor payment's date with the registry's history, fixes the
cover, and settles its payments in the order they were recorded. Idempotent: a settled
enrollment is no longer pending.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from yibao.errors import InputError
from yibao.services.common import Actor
from yibao.services.payments.cover import fix_cover, settle, snapshot, status_of
from yibao.services.payments.requote import anchor_payment, requote
from yibao.services.payments.rows import audit_row
from yibao.services.shapes import SettleError, SettleResult
from yibao.store.db import Database
from yibao.store.models import AuditEntry, Enrollment, Payment, Person, utcnow

__all__ = ["settle_pending"]

_E = cast(Table, Enrollment.__table__)
_P = cast(Table, Payment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)
CHUNK = 200


def settle_pending(db: Database, actor: Actor) -> SettleResult:
    """Settle every pending enrollment that can now be quoted: how many were settled, how
    many stay pending (figures still unpublished), and the errors."""
    settled = still = 0
    errors: list[SettleError] = []
    after_id = 0
    while True:
        with db.write() as s:
            conn = s.connection()
            ids = list(conn.execute(
                select(_E.c.id).where(_E.c.status == "pending", _E.c.id > after_id)
                .order_by(_E.c.id).limit(CHUNK)
            ).scalars())
            if not ids:
                break
            after_id = ids[-1]
            for eid in ids:
                outcome = _settle_one(conn, actor, eid)
                if outcome == "settled":
                    settled += 1
                elif outcome == "pending":
                    still += 1
                else:
                    errors.append(SettleError(enrollment_id=eid, code=outcome))
    return SettleResult(settled=settled, still_pending=still, errors=errors)


def _settle_one(conn: Any, actor: Actor, eid: int) -> str:
    row = conn.execute(select(_E).where(_E.c.id == eid).with_for_update()).one()
    conn.execute(
        select(_PERSON.c.id).where(_PERSON.c.id == row.person_id).with_for_update()
    ).all()
    if row.status != "pending":
        return "settled"
    anchor = anchor_payment(conn, eid)
    if anchor is None:
        return "no_payment"
    try:
        quote, unknown = requote(conn, dict(row._mapping), anchor)
    except InputError as exc:
        return exc.code
    if quote.total_due_fen is None:
        return "pending"
    state = dict(row._mapping)
    before = snapshot(state)
    fix_cover(state, quote, history_unknown=unknown)
    payments = conn.execute(
        select(_P.c.id, _P.c.amount_fen, _P.c.reversed_fen)
        .where(_P.c.enrollment_id == eid).order_by(_P.c.id)
    ).all()
    state["amount_paid_fen"] = 0
    updates = []
    for p in payments:
        expected, diff, settlement = settle(state, int(p.amount_fen))
        updates.append({"_id": p.id, "expected_fen": expected, "difference_fen": diff,
                        "settlement": settlement})
    net = sum(int(p.amount_fen) - int(p.reversed_fen) for p in payments)
    state["amount_paid_fen"] = net
    state["status"] = status_of(state["amount_due_fen"], net)
    state["updated_at"] = utcnow()
    conn.execute(
        update(_P).where(_P.c.id == bindparam("_id")).values(
            expected_fen=bindparam("expected_fen"), difference_fen=bindparam("difference_fen"),
            settlement=bindparam("settlement")),
        updates,
    )
    changed = {k: state[k] for k in (
        "status", "amount_due_fen", "amount_paid_fen", "benefit_start", "benefit_end",
        "waiting_fixed", "waiting_variable", "rules", "rule_ids", "warnings", "warning_codes",
        "history_basis", "policy_version", "updated_at")}
    conn.execute(update(_E).where(_E.c.id == eid).values(**changed))
    conn.execute(insert(_A), [audit_row(actor, "settle", "enrollment", eid, before,
                                        snapshot(state))])
    return "settled"
