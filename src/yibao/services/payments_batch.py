"""Recording many payments in one transaction, set-based (the single payment is a batch of one).

Per batch: the persons involved are locked in id order (``SELECT … FOR UPDATE ORDER BY id``;
SQLite's ``BEGIN IMMEDIATE`` already serialises writers); existing payments for every key,
memberships and enrollments are read with one query each; the quotes go through one engine
call per wave (see :func:`_waves`); payments, enrollments and audit rows are written with
bulk Core statements. Items are applied in input order, exactly as if recorded one by one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, or_, select, tuple_, update

from yibao.errors import InputError, YibaoError
from yibao.services.common import Actor, fen_to_yuan
from yibao.services.enrollments import (
    PersonFacts,
    apply_quote,
    covered_from,
    pick_group,
    quote_facts,
    settle_status,
    snapshot,
)
from yibao.services.errors import Conflict, NotFound
from yibao.services.inputs import PaymentIn
from yibao.services.views import enrollment_view, payment_view
from yibao.store.models import (
    AuditEntry,
    Enrollment,
    Payment,
    Person,
    PreRegistration,
    SpecialGroupMembership,
    utcnow,
)

__all__ = ["Outcome", "Prepared", "conflict", "record_batch", "stored_response"]

_P = cast(Table, Payment.__table__)
_E = cast(Table, Enrollment.__table__)
_A = cast(Table, AuditEntry.__table__)
_PERSON = cast(Table, Person.__table__)
_MEMBER = cast(Table, SpecialGroupMembership.__table__)
_PRE = cast(Table, PreRegistration.__table__)
_ENROLLMENT_COLUMNS = tuple(c.name for c in _E.columns if c.name != "id")


@dataclass(slots=True)
class Prepared:
    """One validated, normalised item (or the error that stopped it before the database)."""

    data: PaymentIn | None
    norm: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    error: YibaoError | None = None

    @property
    def key(self) -> tuple[str, str]:
        assert self.data is not None
        return self.data.channel, self.data.channel_txn_id


@dataclass(slots=True)
class Outcome:
    """What happened to one item: created, replayed, conflict or error."""

    status: str
    response: dict[str, Any] | None = None
    error: YibaoError | None = None


@dataclass(slots=True)
class _Work:
    """An item on its way through the batch."""

    index: int
    item: Prepared
    data: PaymentIn
    person: PersonFacts
    wave: int = 0
    enrollment: dict[str, Any] | None = None
    after: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None
    payment: dict[str, Any] = field(default_factory=dict)
    quote: dict[str, Any] = field(default_factory=dict)


def conflict() -> Conflict:
    """The same key was recorded with another body."""
    return Conflict(
        "payment_conflict",
        "该渠道交易号已用于另一笔不同的缴费",
        "this channel transaction ID was already recorded with a different body",
        field="channel_txn_id",
    )


def stored_response(payment_id: int, response: dict[str, Any]) -> dict[str, Any]:
    """The stored response of a payment (its own row id is filled in from the row)."""
    return {**response, "payment": {**response["payment"], "id": payment_id}}


def _replay(digest: str, stored_digest: str, response: dict[str, Any] | None) -> Outcome:
    if digest != stored_digest:
        return Outcome("conflict", error=conflict())
    return Outcome("replayed", response=response)


def _lock_persons(
    conn: Connection, items: list[Prepared]
) -> tuple[dict[str, PersonFacts], dict[int, PersonFacts], dict[int, tuple[int, str]]]:
    numbers = {i.norm["id_number"] for i in items if "id_number" in i.norm}
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
    by_number: dict[str, PersonFacts] = {}
    by_id: dict[int, PersonFacts] = {}
    if wanted:
        rows = conn.execute(
            select(_PERSON.c.id, _PERSON.c.id_number, _PERSON.c.region, _PERSON.c.birth_date)
            .where(or_(*wanted))
            .order_by(_PERSON.c.id)
            .with_for_update()
        )
        for r in rows:
            facts = PersonFacts(r.id, r.id_number, r.region, r.birth_date)
            by_id[r.id] = facts
            if r.id_number is not None:
                by_number[r.id_number] = facts
    return by_number, by_id, regs


def _person_of(
    item: Prepared,
    by_number: dict[str, PersonFacts],
    by_id: dict[int, PersonFacts],
    regs: dict[int, tuple[int, str]],
) -> PersonFacts:
    from yibao.idcard import mask_id_number

    if "id_number" in item.norm:
        number = item.norm["id_number"]
        if number not in by_number:
            raise NotFound(
                "person_not_found",
                f"未找到身份证号为 {mask_id_number(number)} 的参保人",
                f"no person with ID number {mask_id_number(number)}",
                field="id_number",
            )
        return by_number[number]
    assert item.data is not None and item.data.pre_registration_id is not None
    reg = regs.get(item.data.pre_registration_id)
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
    return by_id[reg[0]]


def _waves(work: list[_Work]) -> int:
    """Give each item a wave: quotes of one wave go through one engine call.

    An item waits for an earlier item of the same person when that item may change its
    facts (an earlier coverage year, when the payment gives no covered years) or shares
    its key (a duplicate is decided once the first is); otherwise same-person items share
    the wave of the latest earlier one, so that they are applied in input order.
    """
    last: dict[int, list[_Work]] = {}
    keys: dict[tuple[str, str], int] = {}
    waves = 0
    for w in work:
        wave = 0
        for earlier in last.get(w.person.id, []):
            depends = (
                w.data.covered_years is None and earlier.data.coverage_year < w.data.coverage_year
            )
            wave = max(wave, earlier.wave + 1 if depends else earlier.wave)
        key = w.item.key
        if key in keys:
            wave = max(wave, keys[key] + 1)
        keys.setdefault(key, wave)
        w.wave = wave
        last.setdefault(w.person.id, []).append(w)
        waves = max(waves, wave + 1)
    return waves


def _load_state(
    conn: Connection, work: list[_Work]
) -> tuple[dict[int, list[tuple[str, dt.date, dt.date | None]]], dict[int, dict[int, Any]]]:
    pids = sorted({w.person.id for w in work})
    groups: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
    if any(w.data.special_group is None for w in work):
        rows = conn.execute(
            select(
                _MEMBER.c.person_id, _MEMBER.c.group_code, _MEMBER.c.valid_from, _MEMBER.c.valid_to
            )
            .where(_MEMBER.c.person_id.in_(pids))
            .order_by(_MEMBER.c.id)
        )
        for r in rows:
            groups.setdefault(r.person_id, []).append((r.group_code, r.valid_from, r.valid_to))
    enrollments: dict[int, dict[int, Any]] = {}
    for r in conn.execute(select(_E).where(_E.c.person_id.in_(pids)).with_for_update()):
        enrollments.setdefault(r.person_id, {})[r.coverage_year] = dict(r._mapping)
    return groups, enrollments


def _apply(
    w: _Work,
    result: dict[str, Any],
    enrollments: dict[int, dict[int, Any]],
    now: dt.datetime,
    actor: Actor,
) -> None:
    years = enrollments.setdefault(w.person.id, {})
    state = years.get(w.data.coverage_year)
    if state is None:
        state = {"id": None, "person_id": w.person.id, "coverage_year": w.data.coverage_year}
        state.update(status=None, amount_paid_fen=0, created_at=now)
        years[w.data.coverage_year] = state
    else:
        w.before = snapshot(state)
    paid_before = state["amount_paid_fen"]
    state["region"] = w.person.region
    due = apply_quote(state, result)
    expected = None if due is None else max(due - paid_before, 0)
    amount = w.item.norm["amount"]
    diff = None if expected is None else amount - expected
    settlement = (
        "unquoted" if diff is None else "exact" if diff == 0 else "over" if diff > 0 else "under"
    )
    state["amount_paid_fen"] = paid_before + amount
    settle_status(state)
    state["updated_at"] = now
    paid_at = dt.datetime.fromisoformat(w.item.norm["paid_at"])
    w.enrollment = state
    w.after = dict(state)
    w.quote = result
    w.payment = {
        "channel": w.data.channel,
        "channel_txn_id": w.data.channel_txn_id,
        "person_id": w.person.id,
        "coverage_year": w.data.coverage_year,
        "amount_fen": amount,
        "expected_fen": expected,
        "difference_fen": diff,
        "settlement": settlement,
        "paid_at": paid_at,
        "payer": w.data.payer,
        "receipt_number": f"YB{paid_at:%Y%m%d}{secrets.token_hex(6).upper()}",
        "request_hash": w.item.digest,
        "recorded_by": actor.username,
        "created_at": now,
    }


def record_batch(conn: Connection, actor: Actor, items: list[Prepared]) -> list[Outcome]:
    """Record the items in the caller's transaction; one outcome per item, in input order."""
    from yibao.quoting import quote_many

    out: list[Outcome | None] = [
        None if i.error is None else Outcome("error", error=i.error) for i in items
    ]
    valid = [(n, i) for n, i in enumerate(items) if i.error is None]
    if not valid:
        return [o for o in out if o is not None]
    by_number, by_id, regs = _lock_persons(conn, [i for _, i in valid])
    found = {
        (r.channel, r.channel_txn_id): r
        for r in conn.execute(
            select(
                _P.c.id, _P.c.channel, _P.c.channel_txn_id, _P.c.request_hash, _P.c.response
            ).where(tuple_(_P.c.channel, _P.c.channel_txn_id).in_({i.key for _, i in valid}))
        )
    }
    work: list[_Work] = []
    for n, item in valid:
        row = found.get(item.key)
        if row is not None:
            out[n] = _replay(item.digest, row.request_hash, stored_response(row.id, row.response))
            continue
        try:
            person = _person_of(item, by_number, by_id, regs)
        except YibaoError as exc:
            out[n] = Outcome("error", error=exc)
            continue
        assert item.data is not None
        work.append(_Work(n, item, item.data, person))
    if work:
        _record(conn, actor, work, out, quote_many)
    return [o if o is not None else Outcome("error") for o in out]


