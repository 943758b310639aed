"""Database side of recording payments, what a batch reads: its items' types (``Work``,
``Outcome``), the persons locked in id order (``SELECT … FOR UPDATE ORDER BY id``), and their
memberships, enrollments and history rows, read with one query each and only for persons
that have any. What a batch writes: :mod:`yibao.services.payments.writes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, exists, or_, select

from yibao.errors import YibaoError
from yibao.idcard import mask_id_number
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import PaymentIn
from yibao.services.payments.intake import Prepared
from yibao.services.registry.history import COVERED_STATUSES, History, HistoryRow
from yibao.services.registry.quotes import PersonFacts
from yibao.services.registry.status_facts import STATUS_CHANGES, load_status_changes
from yibao.services.shapes import PaymentRecorded
from yibao.store.models import (
    CoverageHistory,
    Enrollment,
    Payment,
    Person,
    PreRegistration,
    SpecialGroupMembership,
)
from yibao.store.unnest import in_values

__all__ = [
    "ENROLLMENTS",
    "PAYMENTS",
    "Outcome",
    "Persons",
    "State",
    "Work",
    "conflict",
    "load_state",
    "lock_persons",
    "person_of",
    "stored_response",
]

PAYMENTS = cast(Table, Payment.__table__)
ENROLLMENTS = cast(Table, Enrollment.__table__)
_P, _E = PAYMENTS, ENROLLMENTS
_H = cast(Table, CoverageHistory.__table__)
_PERSON = cast(Table, Person.__table__)
_MEMBER = cast(Table, SpecialGroupMembership.__table__)
_PRE = cast(Table, PreRegistration.__table__)


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
    wanted = [in_values(conn, _PERSON.c.id_number, numbers)] if numbers else []
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
