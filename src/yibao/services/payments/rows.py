"""Database side of recording payments: rows read and written with Core statements.

Persons are locked in id order (``SELECT … FOR UPDATE ORDER BY id``); memberships,
enrollments and history rows are read with one query each, and only for persons that
have any; enrollments, payments, history declarations and audit rows are written with
bulk inserts (``RETURNING`` ids in parameter order) and executemany updates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, exists, insert, or_, select, text, update

from yibao.errors import YibaoError
from yibao.idcard import mask_id_number
from yibao.services.common import Actor, fen_to_yuan, id_reads_shown
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import PaymentIn
from yibao.services.payments.cover import snapshot
from yibao.services.payments.intake import Prepared
from yibao.services.registry.history import COVERED_STATUSES, History, HistoryRow
from yibao.services.registry.quotes import PersonFacts
from yibao.services.registry.status_facts import STATUS_CHANGES, load_status_changes
from yibao.services.shapes import PaymentRecorded
from yibao.services.views import enrollment_view, payment_view
from yibao.store.models import (
    AuditEntry,
    CoverageHistory,
    Enrollment,
    Payment,
    Person,
    PreRegistration,
    SpecialGroupMembership,
    utcnow,
)

__all__ = [
    "PAYMENTS",
    "Outcome",
    "Persons",
    "State",
    "Work",
    "audit_row",
    "conflict",
    "load_state",
    "lock_persons",
    "person_of",
    "stored_response",
    "write",
]

PAYMENTS = cast(Table, Payment.__table__)
_P = PAYMENTS
_E = cast(Table, Enrollment.__table__)
_A = cast(Table, AuditEntry.__table__)
_H = cast(Table, CoverageHistory.__table__)
_PERSON = cast(Table, Person.__table__)
_MEMBER = cast(Table, SpecialGroupMembership.__table__)
_PRE = cast(Table, PreRegistration.__table__)
_ENROLLMENT_COLUMNS = tuple(c.name for c in _E.columns if c.name != "id")
_CHANGEABLE = tuple(
    c for c in _ENROLLMENT_COLUMNS if c not in ("person_id", "coverage_year", "created_at")
)


@dataclass(slots=True)
class Outcome:
    """What happened to one item: created, replayed, conflict or error."""

    status: str
    response: PaymentRecorded | None = None
    error: YibaoError | None = None
    person_id: int | None = None  # whose ID number the response shows


@dataclass(slots=True)
class Work:
    """An item on its way through the batch (its person, wave, enrollment and payment row)."""

    index: int
    item: Prepared
    data: PaymentIn
    person: PersonFacts
    wave: int = 0
    enrollment: dict[str, Any] | None = None
    after: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    payment: dict[str, Any] = field(default_factory=dict)
    declare: list[int] | None = None  # years covered before the registry, declared by the payer


def conflict() -> Conflict:
    """The same key was recorded with another body."""
    return Conflict(
        "payment_conflict",
        "该渠道交易号已用于另一笔不同的缴费",
        "this channel transaction ID was already recorded with a different body",
        field="channel_txn_id",
    )


def stored_response(payment_id: int, response: dict[str, Any] | PaymentRecorded
                    ) -> PaymentRecorded:
    """The stored response of a payment, read again (its own row id is filled in from the
    row: it is stored before the row has one)."""
    answer = PaymentRecorded.model_validate(response)
    return answer.model_copy(update={"payment": answer.payment.model_copy(update={"id": payment_id})})


@dataclass(slots=True)
class Persons:
    """The locked persons of a batch, by ID number and row id, and what the registry holds.

    ``grouped`` / ``enrolled`` / ``storied``: persons with any special-group membership /
    enrollment / history row (the others need no query for them); ``known``: persons whose
    history before the registry was declared or imported.
    """

    by_number: dict[str, PersonFacts] = field(default_factory=dict)
    by_id: dict[int, PersonFacts] = field(default_factory=dict)
    regs: dict[int, tuple[int, str]] = field(default_factory=dict)
    grouped: set[int] = field(default_factory=set)
    enrolled: set[int] = field(default_factory=set)
    storied: set[int] = field(default_factory=set)
    known: set[int] = field(default_factory=set)


def lock_persons(conn: Connection, items: list[Prepared]) -> Persons:
    """Lock the persons the items name, in id order (pre-registrations through their person)."""
    numbers = {i.id_number for i in items if i.id_number is not None}
    reg_ids = {i.data.pre_registration_id for i in items if i.data and i.data.pre_registration_id}
    regs: dict[int, tuple[int, str]] = {}
    if reg_ids:
        rows = conn.execute(
            select(_PRE.c.id, _PRE.c.person_id, _PRE.c.status).where(_PRE.c.id.in_(reg_ids))
        )
        regs = {r.id: (r.person_id, r.status) for r in rows}
    wanted = [_PERSON.c.id_number.in_(numbers)] if numbers else []
    if regs:
        wanted.append(_PERSON.c.id.in_([p for p, _ in regs.values()]))
    out = Persons(regs=regs)
    if not wanted:
        return out
    pid = _PERSON.c.id
    locked = conn.execute(
        select(pid, _PERSON.c.id_number, _PERSON.c.region, _PERSON.c.birth_date,
               _PERSON.c.history_recorded_at)
        .add_columns(
            exists().where(_MEMBER.c.person_id == pid).label("grouped"),
            exists().where(_E.c.person_id == pid).label("enrolled"),
            exists().where(_H.c.person_id == pid).label("storied"),
            exists().where(STATUS_CHANGES.c.person_id == pid).label("changed"),
        )
        .where(or_(*wanted))
        .order_by(pid)
        .with_for_update(of=_PERSON)
    ).all()
    # status changes (C37): one query, only for persons that have any
    changes = load_status_changes(conn, [r.id for r in locked if r.changed])
    for r in locked:
        facts = PersonFacts(r.id, r.id_number, r.region, r.birth_date, changes.get(r.id, ()))
        out.by_id[r.id] = facts
        if r.id_number is not None:
            out.by_number[r.id_number] = facts
        for flag, bucket in ((r.grouped, out.grouped), (r.enrolled, out.enrolled),
                             (r.storied, out.storied),
                             (r.history_recorded_at is not None, out.known)):
            if flag:
                bucket.add(r.id)
    return out


def person_of(item: Prepared, persons: Persons) -> PersonFacts:
    """The item's person, or NotFound / Conflict (lapsed pre-registration)."""
    if item.id_number is not None:
        if item.id_number not in persons.by_number:
            masked = mask_id_number(item.id_number)
            raise NotFound(
                "person_not_found",
                f"未找到身份证号为 {masked} 的参保人",
                f"no person with ID number {masked}",
                field="id_number",
            )
        return persons.by_number[item.id_number]
    assert item.data is not None and item.data.pre_registration_id is not None
    reg = persons.regs.get(item.data.pre_registration_id)
    if reg is None:
        raise NotFound(
            "preregistration_not_found",
            "未找到该新生儿预参保登记",
            "no such newborn pre-registration",
            field="pre_registration_id",
        )
    if reg[1] == "lapsed":
        raise Conflict(
            "preregistration_lapsed",
            "预参保登记已作废,请到医保经办机构重新办理参保登记",
            "the pre-registration has lapsed; register the newborn at a medical-insurance office",
            field="pre_registration_id",
        )
    return persons.by_id[reg[0]]


