"""A resident looks up their own status: ID number + name → the registered person's cover
for the year in force and the year being collected, and their household's.

    found = look_up(db, "450802198005010010", "韦秀梅", today=date(2026, 11, 29),
                    years=(2026, 2027), client="203.0.113.7")
    found is None      # not registered, or the name does not match: the same answer

Nothing tells a wrong name from an unregistered number (both give None). Every look-up,
matched or not, writes one audit row (action ``self_lookup``, the number masked). The
answer holds masked names and numbers only. Household members are shown by masked name
with whether each year is paid, and nothing more: no amount, no special group, no
number (an amount of 0.00 would tell that a member is in a poverty-assistance group), so
that one person can pay for the family (the channels' "代他人缴费" asks each member's own
ID number and name) without learning anything else about them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yibao.errors import InputError
from yibao.idcard import mask_id_number, parse_id_number
from yibao.quoting.answers import answer
from yibao.rules.answer import Quote
from yibao.services.common import Actor, audit
from yibao.services.registry.continuity import continuity_of
from yibao.services.registry.history import History, load_histories
from yibao.services.registry.quotes import (
    PersonFacts,
    QuoteFacts,
    mark_unknown,
    person_request,
    pick_group,
)
from yibao.services.registry.status_facts import load_status_changes
from yibao.services.shapes import Continuity
from yibao.store.db import Database
from yibao.store.models import Enrollment, Person, SpecialGroupMembership

__all__ = ["PUBLIC", "MemberStatus", "SelfStatus", "YearStatus", "look_up", "mask_name"]

#: who a public look-up is, in the audit log (never a staff account; sees no full number)
PUBLIC = Actor("public-lookup", "auditor")

PAID = ("paid", "overpaid", "underpaid")


@dataclass(frozen=True)
class YearStatus:
    """One coverage year of one person, as the resident reads it."""

    year: int
    state: str  # paid | pending | unpaid | closed | not_open
    enrollment_status: str | None = None
    amount_paid_fen: int = 0
    amount_due_fen: int | None = None  # what is (still) due if paid today; None unpublished
    benefit_start: dt.date | None = None  # recorded, or if paid today
    benefit_end: dt.date | None = None
    waiting_fixed: int = 0
    waiting_variable: int = 0
    history_unknown: bool = False
    missing: tuple[tuple[str, str], ...] = ()  # unpublished figures in words (zh, en)
    quote: Quote | None = None  # the answer for paying today, when not paid


@dataclass(frozen=True)
class MemberStatus:
    """Another member of the household: masked name, and whether each year is paid."""

    name: str  # masked
    paid: tuple[tuple[int, bool], ...]  # (year, paid or paid and awaiting settlement)


@dataclass(frozen=True)
class SelfStatus:
    name: str  # masked
    id_number: str  # masked
    region: str
    special_group: str | None
    years: tuple[YearStatus, ...]
    household: tuple[MemberStatus, ...]
    continuity: Continuity | None = None  # 连续参保年限 at the same years (C39)


def mask_name(name: str) -> str:
    """``韦秀梅`` → ``韦*梅``; ``李明`` → ``李*``."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[\s·•・.]", "", unicodedata.normalize("NFKC", s))

    return bool(norm(a)) and norm(a) == norm(b)


