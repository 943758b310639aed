"""Enrollment and payment counts per county for the clerk dashboard.

Built from the API's list endpoints (``/api/v1/enrollments``, ``/api/v1/payments``),
page by page; a payment is counted in the county of the enrollment it settled.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from yibao import reference
from yibao.web.charts import Chart, bar_chart
from yibao.web.clerk_api import api

__all__ = ["CountyRow", "Dashboard", "build_dashboard"]

PER_PAGE = 200
MAX_PAGES = 50


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    enrollments: int
    payments: int
    paid: str


@dataclass
class Dashboard:
    year: int
    rows: list[CountyRow] = field(default_factory=list)
    enrollments: int = 0
    payments: int = 0
    paid: str = "0.00"
    by_status: dict[str, int] = field(default_factory=dict)
    chart: Chart | None = None
    truncated: bool = False


async def _all(request: Request, path: str, params: dict[str, Any]) -> tuple[list[Any], bool]:
    items: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        body = await api(request, "GET", path, params={**params, "page": page,
                                                       "per_page": PER_PAGE})
        batch = list(body.get("items", []))
        items.extend(batch)
        if not batch or len(items) >= int(body.get("total", 0)):
            return items, False
    return items, True


def _name(code: str) -> str:
    region = reference.load_regions().get(code)
    return region.name if region else code


async def build_dashboard(request: Request, year: int) -> Dashboard:
    """Counts for ``year`` per county, largest first, with a bar chart of the top 12."""
    enrollments, cut1 = await _all(request, "/api/v1/enrollments", {"coverage_year": year})
    payments, cut2 = await _all(request, "/api/v1/payments", {"coverage_year": year})
    region_of = {e["id"]: str(e.get("region") or "") for e in enrollments}
    enrolled = Counter(str(e.get("region") or "") for e in enrollments)
    paid_count: Counter[str] = Counter()
    paid_sum: dict[str, Decimal] = {}
    for p in payments:
        code = region_of.get(p.get("enrollment_id"), "")
        paid_count[code] += 1
        paid_sum[code] = paid_sum.get(code, Decimal(0)) + Decimal(str(p.get("amount") or "0"))
    codes = sorted(set(enrolled) | set(paid_count), key=lambda c: (-enrolled[c], c))
    rows = [
        CountyRow(c, _name(c) if c else "—", enrolled[c], paid_count[c],
                  f"{paid_sum.get(c, Decimal(0)):.2f}")
        for c in codes
    ]
    board = Dashboard(
        year=year,
        rows=rows,
        enrollments=len(enrollments),
        payments=len(payments),
        paid=f"{sum(paid_sum.values(), Decimal(0)):.2f}",
        by_status=dict(Counter(str(e.get("status", "")) for e in enrollments)),
        truncated=cut1 or cut2,
    )
    top = rows[:12]
    if top:
        board.chart = bar_chart(
            [r.name for r in top],
            [[float(r.enrollments) for r in top], [float(r.payments) for r in top]],
            kinds=["enrol", "paid"],
            width=420,
        )
    return board
