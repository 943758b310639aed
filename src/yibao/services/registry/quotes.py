"""Quotes of registered persons: the registry's facts (birth, region, special group on the
payment day, history) decide; the payer adds only what happens with this payment.

    request, unknown = person_request(person, facts, group, history)
    quote = answer(request)        # typed Quote; then mark_unknown(quote) if unknown
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from yibao.quoting.answers import QuoteRequest, StatusChange, answer
from yibao.rules.answer import Quote
from yibao.rules.answer_json import quote_to_contract
from yibao.rules.messages import WARNING
from yibao.services.common import Actor, audit_id_reads
from yibao.services.inputs import PersonQuoteIn
from yibao.services.registry.history import History, history_view, load_histories
from yibao.services.registry.persons import find_person
from yibao.services.registry.status_facts import (
    StatusFact,
    load_status_changes,
    pick_status_change,
)
from yibao.services.shapes import Enrollment as EnrollmentShape
from yibao.services.shapes import Person as PersonShape
from yibao.services.shapes import PersonQuoteAnswer
from yibao.services.shapes.quote import StatusChangeUsed
from yibao.store.db import Database
from yibao.store.models import Enrollment, SpecialGroupMembership

__all__ = [
    "PersonFacts",
    "PersonQuote",
    "QuoteFacts",
    "full_groups",
    "mark_unknown",
    "person_request",
    "pick_group",
    "quote_person",
]


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a quote needs to know of a registered person (``status_changes``: those recorded
    and not withdrawn, oldest first; a quote picks the one that applies, C37)."""

    id: int
    id_number: str | None
    region: str
    birth_date: dt.date
    status_changes: tuple[StatusFact, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteFacts:
    """What the payer may state about this payment (never the person's history)."""

    coverage_year: int
    payment_date: dt.date
    back_pay_years: tuple[int, ...] | None = None
    employee_insurance_end_date: dt.date | None = None
    hardship_deferral: bool = False

    @classmethod
    def of(cls, asked: PersonQuoteIn) -> QuoteFacts:
        """The facts of a quote request; the payment date defaults to today (Beijing)."""
        from yibao.services.common import today_beijing

        return cls(
            coverage_year=asked.coverage_year,
            payment_date=asked.payment_date or today_beijing(),
            back_pay_years=tuple(asked.back_pay_years) if asked.back_pay_years else None,
            employee_insurance_end_date=asked.employee_insurance_end_date,
            hardship_deferral=asked.hardship_deferral,
        )


@dataclass(frozen=True, slots=True)
class PersonQuote:
    """A registered person's quote with the history it was computed from."""

    quote: Quote
    history: History
    history_unknown: bool
    special_group: str | None
    person: PersonShape
    enrollment: EnrollmentShape | None
    status_change: StatusFact | None = None

    def answer(self) -> PersonQuoteAnswer:
        """The API's answer: the contract's quote with the history, the special group,
        the status change it carried, the person and the year's enrollment."""
        return PersonQuoteAnswer(
            **quote_to_contract(self.quote),
            history=history_view(self.history),
            history_unknown=self.history_unknown,
            special_group=self.special_group,
            status_change=None if self.status_change is None else StatusChangeUsed(
                id=self.status_change.id, kind=self.status_change.kind,
                date=self.status_change.date),
            person=self.person,
            enrollment=self.enrollment,
        )


def pick_group(rows: list[tuple[str, dt.date, dt.date | None]], day: dt.date) -> str | None:
    """The group valid on ``day`` among (code, valid_from, valid_to) rows; full assistance first."""
    codes = [c for c, start, end in rows if start <= day and (end is None or end >= day)]
    for code in full_groups():
        if code in codes:
            return code
    return codes[0] if codes else None


def full_groups() -> tuple[str, ...]:
    """Groups whose contribution is paid in full (special_groups.yaml), preferred when a
    person is in several."""
    from yibao.policy.reference_data import special_groups

    return tuple(g.code for g in special_groups() if g.assistance == "full")


def person_request(
    person: PersonFacts, facts: QuoteFacts, group: str | None, history: History
) -> tuple[QuoteRequest, bool]:
    """The engine's input for this person and payment, and whether the history is unknown.

    The registry's facts decide: region, birth, the special group on the payment day, the
    covered years of its history (so the engine counts continuous years from them, C36),
    and the status change that applies (C37)."""
    covered, unknown = history.for_quote(facts.coverage_year, person.birth_date)
    change = pick_status_change(person.status_changes, facts.coverage_year,
                                facts.payment_date)
    request = QuoteRequest(
        region=person.region,
        coverage_year=facts.coverage_year,
        payment_date=facts.payment_date,
        id_number=person.id_number,
        birth_date=None if person.id_number else person.birth_date,
        special_group=group,
        covered_years=covered,
        back_pay_years=list(facts.back_pay_years) if facts.back_pay_years else None,
        employee_insurance_end_date=facts.employee_insurance_end_date,
        hardship_deferral=facts.hardship_deferral,
        status_change=None if change is None else StatusChange(kind=change.kind,
                                                               date=change.date),
    )
    return request, unknown


def mark_unknown(quote: Quote) -> Quote:
    """The quote with the ``history_unknown`` warning."""
    warning = WARNING["history_unknown"]
    return quote.with_warning(warning.code, warning.text, warning.text_en)


def quote_person(db: Database, actor: Actor, id_number: str, facts: QuoteFacts) -> PersonQuote:
    """Quote a registered person from the registry, with the person and the year's enrollment.

    Raises ``person_not_found`` (404) or the quote's ``InputError`` (422).
    """
    from yibao.services.views import enrollment_view, person_view

    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, actor, id_number)
        m = SpecialGroupMembership
        rows = s.execute(
            select(m.group_code, m.valid_from, m.valid_to)
            .where(m.person_id == person.id)
            .order_by(m.id)
        ).all()
        group = pick_group([(c, f, t) for c, f, t in rows], facts.payment_date)
        history = load_histories(
            s.connection(), [person.id], known={person.id: person.history_recorded_at is not None}
        )[person.id]
        changes = load_status_changes(s.connection(), [person.id]).get(person.id, ())
        held = s.scalar(select(Enrollment).where(
            Enrollment.person_id == person.id, Enrollment.coverage_year == facts.coverage_year))
        audit_id_reads(s, actor, [person.id], "person_quote")
        view = person_view(actor, person)
        year_view = None if held is None else enrollment_view(actor, held, person.id_number)
    facts_person = PersonFacts(person.id, person.id_number, person.region, person.birth_date,
                               changes)
    request, unknown = person_request(facts_person, facts, group, history)
    quote = answer(request)
    if unknown:
        quote = mark_unknown(quote)
    used = pick_status_change(changes, facts.coverage_year, facts.payment_date)
    return PersonQuote(quote, history, unknown, group, view, year_view, used)
