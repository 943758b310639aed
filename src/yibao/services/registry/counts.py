"""Counts of the registry by region, coverage year and status, computed by the database.

    registry_counts(db, actor, coverage_year=2025, region="450200")

Persons by region; enrollments by region, year and status (with amounts due and paid);
payments by the region of their enrollment, year and settlement (with amounts). The
clerk dashboard reads this instead of paging through lists.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from yibao.policy import reference_data as reference
from yibao.services.common import Actor
from yibao.services.scope import visible
from yibao.services.shapes import (
    Counts,
    CountsTotals,
    EnrollmentCount,
    PaymentCount,
    PersonsCount,
)
from yibao.store.db import Database
from yibao.store.models import Enrollment, Payment, Person

__all__ = ["registry_counts"]


def registry_counts(
    db: Database, actor: Actor, *, coverage_year: int | None = None, region: str | None = None
) -> Counts:
    """Counts and sums for one year (or all) and one region with the regions under it."""
    codes = reference.region_subtree(region) if region else None
    if actor.region is not None:  # an account's board holds its own region's rows only
        own = reference.region_subtree(actor.region)
        codes = own if codes is None else tuple(c for c in codes if c in set(own))
    e, p = Enrollment, Payment
    # an account limited to a region counts its persons only (and their rows)
    mine = None if actor.region is None else select(Person.id).where(visible(actor))

    def scoped(stmt: Any, column: Any, year_column: Any | None) -> Any:
        if mine is not None:
            stmt = stmt.where(visible(actor) if column is Person.region
                              else e.person_id.in_(mine))
        if codes is not None:
            stmt = stmt.where(column.in_(codes))
        if coverage_year is not None and year_column is not None:
            stmt = stmt.where(year_column == coverage_year)
        return stmt

    with db.read() as s:
        persons = s.execute(scoped(
            select(Person.region, func.count()).group_by(Person.region), Person.region, None
        )).all()
        enrollments = s.execute(scoped(
            select(e.region, e.coverage_year, e.status, func.count(),
                   func.coalesce(func.sum(e.amount_due_fen), 0),
                   func.coalesce(func.sum(e.amount_paid_fen), 0))
            .group_by(e.region, e.coverage_year, e.status),
            e.region, e.coverage_year,
        )).all()
        payments = s.execute(scoped(
            # a payment wholly refunded or reversed is no longer a payment (a zero payment
            # of a fully assisted year, never reversed, still is)
            select(e.region, p.coverage_year, p.settlement,
                   func.count().filter(or_(p.reversed_fen == 0, p.reversed_fen < p.amount_fen)),
                   func.coalesce(func.sum(p.amount_fen - p.reversed_fen), 0))
            .join(e, e.id == p.enrollment_id)
            .group_by(e.region, p.coverage_year, p.settlement),
            e.region, p.coverage_year,
        )).all()
        years = sorted(y for (y,) in s.execute(
            scoped(select(e.coverage_year).distinct(), e.region, None)).all())
    return Counts(
        coverage_year=coverage_year,
        region=region,
        years=years,
        persons=[PersonsCount(region=r, count=int(n)) for r, n in persons],
        enrollments=[
            EnrollmentCount(region=r, coverage_year=y, status=st, count=int(n),
                            amount_due=int(due), amount_paid=int(paid))
            for r, y, st, n, due, paid in enrollments
        ],
        payments=[
            PaymentCount(region=r, coverage_year=y, settlement=st, count=int(n),
                         amount=int(total))
            for r, y, st, n, total in payments
        ],
        totals=CountsTotals(
            persons=sum(int(n) for _, n in persons),
            enrollments=sum(int(row[3]) for row in enrollments),
            payments=sum(int(row[3]) for row in payments),
            amount=sum(int(row[4]) for row in payments),
        ),
    )
