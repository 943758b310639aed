"""Recording many payments in one transaction, set-based (the single payment is a batch of one).

Per batch: the persons involved are locked in id order (SQLite's ``BEGIN IMMEDIATE``
already serialises writers); existing payments for every key, memberships, enrollments
and histories are read with one query each; the quotes go through one engine call per
wave (see :func:`_waves`); payments, enrollments and audit rows are written with bulk
Core statements. Items are applied in input order, exactly as if recorded one by one.

Per item (contract §4.1): the registry's history decides lapse and waiting; the first
payment of a year fixes its cover (or leaves it pending while a figure is unpublished);
a later payment for the year only adds money and never changes the cover.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from yibao.errors import InputError, YibaoError
from yibao.quoting.answers import QuoteRequest, answer_many, payment_ceiling_fen
from yibao.rules.answer import Quote
from yibao.services.common import Actor
from yibao.services.errors import Conflict
from yibao.services.payments.cover import ANCHORED, fix_cover, make_pending, settle, snapshot
from yibao.services.payments.intake import Prepared
from yibao.services.payments.rows import (
    PAYMENTS,
    Outcome,
    Persons,
    State,
    Work,
    conflict,
    load_state,
    lock_persons,
    person_of,
    stored_response,
)
from yibao.services.payments.writes import write
from yibao.services.registry.history import History, check_payment_years
from yibao.services.registry.quotes import QuoteFacts, mark_unknown, person_request, pick_group
from yibao.services.scope import in_scope, person_missing
from yibao.services.shapes import PaymentRecorded
from yibao.store.models import Person, utcnow
from yibao.store.unnest import in_pairs

__all__ = ["quote_facts", "record_batch"]

_P = PAYMENTS


def _replay(digest: str, stored_digest: str, response: PaymentRecorded | None,
            person_id: int | None) -> Outcome:
    if digest != stored_digest:
        return Outcome("conflict", error=conflict())
    return Outcome("replayed", response=response, person_id=person_id)


def _waves(work: list[Work]) -> int:
    """Give each item a wave: quotes of one wave go through one engine call.

    An item of a person already seen in the batch, or with a key already seen, waits for
    the wave after that item's: its history or enrollment may depend on it.
    """
    last: dict[int, int] = {}
    keys: dict[tuple[str, str], int] = {}
    waves = 0
    for w in work:
        wave = max(last.get(w.person.id, -1), keys.get(w.item.key, -1)) + 1
        last[w.person.id] = keys[w.item.key] = w.wave = wave
        waves = max(waves, wave + 1)
    return waves


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
                _P.c.id, _P.c.channel, _P.c.channel_txn_id, _P.c.request_hash, _P.c.response,
                _P.c.person_id, Person.region,
            ).join(Person, Person.id == _P.c.person_id)
            .where(in_pairs(conn, (_P.c.channel, _P.c.channel_txn_id),
                            {i.key for _, i in valid}))
        )
    }
    work: list[Work] = []
    for n, item in valid:
        row = found.get(item.key)
        if row is not None and not in_scope(actor, row.region):  # recorded for someone the
            out[n] = Outcome("error", error=_missing(item))      # actor cannot see
            continue
        if row is not None:
            out[n] = _replay(item.digest, row.request_hash, stored_response(row.id, row.response),
                             row.person_id)
            continue
        try:
            person = person_of(item, persons)
            if not in_scope(actor, person.region):
                raise _missing(item)
        except YibaoError as exc:
            out[n] = Outcome("error", error=exc)
            continue
        assert item.data is not None
        work.append(Work(n, item, item.data, person))
    if work:
        _record(conn, actor, work, persons, out)
    return [o if o is not None else Outcome("error") for o in out]


def _missing(item: Prepared) -> YibaoError:
    """The 404 of an item whose person is outside the actor's scope (as if unknown)."""
    if item.id_number is not None:
        return person_missing(item.id_number)
    from yibao.services.errors import NotFound

    return NotFound("preregistration_not_found", "未找到该新生儿预参保登记",
                    "no such newborn pre-registration", field="pre_registration_id")


