"""What the engine answers for a registered person, by row id: for each coverage year asked,
the registry's enrollment and the answer for paying that year on a given day (contract
§2.1: the next step, the total, the first day of cover and its reason), for the console's
person page and payment receipts.

    found = person_answers(db, actor, person_id, on=date(2026, 12, 6), years=(2026, 2027))
    found.years[1].answer.next_step.text     # the same answer GET /api/v1/persons/{id}/quote gives
    found.years[0].enrollment.balance_due    # what is still owed (fen)

The answer is the registered person's quote (:mod:`yibao.services.registry.quotes`): the
registry's birth date, region, special group on that day and history; one engine call for
every year asked. Nothing here shows an ID number (the enrollments carry none), so reading
answers writes no audit row of its own: the page that shows them has read the record.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from yibao.errors import InputError
from yibao.quoting.answers import answer_many
from yibao.rules.answer_json import quote_to_contract
from yibao.services.common import Actor
from yibao.services.errors import NotFound
from yibao.services.registry.history import load_histories
from yibao.services.registry.quotes import (
    PersonFacts,
    QuoteFacts,
    mark_unknown,
    person_request,
    pick_group,
)
from yibao.services.shapes import ErrorBody, PersonAnswers, QuoteAnswer, YearAnswer
from yibao.services.views import enrollment_view
from yibao.store.db import Database
from yibao.store.models import Enrollment, Person, SpecialGroupMembership

__all__ = ["person_answers"]


def person_answers(db: Database, actor: Actor, person_id: int, *, on: dt.date,
                   years: tuple[int, ...]) -> PersonAnswers:
    """For each of ``years``: the person's enrollment (if any) and the answer for paying
    that year on ``on`` (or why the engine refuses, e.g. born after that day)."""
    with db.read() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("person_not_found", "未找到该参保人", "no such person",
                           field="person")
        m = SpecialGroupMembership
        rows = s.execute(select(m.group_code, m.valid_from, m.valid_to)
                         .where(m.person_id == person_id).order_by(m.id)).all()
        group = pick_group([(c, f, t) for c, f, t in rows], on)
        history = load_histories(s.connection(), [person_id], known={
            person_id: person.history_recorded_at is not None})[person_id]
        held = {e.coverage_year: enrollment_view(actor, e, None) for e in s.scalars(
            select(Enrollment).where(Enrollment.person_id == person_id,
                                     Enrollment.coverage_year.in_(years)))}
        facts = PersonFacts(person.id, person.id_number, person.region, person.birth_date)
    asked = [person_request(facts, QuoteFacts(year, on), group, history) for year in years]
    out = []
    for year, (_, unknown), result in zip(years, asked, answer_many([r for r, _ in asked]),
                                          strict=True):
        if isinstance(result, InputError):
            out.append(YearAnswer(
                coverage_year=year, enrollment=held.get(year), answer=None,
                refusal=ErrorBody(code=result.code, message=result.message,
                                  message_en=result.message_en, field=result.field),
                history_unknown=unknown, special_group=group))
            continue
        quote = mark_unknown(result) if unknown else result
        out.append(YearAnswer(
            coverage_year=year, enrollment=held.get(year),
            answer=QuoteAnswer.model_validate(quote_to_contract(quote)), refusal=None,
            history_unknown=unknown, special_group=group))
    return PersonAnswers(person_id=person_id, on=on, years=out)
