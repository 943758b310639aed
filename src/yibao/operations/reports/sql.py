"""The report computed by the database: one ``GROUP BY persons.region`` over the persons
of the scope, each joined to one per-person aggregate of its facts (cover before the
year, the year's enrollment, the year's payments). Only one row per region comes back.

    counts = sql_counts(db.engine, params)      # {"450802": RegionCounts(...), ...}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Engine,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from yibao.operations.reports.model import (
    COUNT_FIELDS,
    COVERED_STATUSES,
    RegionCounts,
    ReportParams,
    periods_for,
)
from yibao.policy import reference_data as reference
from yibao.services.payments.anchor import live_payment
from yibao.store.models import CoverageHistory, Enrollment, Payment, Person

__all__ = ["WORK_MEM", "person_facts", "sql_counts"]

#: PostgreSQL, for the report's transaction only: the per-person aggregate of a province
#: (about one group per person) hashes in memory instead of spilling to disk (the default
#: 4 MB is sized for many small queries; this is one big one), in one process: parallel
#: workers would each build nearly every group and then sort them all to merge.
WORK_MEM = "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0"

_P: Table = Person.__table__  # type: ignore[assignment]
_E: Table = Enrollment.__table__  # type: ignore[assignment]
_PAY: Table = Payment.__table__  # type: ignore[assignment]
_H: Table = CoverageHistory.__table__  # type: ignore[assignment]


def person_facts(params: ReportParams, *, years_text: bool = False) -> Any:
    """One row per person with anything for the report, aggregated once over a
    ``UNION ALL`` of the facts (one pass over them):

    ``prev`` (YEAR−1 covered), ``earlier`` (a year before YEAR−1 covered) — from enrollments
    in a covered status and the cover recorded before the registry; ``status`` and
    ``benefit_start`` of YEAR's enrollment (one a year); ``anchor`` (earliest payment of
    YEAR not wholly reversed) and ``net`` (fen); ``years_text``: also ``years``, every
    covered year before YEAR as text ("2019;2020"), for the extract.
    """
    y = params.year
    none_date = null().cast(Date)
    none_text = null().cast(String(16))
    none_time = null().cast(DateTime)
    zero = literal(0, BigInteger)
    codes = params.scope_codes()

    def scoped(table: Table) -> list[Any]:
        """A scope's persons only (a county's report reads that county's facts)."""
        if codes is None:
            return []
        return [table.c.person_id.in_(select(_P.c.id).where(_P.c.region.in_(codes)))]

    def covered(table: Table, *where: Any) -> Any:
        return select(table.c.person_id, table.c.coverage_year.label("cy"),
                      none_text.label("status"), none_date.label("start"),
                      none_time.label("paid_at"), zero.label("net")).where(
            table.c.coverage_year < y, *where, *scoped(table))

    live = live_payment(_PAY)  # a fully assisted resident's 0.00 payment counts
    facts = union_all(
        covered(_E, _E.c.status.in_(COVERED_STATUSES)),
        covered(_H),
        select(_E.c.person_id, literal(y).label("cy"), _E.c.status, _E.c.benefit_start,
               none_time, zero).where(_E.c.coverage_year == y, *scoped(_E)),
        select(_PAY.c.person_id, literal(y).label("cy"), none_text, none_date,
               case((live, _PAY.c.paid_at), else_=None),
               (_PAY.c.amount_fen - _PAY.c.reversed_fen)).where(_PAY.c.coverage_year == y,
                                                                 *scoped(_PAY)),
    ).subquery("facts")
    f = facts.c
    columns = [
        f.person_id,
        func.max(case((f.cy == y - 1, 1), else_=0)).label("prev"),
        func.max(case((f.cy < y - 1, 1), else_=0)).label("earlier"),
        func.max(case((f.cy < y, 1), else_=0)).label("before"),
        func.max(f.status).label("status"),
        func.max(f.start).label("benefit_start"),
        func.min(f.paid_at).label("anchor"),
        func.sum(f.net).label("net"),
    ]
    if years_text:
        columns.append(func.aggregate_strings(
            case((f.cy < y, cast(f.cy, String)), else_=None), ";").label("years"))
    return select(*columns).group_by(f.person_id).subquery("per_person")


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
    persons, pp = _P, person_facts(params)
    paid = pp.c.status.in_(COVERED_STATUSES)
    start = pp.c.benefit_start
    prev = func.coalesce(pp.c.prev, 0) == 1
    earlier = func.coalesce(pp.c.earlier, 0) == 1
    lapsed = and_(earlier, ~prev)
    unknown = and_(persons.c.history_recorded_at.is_(None), func.coalesce(pp.c.before, 0) == 0,
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
        "underpaid": n(pp.c.status == "underpaid"),
        "pending": n(pp.c.status == "pending"),
        "on_time": n(and_(paid, _on_time(params, pp.c.anchor))),
        "lapsed": n(lapsed),
        "lapsed_paid": n(and_(lapsed, paid)),
        "history_unknown": n(unknown),
        "late_start": n(late_start),
        "waiting": n(waiting),
        "collected_fen": func.coalesce(func.sum(pp.c.net), 0),
    }
    assert tuple(columns) == COUNT_FIELDS
    stmt = _scoped(params, select(persons.c.region, *(c.label(k) for k, c in columns.items()))
                   .select_from(persons)
                   .outerjoin(pp, pp.c.person_id == persons.c.id)
                   .group_by(persons.c.region))
    with engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(WORK_MEM)
        rows = conn.execute(stmt).all()
    return {r.region: RegionCounts(*(int(getattr(r, k)) for k in COUNT_FIELDS)) for r in rows}