def _record(
    conn: Connection, actor: Actor, work: list[_Work], out: list[Outcome | None], quote_many: Any
) -> None:
    groups, enrollments = _load_state(conn, work)
    now = utcnow()
    recorded: dict[tuple[str, str], _Work] = {}
    duplicates: list[tuple[int, _Work]] = []
    done: list[_Work] = []
    waves = _waves(work)
    for wave in range(waves):
        todo: list[_Work] = []
        for w in (w for w in work if w.wave == wave):
            first = recorded.get(w.item.key)
            if first is not None:  # decided after the first item with this key
                out[w.index] = _replay(w.item.digest, first.item.digest, None)
                duplicates.append((w.index, first))
                continue
            todo.append(w)
        facts = []
        for w in todo:
            day = dt.date.fromisoformat(w.item.norm["paid_at"][:10])
            years = enrollments.get(w.person.id, {})
            covered = None
            if w.data.covered_years is None:
                covered = covered_from(
                    ((y, e["status"]) for y, e in years.items()), w.data.coverage_year
                )
            group = None if w.data.special_group else pick_group(groups.get(w.person.id, []), day)
            facts.append(quote_facts(w.person, w.data, day, group, covered))
        for w, result in zip(todo, quote_many(facts), strict=True):
            if isinstance(result, InputError):
                out[w.index] = Outcome("error", error=result)
                continue
            _apply(w, result, enrollments, now, actor)
            recorded[w.item.key] = w
            done.append(w)
    if done:
        _write(conn, actor, done, out)
    for n, first in duplicates:  # a replay inside the batch answers with the first result
        dup, original = out[n], out[first.index]
        if dup is not None and dup.status == "replayed" and original is not None:
            dup.response = original.response


