"""Quoting a stored enrollment again at its anchor payment (settling, re-anchoring, corrections).

The anchor of an enrollment is its earliest recorded payment that is not wholly reversed
(:mod:`yibao.services.payments.anchor`): the payment whose date fixes the cover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, select

from yibao.errors import YibaoError
from yibao.quoting.answers import answer
from yibao.rules.answer import Quote
from yibao.services.payments.anchor import anchor_payment
from yibao.services.payments.ledger import quote_facts
from yibao.services.registry.history import load_histories
from yibao.services.registry.quotes import PersonFacts, mark_unknown, person_request, pick_group
from yibao.services.registry.status_facts import load_status_changes
from yibao.store.models import Payment, Person, SpecialGroupMembership

__all__ = ["anchor_payment", "cover_changes", "requote"]

_P = cast(Table, Payment.__table__)
_PERSON = cast(Table, Person.__table__)
_MEMBER = cast(Table, SpecialGroupMembership.__table__)


def requote(conn: Connection, enrollment: Mapping[str, Any], anchor: Row[Any]) -> tuple[Quote, bool]:
    """The quote of ``enrollment`` at ``anchor``'s date with the registry's history and
    status changes now.

    Returns (quote, history_unknown); raises the quote's ``InputError``.
    """
    pid = int(enrollment["person_id"])
    person = conn.execute(select(_PERSON).where(_PERSON.c.id == pid)).one()
    facts = quote_facts(int(enrollment["coverage_year"]), anchor.paid_at, anchor.facts)
    rows = conn.execute(
        select(_MEMBER.c.group_code, _MEMBER.c.valid_from, _MEMBER.c.valid_to)
        .where(_MEMBER.c.person_id == pid)
        .order_by(_MEMBER.c.id)
    ).all()
    group = pick_group([(c, f, t) for c, f, t in rows], facts.payment_date)
    history = load_histories(conn, [pid], known={pid: person.history_recorded_at is not None})[pid]
    region = str(enrollment.get("region") or person.region)
    changes = load_status_changes(conn, [pid]).get(pid, ())
    who = PersonFacts(pid, person.id_number, region, person.birth_date, changes)
    request, unknown = person_request(who, facts, group, history)
    quote = answer(request)
    return (mark_unknown(quote) if unknown else quote), unknown


def cover_changes(conn: Connection, enrollments: Iterable[Row[Any]],
                  since: dt.date | None = None) -> Iterator[tuple[Row[Any], Quote]]:
    """The enrollments whose cover (first day, waiting months) a quote at their anchor
    payment now gives otherwise, with that quote; enrollments anchored before ``since``, or
    that cannot be quoted, are passed over (nothing changes by itself: an admin corrects)."""
    for row in enrollments:
        anchor = anchor_payment(conn, row.id)
        if anchor is None or (since is not None and anchor.paid_at.date() < since):
            continue
        try:
            quote, _ = requote(conn, dict(row._mapping), anchor)
        except YibaoError:
            continue
        if (quote.benefit_start, quote.waiting_fixed, quote.waiting_variable) != (
                row.benefit_start, row.waiting_fixed, row.waiting_variable):
            yield row, quote
