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
from typing import Any

from sqlalchemy import Connection, select, tuple_

from yibao.errors import InputError, YibaoError
from yibao.services.common import Actor
from yibao.services.enrollments import (
    apply_quote,
    covered_from,
    pick_group,
    quote_facts,
    settle_status,
    snapshot,
)
from yibao.services.payments_rows import (
    PAYMENTS,
    Outcome,
    Persons,
    Prepared,
    Work,
    conflict,
    load_state,
    lock_persons,
    person_of,
    stored_response,
    write,
)
from yibao.store.models import utcnow

__all__ = ["Outcome", "Prepared", "conflict", "record_batch", "stored_response"]

_P = PAYMENTS


def _replay(digest: str, stored_digest: str, response: dict[str, Any] | None) -> Outcome:
    if digest != stored_digest:
        return Outcome("conflict", error=conflict())
    return Outcome("replayed", response=response)


def _waves(work: list[Work]) -> int:
    """Give each item a wave: quotes of one wave go through one engine call.

    An item waits for an earlier item of the same person when that item may change its
    facts (an earlier coverage year, when the payment gives no covered years) or shares
    its key (a duplicate is decided once the first is); otherwise same-person items share
    the wave of the latest earlier one, so that they are applied in input order.
    """
    last: dict[int, list[Work]] = {}
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


def _apply(
    w: Work,
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
    out: list[Outcome | None] = [
        None if i.error is None else Outcome("error", error=i.error) for i in items
    ]
    valid = [(n, i) for n, i in enumerate(items) if i.error is None]
    if not valid:
        return [o for o in out if o is not None]
    persons = lock_persons(conn, [i for _, i in valid])
    found = {
        (r.channel, r.channel_txn_id): r
        for r in conn.execute(
            select(
                _P.c.id, _P.c.channel, _P.c.channel_txn_id, _P.c.request_hash, _P.c.response
            ).where(tuple_(_P.c.channel, _P.c.channel_txn_id).in_({i.key for _, i in valid}))
        )
    }
    work: list[Work] = []
    for n, item in valid:
        row = found.get(item.key)
        if row is not None:
            out[n] = _replay(item.digest, row.request_hash, stored_response(row.id, row.response))
            continue
        try:
            person = person_of(item, persons)
        except YibaoError as exc:
            out[n] = Outcome("error", error=exc)
            continue
        assert item.data is not None
        work.append(Work(n, item, item.data, person))
    if work:
        _record(conn, actor, work, persons, out)
    return [o if o is not None else Outcome("error") for o in out]


def _record(
    conn: Connection, actor: Actor, work: list[Work], persons: Persons, out: list[Outcome | None]
) -> None:
    from yibao.quoting import quote_many

    groups, enrollments = load_state(conn, work, persons)
    now = utcnow()
    recorded: dict[tuple[str, str], Work] = {}
    duplicates: list[tuple[int, Work]] = []
    done: list[Work] = []
    waves = _waves(work)
    for wave in range(waves):
        todo: list[Work] = []
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
        write(conn, actor, done, out)
    for n, first in duplicates:  # a replay inside the batch answers with the first result
        dup, original = out[n], out[first.index]
        if dup is not None and dup.status == "replayed" and original is not None:
            dup.response = original.response