def _group_of(w: Work, state: State) -> str | None:
    """The registry's special group on the payment day; one given in the body must match."""
    group = pick_group(state.groups.get(w.person.id, []), w.item.paid_at.date())
    if w.data.special_group is not None and w.data.special_group != group:
        raise Conflict(
            "special_group_not_registered",
            "缴费中填写的特殊群体与登记系统不一致;请先在参保人信息中登记特殊群体身份",
            "special_group in the payment is not what the registry holds for this person on "
            "the payment day; record the membership first",
            field="special_group",
        )
    return group


def _history_of(w: Work, state: State) -> tuple[History, list[int] | None]:
    """The person's history, and the years the payer declares with ``covered_years``.

    Given with a known history, the years are only checked (409 if they contradict);
    with an unknown one they become the person's declared history once the payment lands.
    """
    history = state.histories[w.person.id]
    given = w.data.covered_years
    if given is None:
        return history, None
    year = w.data.coverage_year
    check_payment_years(history, year, given)
    if history.known:
        return history, None
    declare = sorted({y for y in given if y < year} - history.held)
    return History(True, history.before | set(declare), history.paid, history.held,
                   history.rows), declare


def _check_amount(w: Work, due: int | None) -> None:
    amount = w.item.amount_fen
    n_back = len(w.data.back_pay_years or ())
    if amount > payment_ceiling_fen(w.person.region, w.data.coverage_year, n_back):
        raise InputError(
            "amount_too_large",
            "缴费金额超过该年度任何可能的应缴金额",
            "the amount is more than anyone could owe for this coverage year",
            field="amount",
        )
    if amount == 0 and due != 0:
        raise InputError(
            "amount_zero",
            "缴费金额为 0:只有全额资助的参保人应缴 0 元",
            "an amount of 0.00 is only recorded for a person who owes nothing",
            field="amount",
        )


def _facts(w: Work) -> dict[str, Any] | None:
    facts: dict[str, Any] = {}
    if w.data.back_pay_years:
        facts["back_pay_years"] = sorted(w.data.back_pay_years)
    if w.data.employee_insurance_end_date is not None:
        facts["employee_insurance_end_date"] = w.data.employee_insurance_end_date.isoformat()
    if w.data.hardship_deferral:
        facts["hardship_deferral"] = True
    return facts or None


def quote_facts(year: int, paid_at: dt.datetime, facts: dict[str, Any] | None) -> QuoteFacts:
    """The quote facts of a stored payment (its ``facts`` column)."""
    facts = facts or {}
    end = facts.get("employee_insurance_end_date")
    back = facts.get("back_pay_years")
    return QuoteFacts(
        coverage_year=year,
        payment_date=paid_at.date(),
        back_pay_years=tuple(back) if back else None,
        employee_insurance_end_date=None if end is None else dt.date.fromisoformat(end),
        hardship_deferral=bool(facts.get("hardship_deferral")),
    )


def _payment_row(w: Work, actor: Actor, expected: int | None, diff: int | None,
                 settlement: str, now: Any) -> dict[str, Any]:
    import secrets

    paid_at = w.item.paid_at
    return {
        "channel": w.data.channel,
        "channel_txn_id": w.data.channel_txn_id,
        "person_id": w.person.id,
        "coverage_year": w.data.coverage_year,
        "amount_fen": w.item.amount_fen,
        "expected_fen": expected,
        "difference_fen": diff,
        "settlement": settlement,
        "paid_at": paid_at,
        "payer": w.data.payer,
        "receipt_number": f"YB{paid_at:%Y%m%d}{secrets.token_hex(6).upper()}",
        "request_hash": w.item.digest,
        "facts": _facts(w),
        "recorded_by": actor.username,
        "created_at": now,
    }


