"""Status changes as registry events (contract §2.2, docs/rules.md C37): a clerk records that
a person was released from prison, discharged from the army or certified severely
disabled, from which day, on which document; the person's quotes and payments then carry
the change that applies, and where the region exempts it (Yunfu) a payment in the months
after it has no wait.

    recorded = record_status_change(db, clerk, "445302199001011234", StatusChangeIn(
        kind="discharged_veteran", date=date(2025, 3, 10), source="退役证明"))
    recorded.review      # enrollments fixed before the record that it would change

A change recorded after the person paid does not move that payment's cover by itself: the
registry never changes a fixed cover silently. The answer lists such enrollments
(``review``) for an admin to recompute on purpose (``POST /api/v1/enrollments/{id}/
corrections`` with ``recompute``). A change recorded by mistake is withdrawn with a reason,
never deleted; quotes stop reading it.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from yibao.errors import InputError
from yibao.rules.messages import STATUS_NAMES
from yibao.services.common import Actor, audit, today_beijing
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import StatusChangeIn, StatusWithdrawIn
from yibao.services.payments.cover import ANCHORED
from yibao.services.payments.requote import cover_changes
from yibao.services.registry.persons import find_person
from yibao.services.scope import person_missing, require_visible
from yibao.services.shapes import StatusChange as StatusChangeShape
from yibao.services.shapes import StatusChangeRecorded, StatusChangeReview, Waiting
from yibao.store.db import Database
from yibao.store.models import Enrollment, Person, StatusChange, utcnow

__all__ = [
    "list_status_changes",
    "record_status_change",
    "status_change_view",
    "withdraw_status_change",
]

_E = cast(Table, Enrollment.__table__)


def status_change_view(row: StatusChange) -> StatusChangeShape:
    """A stored status change as its shape."""
    return StatusChangeShape(
        id=row.id, person_id=row.person_id, kind=row.kind, date=row.began_on,
        source=row.source, recorded_by=row.recorded_by, created_at=row.created_at,
        withdrawn=row.withdrawn_at is not None, withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by, withdraw_reason=row.withdraw_reason)


def _person(s: Session, actor: Actor, id_number: str | None, person_id: int | None, *,
            lock: bool = False) -> Person:
    """The person by ID number (the API) or by row id (the console) in the actor's scope,
    or NotFound (the same answer outside the scope)."""
    if id_number is not None:
        return find_person(s, actor, id_number, lock=lock)
    person = s.get(Person, person_id, with_for_update=lock) if person_id is not None else None
    if person is None:
        raise person_missing()
    require_visible(actor, person.region, person_missing())
    return person


def _check(person: Person, data: StatusChangeIn) -> None:
    today = today_beijing()
    if data.date > today:
        raise InputError(
            "status_change_in_future",
            f"身份变化日期 {data.date.isoformat()} 晚于今天，请在变化发生后再登记",
            f"the status change date {data.date.isoformat()} is after today "
            f"({today.isoformat()}, Beijing time): record it once it has happened",
            field="date")
    if data.date < person.birth_date:
        raise InputError(
            "status_change_before_birth",
            f"身份变化日期 {data.date.isoformat()} 早于出生日期",
            f"the status change date {data.date.isoformat()} is before the birth date",
            field="date")


def _review(conn: Connection, person_id: int, since: dt.date) -> list[StatusChangeReview]:
    """Enrollments whose cover was fixed by a payment on or after ``since`` that the
    registry's facts now (with the new status change) would give another cover."""
    out: list[StatusChangeReview] = []
    rows = conn.execute(select(_E).where(_E.c.person_id == person_id,
                                         _E.c.status.in_(ANCHORED)).order_by(_E.c.id))
    for row, quote in cover_changes(conn, rows, since):
        out.append(StatusChangeReview(
            enrollment_id=row.id, coverage_year=row.coverage_year,
            benefit_start=row.benefit_start, benefit_start_with_change=quote.benefit_start,
            waiting_months_with_change=Waiting(fixed=quote.waiting_fixed,
                                               variable=quote.waiting_variable)))
    return out


def record_status_change(db: Database, actor: Actor, id_number: str | None,
                         data: StatusChangeIn, *, person_id: int | None = None
                         ) -> StatusChangeRecorded:
    """Record a status change of the person with this ID number (or row ``person_id``).

    422 ``status_change_in_future`` / ``status_change_before_birth``; 409
    ``status_change_exists`` when the same kind from the same day is already recorded.
    """
    with db.write() as s:
        person = _person(s, actor, id_number, person_id, lock=True)
        _check(person, data)
        same = s.scalar(select(StatusChange.id).where(
            StatusChange.person_id == person.id, StatusChange.kind == data.kind,
            StatusChange.began_on == data.date, StatusChange.withdrawn_at.is_(None)))
        if same is not None:
            name = STATUS_NAMES[data.kind]
            raise Conflict(
                "status_change_exists",
                f"已登记过同一天起的“{name[0]}”身份变化",
                f"this status change ({name[1].lower()}, from {data.date.isoformat()}) is "
                "already recorded",
                field="date")
        row = StatusChange(person_id=person.id, kind=data.kind, began_on=data.date,
                           source=data.source, recorded_by=actor.username)
        s.add(row)
        s.flush()
        view = status_change_view(row)
        audit(s, actor, "record_status_change", "person", person.id,
              after={"status_change_id": row.id, "kind": row.kind,
                     "date": row.began_on.isoformat(), "source": row.source})
        return StatusChangeRecorded(status_change=view,
                                    review=_review(s.connection(), person.id, data.date))


def list_status_changes(db: Database, actor: Actor, id_number: str | None, *,
                        person_id: int | None = None) -> list[StatusChangeShape]:
    """The person's status changes, withdrawn ones included, in the order they began."""
    with db.read() as s:
        person = _person(s, actor, id_number, person_id)
        rows = s.scalars(select(StatusChange).where(StatusChange.person_id == person.id)
                         .order_by(StatusChange.began_on, StatusChange.id)).all()
        return [status_change_view(r) for r in rows]


def withdraw_status_change(db: Database, actor: Actor, id_number: str | None, change_id: int,
                           data: StatusWithdrawIn, *, person_id: int | None = None
                           ) -> StatusChangeShape:
    """Withdraw a status change recorded by mistake (kept, with who withdrew it and why)."""
    with db.write() as s:
        person = _person(s, actor, id_number, person_id, lock=True)
        row = s.get(StatusChange, change_id, with_for_update=True)
        if row is None or row.person_id != person.id:
            raise NotFound("status_change_not_found", "未找到该身份变化记录",
                           "no such status change of this person", field="status_change_id")
        if row.withdrawn_at is not None:
            raise Conflict("status_change_withdrawn", "该身份变化记录已撤回",
                           "this status change is already withdrawn", field="status_change_id")
        before = status_change_view(row).model_dump(mode="json")
        row.withdrawn_at = utcnow()
        row.withdrawn_by = actor.username
        row.withdraw_reason = data.reason
        s.flush()
        after = status_change_view(row)
        audit(s, actor, "withdraw_status_change", "person", person.id,
              before={"status_change": before},
              after={"status_change": after.model_dump(mode="json")})
        return after