def _write(conn: Connection, actor: Actor, done: list[_Work], out: list[Outcome | None]) -> None:
    states: dict[int, dict[str, Any]] = {}
    for w in done:
        assert w.enrollment is not None
        states[id(w.enrollment)] = w.enrollment
    new = [s for s in states.values() if s["id"] is None]
    old = [s for s in states.values() if s["id"] is not None]
    if new:
        rows = [{c: s.get(c) for c in _ENROLLMENT_COLUMNS} for s in new]
        ids = conn.execute(
            insert(_E).returning(_E.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for s, new_id in zip(new, ids, strict=True):
            s["id"] = new_id
    if old:
        changed = [
            c for c in _ENROLLMENT_COLUMNS if c not in ("person_id", "coverage_year", "created_at")
        ]
        stmt = (
            update(_E).where(_E.c.id == bindparam("_id")).values({c: bindparam(c) for c in changed})
        )
        conn.execute(stmt, [{"_id": s["id"], **{c: s[c] for c in changed}} for s in old])
    numbers = {w.index: w.person.id_number for w in done}
    responses = []
    for w in done:
        assert w.enrollment is not None
        w.after["id"] = w.enrollment["id"]
        w.payment["enrollment_id"] = w.enrollment["id"]
        view = Payment(id=None, **w.payment)
        responses.append(
            {
                "payment": payment_view(actor, view, numbers[w.index]),
                "enrollment": enrollment_view(actor, Enrollment(**w.after), numbers[w.index]),
                "quote": w.quote,
            }
        )
    payment_ids = conn.execute(
        insert(_P).returning(_P.c.id, sort_by_parameter_order=True),
        [{**w.payment, "response": r} for w, r in zip(done, responses, strict=True)],
    ).scalars()
    audits: list[dict[str, Any]] = []
    for w, response, pid in zip(done, responses, payment_ids, strict=True):
        out[w.index] = Outcome("created", response=stored_response(pid, response))
        eid = w.enrollment["id"] if w.enrollment else None
        audits.append(_audit(actor, "payment", "enrollment", eid, w.before, snapshot(w.after)))
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
        audits.append(_audit(actor, "create", "payment", pid, None, after))
    conn.execute(insert(_A), audits)
    reg_ids = {w.data.pre_registration_id for w in done if w.data.pre_registration_id}
    if reg_ids:
        conn.execute(
            update(_PRE)
            .where(_PRE.c.id.in_(reg_ids), _PRE.c.status == "registered")
            .values(status="paid", updated_at=utcnow())
        )


def _audit(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor": actor.username,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": before,
        "after": after,
    }
