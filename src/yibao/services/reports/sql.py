"""The report computed by the database: one ``GROUP BY persons.region`` over the persons
of the scope, each joined to three per-person aggregates (cover before the year, the
year's enrollment, the year's payments). Only one row per region comes back.

    counts = sql_counts(db.engine, params)      # {"450802": RegionCounts(...), ...}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, Table, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from yibao import reference
from yibao.services.reports.model import (
    COUNT_FIELDS,
    COVERED_STATUSES,
    RegionCounts,
    ReportParams,
    periods_for,
)
from yibao.store.models import CoverageHistory, Enrollment, Payment, Person

__all__ = ["WORK_MEM", "person_year", "sql_counts"]

#: PostgreSQL: the per-person aggregates of a whole province hash in memory instead of
#: spilling to disk (the default 4 MB is sized for many small queries; this is one big one).
WORK_MEM = "SET LOCAL work_mem = '64MB'"

_P: Table = Person.__table__  # type: ignore[assignment]
_E: Table = Enrollment.__table__  # type: ignore[assignment]
_PAY: Table = Payment.__table__  # type: ignore[assignment]
_H: Table = CoverageHistory.__table__  # type: ignore[assignment]


def person_year(params: ReportParams) -> tuple[Any, Any, Any, Any]:
    """The persons of the scope (born by Dec 31) and their three aggregates, as
    ``(persons, prior, enrollment, payments)`` subqueries/tables joined on the person.

    ``prior``: ``prev`` (YEAR−1 covered), ``earlier`` (a year before YEAR−1 covered), from
    enrollments in a covered status and the cover recorded before the registry.
    ``payments``: ``anchor`` (earliest payment not wholly reversed) and ``net`` (fen).
    """
    y = params.year
    covered = union_all(
        select(_E.c.person_id, _E.c.coverage_year)
        .where(_E.c.status.in_(COVERED_STATUSES), _E.c.coverage_year < y),
        select(_H.c.person_id, _H.c.coverage_year).where(_H.c.coverage_year < y),
    ).subquery("covered")
    prior = (
        select(covered.c.person_id,
               func.max(case((covered.c.coverage_year == y - 1, 1), else_=0)).label("prev"),
               func.max(case((covered.c.coverage_year < y - 1, 1), else_=0)).label("earlier"),
               func.count().label("years"))
        .group_by(covered.c.person_id).subquery("prior")
    )
    live = _PAY.c.amount_fen > _PAY.c.reversed_fen
    pays = (
        select(_PAY.c.person_id,
               func.min(case((live, _PAY.c.paid_at), else_=None)).label("anchor"),
               func.sum(_PAY.c.amount_fen - _PAY.c.reversed_fen).label("net"))
        .where(_PAY.c.coverage_year == y).group_by(_PAY.c.person_id).subquery("pays")
    )
    year_e = select(_E.c.person_id, _E.c.status, _E.c.benefit_start).where(
        _E.c.coverage_year == y).subquery("year_e")
    return _P, prior, year_e, pays


def _scoped(params: ReportParams, stmt: Any) -> Any:
    stmt = stmt.where(_P.c.birth_date <= params.last_day)
    codes = params.scope_codes()
    return stmt.where(_P.c.region.in_(codes)) if codes is not None else stmt


def _on_time(params: ReportParams, anchor: Any) -> ColumnElement[bool]:
    """The anchor payment lies in the concentrated period of the person's region."""
    periods = periods_for(params.year, params.scope_codes() or reference.load_regions())
    by_period: dict[tuple[dt.datetime, dt.datetime], list[str]] = {}
    for code, period in periods.items():
        by_period.setdefault((period.start, period.end), []).append(code)
    if not by_period:
        return literal(False)
    return or_(*(and_(_P.c.region.in_(sorted(codes)), anchor >= start, anchor < end)
                 for (start, end), codes in sorted(by_period.items())))


def sql_counts(engine: Engine, params: ReportParams) -> dict[str, RegionCounts]:
    """Counts per region of residence, summed by the database."""
    persons, prior, year_e, pays = person_year(params)
    paid = year_e.c.status.in_(COVERED_STATUSES)
    start = year_e.c.benefit_start
    prev = func.coalesce(prior.c.prev, 0) == 1
    earlier = func.coalesce(prior.c.earlier, 0) == 1
    lapsed = and_(earlier, ~prev)
    unknown = and_(persons.c.history_recorded_at.is_(None), prior.c.person_id.is_(None),
                   persons.c.birth_date < dt.date(params.year - 1, 1, 1))
    day = params.waiting_day
    late_start = and_(paid, or_(start.is_(None),
                                and_(start > params.first_day, start > persons.c.birth_date)))
    waiting = and_(paid, persons.c.birth_date <= day, or_(start.is_(None), start > day))

    def n(cond: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    columns = {
        "registered": func.count(),
        "paid": n(paid),
        "underpaid": n(year_e.c.status == "underpaid"),
        "pending": n(year_e.c.status == "pending"),
        "on_time": n(and_(paid, _on_time(params, pays.c.anchor))),
        "lapsed": n(lapsed),
        "lapsed_paid": n(and_(lapsed, paid)),
        "history_unknown": n(unknown),
        "late_start": n(late_start),
        "waiting": n(waiting),
        "collected_fen": func.coalesce(func.sum(pays.c.net), 0),
    }
    assert tuple(columns) == COUNT_FIELDS
    stmt = _scoped(params, select(persons.c.region, *(c.label(k) for k, c in columns.items()))
                   .select_from(persons)
                   .outerjoin(prior, prior.c.person_id == persons.c.id)
                   .outerjoin(year_e, year_e.c.person_id == persons.c.id)
                   .outerjoin(pays, pays.c.person_id == persons.c.id)
                   .group_by(persons.c.region))
    with engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(WORK_MEM)
        rows = conn.execute(stmt).all()
    return {r.region: RegionCounts(*(int(getattr(r, k)) for k in COUNT_FIELDS)) for r in rows}