Groups = dict[int, list[tuple[str, dt.date, dt.date | None]]]


@dataclass(slots=True)
class State:
    """What the registry holds for the batch's persons: memberships, enrollments, history."""

    groups: Groups
    enrollments: dict[int, dict[int, dict[str, Any]]]
    histories: dict[int, History]


def load_state(conn: Connection, work: list[Work], persons: Persons) -> State:
    """Memberships (code, from, to), enrollments (column values, locked) and histories."""
    ids = {w.person.id for w in work}
    groups: Groups = {}
    need = sorted(ids & persons.grouped)
    if need:
        for r in conn.execute(
            select(_MEMBER.c.person_id, _MEMBER.c.group_code, _MEMBER.c.valid_from,
                   _MEMBER.c.valid_to)
            .where(_MEMBER.c.person_id.in_(need))
            .order_by(_MEMBER.c.id)
        ):
            groups.setdefault(r.person_id, []).append((r.group_code, r.valid_from, r.valid_to))
    enrollments: dict[int, dict[int, dict[str, Any]]] = {}
    need = sorted(ids & persons.enrolled)
    if need:
        for r in conn.execute(select(_E).where(_E.c.person_id.in_(need)).with_for_update()):
            enrollments.setdefault(r.person_id, {})[r.coverage_year] = dict(r._mapping)
    rows: dict[int, list[HistoryRow]] = {}
    need = sorted(ids & persons.storied)
    if need:
        for r in conn.execute(
            select(_H).where(_H.c.person_id.in_(need)).order_by(_H.c.coverage_year)
        ):
            rows.setdefault(r.person_id, []).append(
                HistoryRow(r.coverage_year, r.source, r.reference, r.recorded_by, r.recorded_at)
            )
    histories = {}
    for pid in ids:
        years = enrollments.get(pid, {})
        histories[pid] = History(
            known=pid in persons.known,
            before=frozenset(h.year for h in rows.get(pid, [])),
            paid=frozenset(y for y, e in years.items() if e["status"] in COVERED_STATUSES),
            held=frozenset(years),
            rows=tuple(rows.get(pid, [])),
        )
    return State(groups, enrollments, histories)


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
        conn.execute(insert(table), [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    return list(conn.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).scalars())


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
    conn.execute(insert(_A), audits)
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