def _year(s: Session, person: Person, history: History, year: int, today: dt.date,
          held: dict[int, Enrollment]) -> YearStatus:
    e = held.get(year)
    if e is not None and e.status in PAID:
        due = max(0, (e.amount_due_fen or 0) - e.amount_paid_fen) if e.amount_due_fen else 0
        return YearStatus(year, "paid", e.status, e.amount_paid_fen, due, e.benefit_start,
                          e.benefit_end, e.waiting_fixed, e.waiting_variable,
                          e.history_basis == "unknown")
    if e is not None and e.status == "pending":
        return YearStatus(year, "pending", e.status, e.amount_paid_fen, None)
    if today > dt.date(year, 12, 31):
        return YearStatus(year, "closed")
    m = SpecialGroupMembership
    rows = s.execute(select(m.group_code, m.valid_from, m.valid_to)
                     .where(m.person_id == person.id)).all()
    group = pick_group([(c, f, t) for c, f, t in rows], today)
    changes = load_status_changes(s.connection(), [person.id]).get(person.id, ())
    facts = PersonFacts(person.id, person.id_number, person.region, person.birth_date, changes)
    request, unknown = person_request(facts, QuoteFacts(year, today), group, history)
    try:
        quote = answer(request)
    except InputError:  # the year's collection has not opened yet
        return YearStatus(year, "not_open")
    if unknown:
        quote = mark_unknown(quote)
    return YearStatus(
        year, "unpaid", e.status if e is not None else None, 0, quote.amount_due_fen,
        quote.benefit_start, quote.benefit_end, quote.waiting_fixed, quote.waiting_variable,
        unknown, tuple(zip(quote.missing_labels, quote.missing_labels_en, strict=True)), quote)


def _statuses(s: Session, people: list[Person], years: tuple[int, ...], today: dt.date
              ) -> dict[int, tuple[YearStatus, ...]]:
    ids = [p.id for p in people]
    known = {p.id: p.history_recorded_at is not None for p in people}
    histories = load_histories(s.connection(), ids, known=known)
    rows = s.scalars(select(Enrollment).where(Enrollment.person_id.in_(ids),
                                              Enrollment.coverage_year.in_(years))).all()
    held: dict[int, dict[int, Enrollment]] = {}
    for e in rows:
        held.setdefault(e.person_id, {})[e.coverage_year] = e
    return {p.id: tuple(_year(s, p, histories[p.id], y, today, held.get(p.id, {}))
                        for y in years) for p in people}


def look_up(db: Database, id_number: str, name: str, *, today: dt.date,
            years: tuple[int, ...], client: str = "") -> SelfStatus | None:
    """The status of the person with this ID number and name, or None (not registered or
    another name — indistinguishable). A malformed ID number raises ``InputError``."""
    number = parse_id_number(id_number).number
    with db.write() as s:
        person = s.scalar(select(Person).where(Person.id_number == number))
        matched = person is not None and _same_name(person.name, name)
        audit(s, PUBLIC, "self_lookup", "person", person.id if matched and person else None,
              after={"id_number": mask_id_number(number), "matched": matched,
                     "client": client[:64]})
        if not matched or person is None:
            return None
        members: list[Person] = []
        if person.household_id is not None:
            members = list(s.scalars(select(Person).where(
                Person.household_id == person.household_id, Person.id != person.id,
                Person.id_number.is_not(None)).order_by(Person.birth_date)))
        statuses = _statuses(s, [person], years, today)
        paid = _paid_years(s, members, years)
        m = SpecialGroupMembership
        groups = s.execute(select(m.group_code, m.valid_from, m.valid_to)
                           .where(m.person_id == person.id)).all()
        group = pick_group([(c, f, t) for c, f, t in groups], today)
        return SelfStatus(
            mask_name(person.name), mask_id_number(number), person.region, group,
            statuses[person.id],
            tuple(MemberStatus(mask_name(p.name),
                               tuple((y, (p.id, y) in paid) for y in years)) for p in members),
            continuity_of(s.connection(), person, years, today),
        )


def _paid_years(s: Session, people: list[Person], years: tuple[int, ...]
                ) -> set[tuple[int, int]]:
    """(person id, year) of the members' years paid (or paid and awaiting settlement)."""
    if not people:
        return set()
    rows = s.execute(select(Enrollment.person_id, Enrollment.coverage_year).where(
        Enrollment.person_id.in_([p.id for p in people]), Enrollment.coverage_year.in_(years),
        Enrollment.status.in_((*PAID, "pending")))).all()
    return {(int(pid), int(year)) for pid, year in rows}
