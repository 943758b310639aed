"""A report as its shape: what ``GET /api/v1/reports/{year}`` answers, what the console
shows and what ``yibao report --json`` prints (definitions: docs/reports.md).

    answer = report_of(db, 2025, as_of=today_beijing(), region="450800")
    answer.rows[-1].collected          # int fen; "1234.00" in JSON
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from yibao.operations.reports.model import COUNT_FIELDS, Report, ReportParams, ReportRow
from yibao.services.shapes import Shape, Yuan
from yibao.store.db import Database

__all__ = ["ReportAnswer", "ReportPeriod", "ReportRowAnswer", "counted_report", "report_answer",
           "report_of"]


class ReportPeriod(Shape):
    """A concentrated period (first and last day) and the regions it applies to."""

    first: dt.date
    last: dt.date
    regions: list[str]


class ReportRowAnswer(Shape):
    """One region's counts (persons; ``collected_fen`` in fen, ``collected`` the same
    amount in yuan); shares to 4 places, null when nobody is counted below them."""

    level: Literal["county", "city", "province", "total"]
    code: str
    name: str
    parent: str | None
    registered: int
    paid: int
    underpaid: int
    pending: int
    on_time: int
    lapsed: int
    lapsed_paid: int
    history_unknown: int
    late_start: int
    waiting: int
    collected_fen: int
    unpaid: int
    paid_share: Decimal | None
    on_time_share: Decimal | None
    collected: Yuan


class ReportAnswer(Shape):
    """County rows, city rows, province rows (whole registry only), then the total."""

    coverage_year: int
    as_of: dt.date
    waiting_day: dt.date
    region: str | None
    periods: list[ReportPeriod]
    fields: list[str]
    rows: list[ReportRowAnswer]


def _row(row: ReportRow) -> ReportRowAnswer:
    c = row.counts
    counts = {n: getattr(c, n) for n in COUNT_FIELDS}
    return ReportRowAnswer(level=row.level, code=row.code, name=row.name,
                           parent=row.parent, **counts, unpaid=c.unpaid,
                           paid_share=c.paid_share, on_time_share=c.on_time_share,
                           collected=c.collected_fen)


def report_answer(report: Report) -> ReportAnswer:
    """The report's parameters, the periods used, every row."""
    p = report.params
    periods: dict[tuple[dt.date, dt.date], list[str]] = {}
    for code, period in sorted(report.periods.items()):
        periods.setdefault((period.first, period.last), []).append(code)
    return ReportAnswer(
        coverage_year=p.year, as_of=p.as_of, waiting_day=p.waiting_day, region=p.region,
        periods=[ReportPeriod(first=a, last=b, regions=codes)
                 for (a, b), codes in sorted(periods.items())],
        fields=list(COUNT_FIELDS), rows=[_row(r) for r in report.rows])


def counted_report(db: Database, year: int, *, as_of: dt.date, region: str | None = None
                   ) -> Report:
    """A coverage year's report counted by the database (``unknown_year`` for a year
    without policy data, ``unknown_region``)."""
    from yibao.operations.reports import sql_report

    return sql_report(db.engine, ReportParams.make(year, as_of=as_of, region=region))


def report_of(db: Database, year: int, *, as_of: dt.date, region: str | None = None
              ) -> ReportAnswer:
    """:func:`counted_report` as its shape."""
    return report_answer(counted_report(db, year, as_of=as_of, region=region))
