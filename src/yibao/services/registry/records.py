"""A person's whole record for the console, by row id; search by name or part of an ID
number; ending a special-group membership.

    record = person_record(db, actor, person_id)     # one transaction, one audit row
    page = search_persons(db, actor, "4508021985", page=1, per_page=50)

The console's addresses carry row ids, never ID numbers. Reading a record shows a clerk
or admin one full ID number: that is one ``read_id_number`` audit row per view (the
separate reads of person, enrollments, payments and history each wrote one). Auditors
see masked numbers, so their search matches only the digits a mask shows (the first six
and the last four): a search cannot be used to uncover the hidden ones.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from yibao.errors import InputError
from yibao.services.common import Actor, audit, audit_id_reads, show_birth
from yibao.services.errors import NotFound
from yibao.services.inputs import HistoryIn, MembershipIn
from yibao.services.registry import history_entries as histories
from yibao.services.registry import persons
from yibao.services.registry.history import history_view, load_histories
from yibao.services.scope import person_missing, require_visible, scoped
from yibao.services.shapes import AuditEntry as AuditShape
from yibao.services.shapes import HistoryAdded, Membership, PersonPage, PersonRecord, RecordMember
from yibao.services.views import (
    audit_view,
    enrollment_view,
    membership_view,
    payment_view,
    person_detail,
    person_view,
)
from yibao.store.db import Database
from yibao.store.models import (
    AuditEntry,
    Enrollment,
    Payment,
    Person,
    SpecialGroupMembership,
)

__all__ = ["add_history", "add_membership", "end_membership", "person_record", "search_persons"]

#: Part of an ID number: 4 to 18 characters, digits with the check character (X) last,
#: e.g. the last four as a mask shows them ("561X").
_ID_PART = re.compile(r"^(?=.{4,18}$)[0-9]+[Xx]?$")


def _person(s: Any, actor: Actor, person_id: int) -> Person:
    person = s.scalar(select(Person).options(selectinload(Person.memberships))
                      .where(Person.id == person_id))
    if person is None:
        raise person_missing()
    assert isinstance(person, Person)
    require_visible(actor, person.region, person_missing())
    return person


def _audit_trail(s: Any, person: Person, enrollment_ids: list[int],
                 payment_ids: list[int]) -> list[AuditShape]:
    """Audit entries on the person, their enrollments, payments and memberships."""
    a = AuditEntry
    targets = [("person", [person.id]), ("enrollment", enrollment_ids),
               ("payment", payment_ids),
               ("special_group_membership", [m.id for m in person.memberships])]
    conditions = [and_(a.entity == kind, a.entity_id.in_([str(i) for i in ids]))
                  for kind, ids in targets if ids]
    rows = s.scalars(select(a).where(or_(*conditions)).order_by(a.id.desc()).limit(200)).all()
    return [audit_view(e) for e in rows]


def person_record(db: Database, actor: Actor, person_id: int) -> PersonRecord:
    """Person, memberships, history, enrollments, payments, household members and (for
    auditors and admins) the audit trail, read in one transaction."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = _person(s, actor, person_id)
        history = load_histories(
            s.connection(), [person.id], known={person.id: person.history_recorded_at is not None}
        )[person.id]
        enrollments = s.scalars(select(Enrollment).where(Enrollment.person_id == person.id)
                                .order_by(Enrollment.coverage_year)).all()
        payments = s.scalars(select(Payment).where(Payment.person_id == person.id)
                             .order_by(Payment.id)).all()
        members: list[Person] = []
        if person.household_id is not None:
            members = list(s.scalars(scoped(select(Person).where(
                Person.household_id == person.household_id, Person.id != person.id), actor)
                .order_by(Person.id)))
        trail = None
        if actor.role in ("auditor", "admin"):
            trail = _audit_trail(s, person, [e.id for e in enrollments], [p.id for p in payments])
        audit_id_reads(s, actor, [person.id], "person_record")
        number = person.id_number
        return PersonRecord(
            person=person_detail(actor, person),
            history=history_view(history, person.history_recorded_at),
            enrollments=[enrollment_view(actor, e, number) for e in enrollments],
            payments=[payment_view(actor, p, number) for p in payments],
            household_members=[RecordMember(id=m.id, name=m.name,
                                            birth_date=show_birth(actor, m.birth_date),
                                            birth_year=m.birth_date.year)
                               for m in members],
            audit=trail,
        )


