"""The answer of ``GET /api/v1/reports/{year}``: a coverage year by county, city and
province (definitions: docs/reports.md)."""

from __future__ import annotations

from typing import Literal

from yibao.api.schemas.common import Out

__all__ = ["ReportOut"]


class _Period(Out):
    """A concentrated period (first and last day) and the regions it applies to."""

    first: str
    last: str
    regions: list[str]


class _Row(Out):
    """One region's counts (persons; ``collected_fen`` in fen, ``collected`` in yuan)."""

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
    paid_share: str | None
    on_time_share: str | None
    collected: str


class ReportOut(Out):
    """County rows, city rows, province rows (whole registry only), then the total."""

    coverage_year: int
    as_of: str
    waiting_day: str
    region: str | None
    periods: list[_Period]
    fields: list[str]
    rows: list[_Row]
