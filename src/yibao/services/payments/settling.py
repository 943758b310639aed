"""``yibao payments settle``: quote the pending enrollments whose figures are now published.

A payment for a year whose figures were unpublished is recorded as ``unquoted`` and its
enrollment stays ``pending`` (no cover). Once the figures are published, settling quotes
each such enrollment at its anchor payment's date with the registry's history, fixes the
cover, and settles its payments in the order they were recorded. A payment of less than
is now due settles ``under`` and leaves the difference on the enrollment
(``balance_due_fen``): :func:`balances_due` lists who owes what. Idempotent: a settled
enrollment is no longer pending.

Set-based, as the ledger records payments: per chunk of pending enrollments, the persons
are locked in id order (as the ledger locks them, so the two never wait on each other in
opposite orders), then the enrollments; payments, memberships and histories are read with
one query each; every quote of the chunk goes through one engine call; payments,
enrollments and audit rows are written with executemany statements.

    result = settle_pending(db, SYSTEM, progress=lambda done, total: ...)
    for row in balances_due(db, actor): row.person_id, row.balance_due_fen
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    any_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from yibao.errors import InputError
from yibao.quoting.answers import answer_many
from yibao.rules.answer import Quote
from yibao.services.common import Actor
from yibao.services.payments.anchor import is_live
from yibao.services.payments.cover import fix_cover, settle, snapshot, update_status
from yibao.services.payments.ledger import quote_facts
from yibao.services.payments.writes import audit_row
from yibao.services.registry.history import load_histories
from yibao.services.registry.quotes import PersonFacts, mark_unknown, person_request, pick_group
from yibao.services.scope import scoped
from yibao.services.shapes import SettleError, SettleResult
from yibao.store.db import Database
from yibao.store.models import (
    AuditEntry,
    Enrollment,
    Payment,
    Person,
    SpecialGroupMembership,
    utcnow,
)

__all__ = ["Balance", "balances_due", "settle_pending"]

_E = cast(Table, Enrollment.__table__)
_P = cast(Table, Payment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)
_MEMBER = cast(Table, SpecialGroupMembership.__table__)
#: Pending enrollments settled per transaction (one engine call, a few statements each).
CHUNK = 1_000
#: Settling at least this many enrollments refreshes the planner's statistics afterwards.
ANALYZE_AFTER = 5_000
_CHANGED = ("status", "amount_due_fen", "amount_paid_fen", "balance_due_fen", "benefit_start",
            "benefit_end", "waiting_fixed", "waiting_variable", "rules", "rule_ids",
            "warnings", "warning_codes", "history_basis", "policy_version", "start_reason",
            "updated_at")

Progress = Callable[[int, int], None]


def settle_pending(db: Database, actor: Actor, progress: Progress | None = None
                   ) -> SettleResult:
    """Settle every pending enrollment (of the actor's region) that can now be quoted: how many were settled, how
    many stay pending (figures still unpublished), how many payments were settled, and
    the errors. ``progress(done, total)`` after each chunk."""
    with db.read() as s:
        pending = list(s.connection().execute(scoped(  # an account settles its own region only
            select(_E.c.id).join(_PERSON, _PERSON.c.id == _E.c.person_id)
            .where(_E.c.status == "pending"), actor, _PERSON.c.region)
            .order_by(_E.c.id)).scalars())
    total = _Done()
    if progress:
        progress(0, len(pending))
    for at in range(0, len(pending), CHUNK):
        with db.write() as s:
            done = _settle_chunk(s.connection(), actor, pending[at:at + CHUNK])
        for name in ("settled", "still", "payments", "underpaid", "balance_fen"):
            setattr(total, name, getattr(total, name) + getattr(done, name))
        total.errors.extend(done.errors)
        if progress:
            progress(min(at + CHUNK, len(pending)), len(pending))
    if total.settled >= ANALYZE_AFTER:
        _analyze(db)
    return SettleResult(settled=total.settled, still_pending=total.still, errors=total.errors,
                        payments=total.payments, underpaid=total.underpaid,
                        balance_due=total.balance_fen)


def _analyze(db: Database) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables a large settle rewrote.

    Settling a published year changes many rows at once (every balance, status and cover
    of the year); until autovacuum samples them again, the planner still believes, say,
    that no enrollment owes anything, and the balance list's join can fall to a nested
    loop over the whole table (measured: minutes instead of a second at 100k). Run by the
    tables' owner; a role that may not ANALYZE gets a notice from PostgreSQL, not an error.
    """
    with db.write() as s:
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE enrollments, payments")


@dataclass
class _Done:
    settled: int = 0
    still: int = 0
    payments: int = 0
    underpaid: int = 0
    balance_fen: int = 0
    errors: list[SettleError] = field(default_factory=list)


def _among(conn: Connection, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter, so the statement
    is the same text every time (prepared once) instead of a thousand placeholders."""
    if conn.dialect.name == "postgresql":
        return cast(ColumnElement[bool],
                    column == any_(bindparam(None, ids, type_=ARRAY(BigInteger))))
    return cast(ColumnElement[bool], column.in_(ids))


def _lock(conn: Connection, ids: list[int]) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """Lock the chunk's persons (id order), then its enrollments still pending."""
    owners = sorted(set(conn.execute(
        select(_E.c.person_id).where(_among(conn, _E.c.id, ids))).scalars()))
    persons = {r.id: r for r in conn.execute(
        select(_PERSON.c.id, _PERSON.c.id_number, _PERSON.c.region, _PERSON.c.birth_date,
               _PERSON.c.history_recorded_at)
        .where(_among(conn, _PERSON.c.id, owners)).order_by(_PERSON.c.id).with_for_update())}
    rows = [dict(r._mapping) for r in conn.execute(
        select(_E).where(_among(conn, _E.c.id, ids), _E.c.status == "pending")
        .order_by(_E.c.id).with_for_update())]
    return rows, persons


def _payments_of(conn: Connection, ids: list[int]) -> dict[int, list[Any]]:
    """Every payment of the enrollments, in the order recorded (the anchor index)."""
    out: dict[int, list[Any]] = {}
    for p in conn.execute(
        select(_P.c.id, _P.c.enrollment_id, _P.c.amount_fen, _P.c.reversed_fen, _P.c.paid_at,
               _P.c.facts).where(_among(conn, _P.c.enrollment_id, ids))
        .order_by(_P.c.enrollment_id, _P.c.id)):
        out.setdefault(p.enrollment_id, []).append(p)
    return out


def _groups_of(conn: Connection, pids: list[int]
               ) -> dict[int, list[tuple[str, dt.date, dt.date | None]]]:
    out: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
    for r in conn.execute(
        select(_MEMBER.c.person_id, _MEMBER.c.group_code, _MEMBER.c.valid_from,
               _MEMBER.c.valid_to).where(_among(conn, _MEMBER.c.person_id, pids))
        .order_by(_MEMBER.c.id)):
        out.setdefault(r.person_id, []).append((r.group_code, r.valid_from, r.valid_to))
    return out


def _settle_chunk(conn: Connection, actor: Actor, ids: list[int]) -> _Done:
    done = _Done()
    rows, persons = _lock(conn, ids)  # an enrollment settled meanwhile is left out
    if not rows:
        return done
    payments = _payments_of(conn, [r["id"] for r in rows])
    pids = sorted({r["person_id"] for r in rows})
    groups = _groups_of(conn, pids)
    histories = load_histories(conn, pids, known={
        p: persons[p].history_recorded_at is not None for p in pids})
    asked: list[tuple[dict[str, Any], bool]] = []
    requests = []
    for row in rows:
        anchor = next((p for p in payments.get(row["id"], ())
                       if is_live(int(p.amount_fen), int(p.reversed_fen))), None)
        if anchor is None:
            done.errors.append(SettleError(enrollment_id=row["id"], code="no_payment"))
            continue
        person = persons[row["person_id"]]
        facts = quote_facts(int(row["coverage_year"]), anchor.paid_at, anchor.facts)
        group = pick_group(groups.get(person.id, []), facts.payment_date)
        who = PersonFacts(person.id, person.id_number, str(row["region"] or person.region),
                          person.birth_date)
        request, unknown = person_request(who, facts, group, histories[person.id])
        asked.append((row, unknown))
        requests.append(request)
    now = utcnow()
    pay_updates: list[dict[str, Any]] = []
    enrollment_updates: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    for (row, unknown), result in zip(asked, answer_many(requests), strict=True):
        if isinstance(result, InputError):
            done.errors.append(SettleError(enrollment_id=row["id"], code=result.code))
            continue
        quote: Quote = mark_unknown(result) if unknown else result
        if quote.total_due_fen is None:
            done.still += 1
            continue
        state = dict(row)
        before = snapshot(state)
        fix_cover(state, quote, history_unknown=unknown)
        state["amount_paid_fen"] = 0
        mine = payments[row["id"]]
        for p in mine:
            expected, diff, settlement = settle(state, int(p.amount_fen))
            pay_updates.append({"_id": p.id, "expected_fen": expected, "difference_fen": diff,
                                "settlement": settlement})
        state["amount_paid_fen"] = sum(int(p.amount_fen) - int(p.reversed_fen) for p in mine)
        update_status(state)
        state["updated_at"] = now
        enrollment_updates.append({"_id": row["id"], **{k: state[k] for k in _CHANGED}})
        audits.append(audit_row(actor, "settle", "enrollment", row["id"], before,
                                snapshot(state), now))
        done.settled += 1
        done.payments += len(mine)
        if state["balance_due_fen"]:
            done.underpaid += 1
            done.balance_fen += int(state["balance_due_fen"])
    if pay_updates:
        conn.execute(update(_P).where(_P.c.id == bindparam("_id")).values(
            expected_fen=bindparam("expected_fen"), difference_fen=bindparam("difference_fen"),
            settlement=bindparam("settlement")), pay_updates)
    if enrollment_updates:
        conn.execute(update(_E).where(_E.c.id == bindparam("_id")).values(
            {k: bindparam(k) for k in _CHANGED}), enrollment_updates)
        conn.execute(insert(_A), audits)
    return done


@dataclass(frozen=True, slots=True)
class Balance:
    """An enrollment with money still owed: who, where, which year, due, paid, owed (fen)."""

    region: str
    person_id: int
    name: str
    id_number: str | None
    coverage_year: int
    amount_due_fen: int
    amount_paid_fen: int
    balance_due_fen: int


def balances_due(db: Database, actor: Actor, years: tuple[int, ...] | None = None
                 ) -> Iterator[Balance]:
    """Every enrollment with a balance due (of ``years``, default all) among the persons the
    actor may see, by region, person and year; streamed."""
    query = (select(_PERSON.c.region, _E.c.person_id, _PERSON.c.name, _PERSON.c.id_number,
                    _E.c.coverage_year, _E.c.amount_due_fen, _E.c.amount_paid_fen,
                    _E.c.balance_due_fen)
             .join(_PERSON, _PERSON.c.id == _E.c.person_id)
             .where(_E.c.balance_due_fen > 0)
             .order_by(_PERSON.c.region, _E.c.person_id, _E.c.coverage_year))
    if years:
        query = query.where(_E.c.coverage_year.in_(years))
    query = scoped(query, actor, _PERSON.c.region)
    with db.read() as s:
        for r in s.connection().execution_options(yield_per=10_000).execute(query):
            yield Balance(r.region, r.person_id, r.name, r.id_number, r.coverage_year,
                          int(r.amount_due_fen or 0), int(r.amount_paid_fen),
                          int(r.balance_due_fen))