def _enrollment(w: Work, state: State, now: Any) -> dict[str, Any]:
    years = state.enrollments.setdefault(w.person.id, {})
    e = years.get(w.data.coverage_year)
    if e is None:
        e = {"id": None, "person_id": w.person.id, "coverage_year": w.data.coverage_year,
             "status": "open", "region": w.person.region, "amount_due_fen": None,
             "amount_paid_fen": 0, "benefit_start": None, "benefit_end": None,
             "waiting_fixed": 0, "waiting_variable": 0, "rule_ids": [], "rules": [],
             "warnings": [], "warning_codes": [], "history_basis": "registry",
             "policy_version": None, "created_at": now}
        years[w.data.coverage_year] = e
    else:
        w.before = snapshot(e)
    return e


def _apply(w: Work, state: State, actor: Actor, now: Any, quote: Quote | None,
           unknown: bool, history: History, declare: list[int] | None) -> None:
    """Apply one payment: fix the cover when this payment anchors the year, then settle.

    Raises before changing anything when the amount cannot be right.
    """
    held = state.enrollments.get(w.person.id, {}).get(w.data.coverage_year)
    if quote is not None:
        _check_amount(w, quote.total_due_fen)
    else:
        _check_amount(w, None if held is None else held["amount_due_fen"])
    e = _enrollment(w, state, now)
    if quote is not None:  # this payment anchors the year (new, open or cancelled)
        e["region"] = w.person.region
        if quote.total_due_fen is None:
            make_pending(e, quote, history_unknown=unknown)
        else:
            fix_cover(e, quote, history_unknown=unknown)
    expected, diff, settlement = settle(e, w.item.amount_fen)
    e["updated_at"] = now
    w.enrollment = e
    w.after = dict(e)
    w.payment = _payment_row(w, actor, expected, diff, settlement, now)
    w.declare = declare
    state.histories[w.person.id] = history.with_paid(w.data.coverage_year)


def _needs_quote(w: Work, state: State) -> bool:
    e = state.enrollments.get(w.person.id, {}).get(w.data.coverage_year)
    return e is None or e["status"] not in (*ANCHORED, "pending")


def _record(
    conn: Connection, actor: Actor, work: list[Work], persons: Persons, out: list[Outcome | None]
) -> None:
    state = load_state(conn, work, persons)
    now = utcnow()
    recorded: dict[tuple[str, str], Work] = {}
    duplicates: list[tuple[int, Work]] = []
    done: list[Work] = []
    for wave in range(_waves(work)):
        quoting: list[tuple[Work, bool, History, list[int] | None]] = []
        requests: list[QuoteRequest] = []
        for w in (w for w in work if w.wave == wave):
            first = recorded.get(w.item.key)
            if first is not None:  # decided after the first item with this key
                out[w.index] = _replay(w.item.digest, first.item.digest, None, w.person.id)
                duplicates.append((w.index, first))
                continue
            try:
                group = _group_of(w, state)
                history, declare = _history_of(w, state)
                if not _needs_quote(w, state):
                    _apply(w, state, actor, now, None, False, history, declare)
                    recorded[w.item.key] = w
                    done.append(w)
                    continue
            except YibaoError as exc:
                out[w.index] = Outcome("error", error=exc)
                continue
            facts = quote_facts(w.data.coverage_year, w.item.paid_at, _facts(w))
            request, unknown = person_request(w.person, facts, group, history)
            quoting.append((w, unknown, history, declare))
            requests.append(request)
        answers = answer_many(requests) if requests else []
        for (w, unknown, history, declare), result in zip(quoting, answers, strict=True):
            if isinstance(result, InputError):
                out[w.index] = Outcome("error", error=result)
                continue
            quote = mark_unknown(result) if unknown else result
            try:
                _apply(w, state, actor, now, quote, unknown, history, declare)
            except YibaoError as exc:
                out[w.index] = Outcome("error", error=exc)
                continue
            recorded[w.item.key] = w
            done.append(w)
    if done:
        write(conn, actor, done, out)
    for n, first in duplicates:  # a replay inside the batch answers with the first result
        dup, original = out[n], out[first.index]
        if dup is not None and dup.status == "replayed" and original is not None:
            dup.response = original.response