def search_persons(db: Database, actor: Actor, q: str, *, page: int, per_page: int
                   ) -> PersonPage:
    """Persons whose name contains ``q``, or whose ID number contains it (4+ digits)."""
    text = re.sub(r"\s", "", q)
    if not text:
        raise InputError("missing_field", "请输入姓名或身份证号码（可输入一部分）",
                         "enter a name or (part of) an ID number", field="q")
    p = Person
    if _ID_PART.match(text):
        digits = text.upper()
        if actor.sees_full_ids:
            where = p.id_number.contains(digits, autoescape=True)
        else:  # only what a mask shows: the first six and the last four
            where = or_(func.substr(p.id_number, 1, 6).contains(digits, autoescape=True),
                        func.substr(p.id_number, 15, 4).contains(digits, autoescape=True))
    else:
        where = p.name.contains(text, autoescape=True)
    stmt = scoped(select(p).where(where), actor)
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.scalars(stmt.order_by(p.id.desc()).offset((page - 1) * per_page)
                         .limit(per_page)).all()
        audit_id_reads(s, actor, [r.id for r in rows if r.id_number], "search_persons")
        items = [person_view(actor, r) for r in rows]
    return PersonPage(items=items, total=total, page=page, per_page=per_page)


def end_membership(db: Database, actor: Actor, person_id: int, membership_id: int,
                   valid_to: dt.date) -> Membership:
    """End a special-group membership on ``valid_to`` (audited with before and after)."""
    with db.write() as s:
        m = s.get(SpecialGroupMembership, membership_id, with_for_update=True)
        _person(s, actor, person_id)
        if m is None or m.person_id != person_id:
            raise NotFound("membership_not_found", "未找到该特殊群体资格",
                           "no such special-group membership", field="membership")
        if valid_to < m.valid_from:
            raise InputError("invalid_period", "结束日期不得早于开始日期",
                             "the end date is before the start date", field="valid_to")
        before = membership_view(m)
        m.valid_to = valid_to
        s.flush()
        after = membership_view(m)
        audit(s, actor, "end_membership", "special_group_membership", m.id,
              before={"person_id": person_id, **before.model_dump(mode="json")},
              after={"person_id": person_id, **after.model_dump(mode="json")})
        return after


def _number(db: Database, actor: Actor, person_id: int) -> str:
    """The ID number of a person row (NotFound, also outside the actor's scope; a newborn
    without one cannot be changed here: convert the pre-registration first)."""
    with db.read() as s:
        row = s.execute(select(Person.id_number, Person.region).where(Person.id == person_id)
                        ).first()
    if row is None:
        raise person_missing()
    require_visible(actor, row.region, person_missing())
    number = row.id_number
    if number is None:
        raise InputError("no_id_number", "该新生儿还没有身份证号码：请先转为正式参保登记",
                         "this newborn has no ID number yet: convert the pre-registration first")
    return str(number)


def add_membership(db: Database, actor: Actor, person_id: int, m: MembershipIn
                   ) -> Membership:
    """Record a special-group membership for the person of this row."""
    return persons.add_membership(db, actor, _number(db, actor, person_id), m)


def add_history(db: Database, actor: Actor, person_id: int, data: HistoryIn
                ) -> HistoryAdded:
    """Declare years covered before the registry for the person of this row."""
    return histories.add_history(db, actor, _number(db, actor, person_id), data)
