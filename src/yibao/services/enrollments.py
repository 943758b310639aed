"""Enrollments: the engine's quote applied to a person's coverage year (pure helpers); lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yibao.services.common import Actor, audit_id_reads
from yibao.services.inputs import PaymentIn
from yibao.services.persons import find_person
from yibao.services.views import enrollment_view, payment_view
from yibao.store.db import Database
from yibao.store.models import Enrollment, Payment, Person, SpecialGroupMembership

__all__ = [
    "PAID_STATUSES",
    "PersonFacts",
    "apply_quote",
    "covered_from",
    "list_enrollments",
    "person_enrollments",
    "person_payments",
    "pick_group",
    "quote_facts",
    "settle_status",
    "snapshot",
    "special_group_on",
]

PAID_STATUSES = ("paid", "overpaid")
_FULL_GROUPS = ("tekun", "orphan", "fact_orphan")


def pick_group(rows: Iterable[tuple[str, dt.date, dt.date | None]], day: dt.date) -> str | None:
    """The group valid on ``day`` among (code, valid_from, valid_to) rows; full assistance first."""
    codes = [c for c, start, end in rows if start <= day and (end is None or end >= day)]
    for code in _FULL_GROUPS:
        if code in codes:
            return code
    return codes[0] if codes else None


def special_group_on(session: Session, person_id: int, day: dt.date) -> str | None:
    """The person's special group on ``day`` (a full-assistance group first), or None."""
    m = SpecialGroupMembership
    rows = session.execute(
        select(m.group_code, m.valid_from, m.valid_to)
        .where(m.person_id == person_id)
        .order_by(m.id)
    ).all()
    return pick_group(((c, f, t) for c, f, t in rows), day)


def covered_from(rows: Iterable[tuple[int, str | None]], year: int) -> list[int] | None:
    """Years with cover among a person's (coverage_year, status) rows before ``year``.

    None (= continuous cover, as in the contract) when the registry knows no earlier year.
    """
    earlier = [(y, status) for y, status in rows if y < year]
    if not earlier:
        return None
    return sorted(y for y, status in earlier if status in (*PAID_STATUSES, "underpaid"))


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What a quote needs to know of a registered person."""

    id: int
    id_number: str | None
    region: str
    birth_date: dt.date


def quote_facts(
    person: PersonFacts,
    data: PaymentIn,
    payment_date: dt.date,
    group: str | None,
    covered: list[int] | None,
) -> dict[str, Any]:
    """The quote input for a payment: registry facts, overridden by facts in the payment."""
    facts: dict[str, Any] = {
        "region": person.region,
        "coverage_year": data.coverage_year,
        "payment_date": payment_date.isoformat(),
    }
    if person.id_number is not None:
        facts["id_number"] = person.id_number
    else:
        facts["birth_date"] = person.birth_date.isoformat()
    group = data.special_group or group
    if group:
        facts["special_group"] = group
    if data.covered_years is not None:
        covered = data.covered_years
    if covered is not None:
        facts["covered_years"] = covered
    if data.back_pay_years:
        facts["back_pay_years"] = data.back_pay_years
    if data.employee_insurance_end_date is not None:
        facts["employee_insurance_end_date"] = data.employee_insurance_end_date.isoformat()
    if data.hardship_deferral is not None:
        facts["hardship_deferral"] = data.hardship_deferral
    return facts


def _fen(text: str | None) -> int | None:
    return None if text is None else int(Decimal(text) * 100)


def apply_quote(state: dict[str, Any], result: dict[str, Any]) -> int | None:
    """Write the engine's answer into an enrollment's column values; returns the amount due.

    Due (fen) is the coverage year's amount plus any back-pay, or None when a figure is
    missing.
    """
    amount = _fen(result.get("amount_due"))
    back_pay = _fen((result.get("breakdown") or {}).get("back_pay")) or 0
    due = None if amount is None else amount + back_pay
    waiting = result.get("waiting_months") or {}
    rules = [
        {"id": r["id"], "source": r.get("source"), "text": r.get("text")}
        for r in result.get("rules", [])
    ]
    state.update(
        status=state.get("status") or "open",
        amount_due_fen=due,
        benefit_start=_date(result.get("benefit_start")),
        benefit_end=_date(result.get("benefit_end")),
        waiting_fixed=int(waiting.get("fixed", 0)),
        waiting_variable=int(waiting.get("variable", 0)),
        rules=rules,
        rule_ids=[r["id"] for r in rules],
        warnings=list(result.get("warnings", [])),
    )
    return due


def settle_status(state: dict[str, Any]) -> None:
    """The enrollment's status from what is due and what was paid."""
    due, paid = state["amount_due_fen"], state["amount_paid_fen"]
    if due is None:
        state["status"] = "unquoted"
    elif paid == due:
        state["status"] = "paid"
    elif paid > due:
        state["status"] = "overpaid"
    else:
        state["status"] = "underpaid"


def _date(text: object) -> dt.date | None:
    return dt.date.fromisoformat(text) if isinstance(text, str) else None


def snapshot(e: Mapping[str, Any]) -> dict[str, Any]:
    """An enrollment's state (column values) for the audit log."""
    start = e["benefit_start"]
    return {
        "status": e["status"],
        "amount_due_fen": e["amount_due_fen"],
        "amount_paid_fen": e["amount_paid_fen"],
        "benefit_start": None if start is None else start.isoformat(),
        "rule_ids": list(e["rule_ids"]),
    }


def person_enrollments(db: Database, actor: Actor, id_number: str) -> list[dict[str, Any]]:
    """All enrollments of one person, by coverage year."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, id_number)
        rows = s.scalars(
            select(Enrollment)
            .where(Enrollment.person_id == person.id)
            .order_by(Enrollment.coverage_year)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_enrollments")
        return [enrollment_view(actor, e, person.id_number) for e in rows]


def person_payments(db: Database, actor: Actor, id_number: str) -> list[dict[str, Any]]:
    """All payments of one person, oldest first."""
    with db.write() if actor.sees_full_ids else db.read() as s:
        person = find_person(s, id_number)
        rows = s.scalars(
            select(Payment).where(Payment.person_id == person.id).order_by(Payment.id)
        ).all()
        audit_id_reads(s, actor, [person.id], "person_payments")
        return [payment_view(actor, p, person.id_number) for p in rows]


def list_enrollments(
    db: Database,
    actor: Actor,
    *,
    page: int,
    per_page: int,
    coverage_year: int | None = None,
    status: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """A page of enrollments, filtered by year, status and region prefix."""
    stmt = select(Enrollment, Person.id_number).join(Person, Person.id == Enrollment.person_id)
    if coverage_year is not None:
        stmt = stmt.where(Enrollment.coverage_year == coverage_year)
    if status:
        stmt = stmt.where(Enrollment.status == status)
    if region:
        stmt = stmt.where(Enrollment.region.startswith(region.rstrip("0") or region))
    with db.write() if actor.sees_full_ids else db.read() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = s.execute(
            stmt.order_by(Enrollment.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        audit_id_reads(s, actor, [e.person_id for e, n in rows if n], "list_enrollments")
        items = [enrollment_view(actor, e, n) for e, n in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}
