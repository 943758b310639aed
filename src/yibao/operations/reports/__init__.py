"""Reports of a coverage year by county, city and province: persons registered, paid,
on-time share, lapsed, in waiting, unpaid, amounts collected (docs/reports.md).

    params = ReportParams.make(2025, as_of=today_beijing(), region="450800")
    report = sql_report(db.engine, params)                     # GROUP BY in the database
    write_extract(db.engine, params, Path("x.parquet"))        # COPY out, as Parquet
    same = parquet_report(Path("x.parquet"), params)           # Arrow compute, no database

``model`` the definitions and the roll-up; ``sql`` the database's counts; ``extract`` the
Parquet extract; ``parquet`` the counts from it; ``output`` CSV, JSON and charts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from yibao.operations.reports.extract import write_extract
from yibao.operations.reports.model import (
    RegionCounts,
    Report,
    ReportParams,
    ReportRow,
    build_report,
)

__all__ = [
    "RegionCounts",
    "Report",
    "ReportParams",
    "ReportRow",
    "parquet_report",
    "sql_report",
    "write_extract",
]


def sql_report(engine: Engine, params: ReportParams) -> Report:
    """The report from the registry (one GROUP BY query)."""
    from yibao.operations.reports.sql import sql_counts

    return build_report(params, sql_counts(engine, params))


def parquet_report(path: Path, params: ReportParams) -> Report:
    """The report from a registry extract written by :func:`write_extract`."""
    from yibao.operations.reports.parquet import parquet_counts

    return build_report(params, parquet_counts(path, params))
