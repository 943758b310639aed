"""Database side of recording payments, what a batch writes: enrollments inserted or
updated, payments, history declarations and audit rows, with bulk inserts (``RETURNING`` ids
in parameter order, or ids drawn ahead from PostgreSQL's sequences) and executemany updates.
What a batch reads: :mod:`yibao.services.payments.rows`.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, text, update

from yibao.services.common import Actor, fen_to_yuan, id_reads_shown
from yibao.services.payments.cover import snapshot
from yibao.services.payments.rows import ENROLLMENTS, PAYMENTS, Outcome, Work, stored_response
from yibao.services.shapes import PaymentRecorded
from yibao.services.views import enrollment_view, payment_view
from yibao.store.models import AuditEntry, CoverageHistory, Person, PreRegistration, utcnow
from yibao.store.unnest import insert_unnest, supports_unnest

__all__ = ["audit_row", "write"]

_P, _E = PAYMENTS, ENROLLMENTS
_A = cast(Table, AuditEntry.__table__)
_H = cast(Table, CoverageHistory.__table__)
_PERSON = cast(Table, Person.__table__)
_PRE = cast(Table, PreRegistration.__table__)
_ENROLLMENT_COLUMNS = tuple(c.name for c in _E.columns if c.name != "id")
_CHANGEABLE = tuple(
    c for c in _ENROLLMENT_COLUMNS if c not in ("person_id", "coverage_year", "created_at")
)


_ALLOCATE = text(
    "SELECT CASE WHEN g <= :enrollments THEN nextval('enrollments_id_seq') END, "
    "nextval('payments_id_seq') FROM generate_series(1, :payments) AS g"
)


def _allocate(conn: Connection, enrollments: int, payments: int) -> tuple[list[int], list[int]]:
    """PostgreSQL: ids for new enrollments and payments from their sequences in one round trip,
    so that the inserts are plain executemany statements (the same text every time, so the
    driver parses and prepares them once) instead of one multi-row statement per batch size."""
    rows = conn.execute(_ALLOCATE, {"enrollments": enrollments, "payments": payments}).all()
    return [int(r[0]) for r in rows[:enrollments]], [int(r[1]) for r in rows]


def _insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]],
                          ids: list[int] | None) -> list[int]:
    if ids is not None:
        _insert(conn, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    return list(conn.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).scalars())


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: one ``INSERT … FROM unnest`` (the same rows stored, a fifth of the CPU of
    an executemany); SQLite: an executemany."""
    if not (rows and conn.dialect.name == "postgresql" and supports_unnest(table, list(rows[0]))
            and insert_unnest(conn, table, rows)):
        conn.execute(insert(table), rows)


def _write_enrollments(conn: Connection, done: list[Work], ids: list[int] | None) -> None:
    new, old = _enrollments_of(done)
    if new:
        rows = [{c: s.get(c) for c in _ENROLLMENT_COLUMNS} for s in new]
        for s, new_id in zip(new, _insert_returning_ids(conn, _E, rows, ids), strict=True):
            s["id"] = new_id
    if old:
        stmt = (
            update(_E).where(_E.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in _CHANGEABLE})
        )
        conn.execute(stmt, [{"_id": s["id"], **{c: s[c] for c in _CHANGEABLE}} for s in old])


def _enrollments_of(done: list[Work]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The batch's enrollments (each once): (new, existing)."""
    states: dict[int, dict[str, Any]] = {}
    for w in done:
        assert w.enrollment is not None
        states[id(w.enrollment)] = w.enrollment
    return ([s for s in states.values() if s["id"] is None],
            [s for s in states.values() if s["id"] is not None])


def _write_history(conn: Connection, actor: Actor, done: list[Work], now: dt.datetime) -> None:
    rows = [
        {"person_id": w.person.id, "coverage_year": y, "source": "payment",
         "reference": f"{w.data.channel}:{w.data.channel_txn_id}", "recorded_by": actor.username,
         "recorded_at": now}
        for w in done for y in (w.declare or ())
    ]
    if rows:
        conn.execute(insert(_H), rows)
    ids = sorted({w.person.id for w in done if w.declare is not None})
    if ids:
        conn.execute(
            update(_PERSON)
            .where(_PERSON.c.id.in_(ids), _PERSON.c.history_recorded_at.is_(None))
            .values(history_recorded_at=now)
        )


def write(conn: Connection, actor: Actor, done: list[Work], out: list[Outcome | None]) -> None:
    """Insert or update the enrollments, insert payments, history and audit rows."""
    now = utcnow()
    enrollment_ids = payment_ids_ahead = None
    if conn.dialect.name == "postgresql":
        enrollment_ids, payment_ids_ahead = _allocate(conn, len(_enrollments_of(done)[0]),
                                                      len(done))
    _write_enrollments(conn, done, enrollment_ids)
    _write_history(conn, actor, done, now)
    responses = []
    for w in done:
        assert w.enrollment is not None
        w.after["id"] = w.enrollment["id"]
        w.payment["enrollment_id"] = w.enrollment["id"]
        number = w.person.id_number
        responses.append(PaymentRecorded(
            payment=payment_view(actor, SimpleNamespace(id=None, reversed_fen=0, **w.payment),
                                 number),
            enrollment=enrollment_view(actor, SimpleNamespace(**w.after), number),
        ))
    payment_ids = _insert_returning_ids(
        conn, _P, [{**w.payment, "response": r.model_dump(mode="json")}
                   for w, r in zip(done, responses, strict=True)],
        payment_ids_ahead)
    audits: list[dict[str, Any]] = []
    for w, response, pid in zip(done, responses, payment_ids, strict=True):
        out[w.index] = Outcome("created", response=stored_response(pid, response),
                               person_id=w.person.id)
        eid = w.enrollment["id"] if w.enrollment else None
        audits.append(audit_row(actor, "payment", "enrollment", eid, w.before, snapshot(w.after),
                                now))
        after = {
            "person_id": w.person.id,
            "channel": w.data.channel,
            "channel_txn_id": w.data.channel_txn_id,
            "amount": fen_to_yuan(w.payment["amount_fen"]),
            "expected": fen_to_yuan(w.payment["expected_fen"]),
            "settlement": w.payment["settlement"],
            "enrollment_id": eid,
            "enrollment_status": w.after["status"],
        }
        if w.declare is not None:
            after["declared_covered_years"] = w.declare
        audits.append(audit_row(actor, "create", "payment", pid, None, after, now))
    # the answers show these full ID numbers (once per view: a batch runs in its own task)
    shown = id_reads_shown(actor, [w.person.id for w in done if w.person.id_number])
    if shown:
        audits.append(audit_row(actor, "read_id_number", "person",
                                shown[0] if len(shown) == 1 else None, None,
                                {"person_ids": shown, "via": "record_payment"}, now))
    _insert(conn, _A, audits)
    reg_ids = {w.data.pre_registration_id for w in done if w.data.pre_registration_id}
    if reg_ids:
        conn.execute(
            update(_PRE)
            .where(_PRE.c.id.in_(reg_ids), _PRE.c.status == "registered")
            .values(status="paid", updated_at=now)
        )


def audit_row(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """One audit-log row as column values."""
    return {
        "at": at or utcnow(),
        "actor": actor.username,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": before,
        "after": after,
    }
