"""连续参保年限 from the registry (docs/rules.md C39): the engine counts it (C36) from the
covered years the registry holds — declared or imported before the registry, paid through
it — so a lapse resets it as R-LAPSE-RESET says, and the answer carries the
catastrophic-cover rise it earns where one is published (Guangxi).

    c = person_continuity(db, actor, person_id, today=date(2026, 12, 6))
    [(y.coverage_year, y.basis, y.continuous_years) for y in c.years]
    # [(2026, 'paid', 2), (2027, 'if_paid', 3)]

Per coverage year: a year paid through the registry is quoted again at the payment that
fixed its cover (its count is what that payment earned); a year covered before the
registry at the last day of its concentrated period (on time); a year not paid as paying
today. Nothing here counts: every number is the engine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from yibao.errors import InputError, YibaoError
from yibao.quoting.answers import answer, concentrated_period
from yibao.quoting.season import season
from yibao.rules.answer import Quote
from yibao.rules.answer_json import quote_to_contract
from yibao.services.common import Actor, today_beijing
from yibao.services.errors import NotFound
from yibao.services.payments.requote import anchor_payment, requote
from yibao.services.registry.history import COVERED_STATUSES, History, load_histories
from yibao.services.registry.quotes import PersonFacts, QuoteFacts, person_request, pick_group
from yibao.services.registry.status_facts import load_status_changes
from yibao.services.shapes import Continuity, YearContinuity
from yibao.store.db import Database
from yibao.store.models import Enrollment, Person, SpecialGroupMembership

__all__ = ["continuity_of", "continuity_years", "person_continuity"]


def continuity_years(today: dt.date, region: str) -> tuple[int, ...]:
    """The years a page shows: the year in force, and the next while it is collected."""
    s = season(today, region)
    return (s.in_force, s.collecting) if s.collecting else (s.in_force,)


def _year(conn: Connection, person: Person, who: PersonFacts, history: History,
          groups: list[tuple[str, dt.date, dt.date | None]], held: Any,
          year: int, today: dt.date) -> tuple[YearContinuity, bool]:
    """One year's count and whether the history behind it is unknown."""
    quote: Quote | None = None
    unknown = False
    basis: Any
    pay: dt.date | None = None
    anchor = anchor_payment(conn, held.id) if held is not None and \
        held.status in COVERED_STATUSES else None
    try:
        if held is not None and anchor is not None:
            basis, pay = "paid", anchor.paid_at.date()
            quote, unknown = requote(conn, {"person_id": person.id, "coverage_year": year,
                                            "region": held.region}, anchor)
        elif year in history.before:
            period = concentrated_period(person.region, year)
            basis, pay = "declared", period[1] if period else dt.date(year - 1, 12, 31)
        elif today > dt.date(year, 12, 31):
            basis = "closed"
        else:
            basis, pay = "if_paid", today
        if quote is None and pay is not None:
            request, unknown = person_request(who, QuoteFacts(year, pay),
                                              pick_group(groups, pay), history)
            quote = answer(request)
    except InputError:  # the year cannot be paid on that day (not open yet)
        basis, pay, quote = "not_open", None, None
    except YibaoError:
        quote = None
    cover = None if quote is None else quote_to_contract(quote)["catastrophic_cover"]
    return YearContinuity(
        coverage_year=year, basis=basis, payment_date=pay,
        continuous_years=None if quote is None else quote.continuous_years,
        catastrophic_cover=cover), unknown


def continuity_of(conn: Connection, person: Person, years: tuple[int, ...],
                  today: dt.date) -> Continuity:
    """The person's continuous years at each of ``years`` (in the caller's transaction)."""
    history = load_histories(conn, [person.id],
                             known={person.id: person.history_recorded_at is not None})[person.id]
    changes = load_status_changes(conn, [person.id]).get(person.id, ())
    who = PersonFacts(person.id, person.id_number, person.region, person.birth_date, changes)
    m = SpecialGroupMembership
    groups = [(c, f, t) for c, f, t in conn.execute(
        select(m.group_code, m.valid_from, m.valid_to).where(m.person_id == person.id)
        .order_by(m.id))]
    held = {e.coverage_year: e for e in conn.execute(
        select(Enrollment.id, Enrollment.coverage_year, Enrollment.status, Enrollment.region)
        .where(Enrollment.person_id == person.id, Enrollment.coverage_year.in_(years)))}
    out = [_year(conn, person, who, history, groups, held.get(y), y, today)
           for y in years]
    return Continuity(history_known=not any(unknown for _, unknown in out),
                      years=[y for y, _ in out])


def person_continuity(db: Database, actor: Actor, person_id: int, *,
                      today: dt.date | None = None) -> Continuity:
    """The continuous years of the person of this row for the years a page shows (the year
    in force, and the next while it is collected); reads no ID number."""
    today = today or today_beijing()
    with db.read() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("person_not_found", "未找到该参保人", "no such person", field="person")
        return continuity_of(s.connection(), person, continuity_years(today, person.region),
                             today)
