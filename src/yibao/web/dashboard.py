"""Enrollment and payment counts per county for the clerk dashboard.

One read of the registry's counts (:func:`yibao.services.registry.counts.registry_counts`:
the database counts and sums with ``GROUP BY``); a payment is counted in the county of
the enrollment it settled. Counts are ints and amounts int fen; the template formats them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from yibao.policy import reference_data as reference
from yibao.services.registry.counts import registry_counts
from yibao.web.charts import Chart, bar_chart
from yibao.web.console import Staff

__all__ = ["CountyRow", "Dashboard", "build_dashboard"]


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    enrollments: int
    payments: int
    paid_fen: int


@dataclass
class Dashboard:
    year: int
    rows: list[CountyRow] = field(default_factory=list)
    enrollments: int = 0
    payments: int = 0
    paid_fen: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    chart: Chart | None = None
    years: list[int] = field(default_factory=list)


def _name(code: str) -> str:
    region = reference.load_regions().get(code)
    return region.name if region else code


async def build_dashboard(who: Staff, year: int) -> Dashboard:
    """Counts for ``year`` per county, largest first, with a bar chart of the top 12."""
    counts = await who.call(registry_counts, coverage_year=year)
    enrolled: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for e in counts.enrollments:
        enrolled[e.region] += e.count
        by_status[e.status] += e.count
    paid_count: Counter[str] = Counter()
    paid_fen: Counter[str] = Counter()
    for p in counts.payments:
        paid_count[p.region] += p.count
        paid_fen[p.region] += p.amount  # net of reversals, never negative
    codes = sorted(set(enrolled) | set(paid_count), key=lambda c: (-enrolled[c], c))
    rows = [CountyRow(c, _name(c), enrolled[c], paid_count[c], paid_fen[c]) for c in codes]
    board = Dashboard(
        year=year, rows=rows, enrollments=sum(enrolled.values()),
        payments=sum(paid_count.values()), paid_fen=sum(paid_fen.values()),
        by_status=dict(by_status), years=list(counts.years),
    )
    top = rows[:12]
    if top:
        board.chart = bar_chart(
            [r.name for r in top],
            [[float(r.enrollments) for r in top], [float(r.payments) for r in top]],
            kinds=["enrol", "paid"],
        )
    return board
