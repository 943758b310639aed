"""Clerk console: the report of a coverage year (``/clerk/reports``): persons, paid,
on-time share, lapsed, in waiting and collected per city, drilling down to counties, with
a bar chart and a CSV download. One read of the registry's counts
(:func:`yibao.operations.reports.shape.report_of`, as ``/api/v1/reports/{year}``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yibao.errors import YibaoError
from yibao.operations.reports.output import csv_text
from yibao.operations.reports.shape import ReportRowAnswer, counted_report, report_answer
from yibao.policy import reference_data as reference
from yibao.services.common import today_beijing
from yibao.services.scope import narrow_region
from yibao.web.charts import Chart, bar_chart
from yibao.web.console import StaffLogin, status_of
from yibao.web.csrf import csrf_protect
from yibao.web.forms import YEAR_WORDS, coverage_year_of, default_coverage_year
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

def _pct(share: Decimal | None) -> str:
    return "–" if share is None else f"{(share * 100).quantize(Decimal('0.1'))}%"


def _percent(share: Decimal | None) -> float:
    """A share as a percentage for drawing (one decimal)."""
    return float(((share or Decimal(0)) * 100).quantize(Decimal("0.1")))


def _trail(code: str | None) -> list[tuple[str, str]]:
    """The scope and the regions above it, for the drilldown's way back up."""
    if not code:
        return []
    regions = reference.load_regions()
    chain = [c for c in reversed(reference.region_chain(code)) if regions[c].level != "national"]
    return [(c, regions[c].name) for c in chain]


def _chart(rows: list[ReportRowAnswer]) -> Chart | None:
    shown = [r for r in rows if r.registered > 0][:40]
    if not shown:
        return None
    return bar_chart(
        [r.name for r in shown],
        [[_percent(r.paid_share) for r in shown], [_percent(r.on_time_share) for r in shown]],
        kinds=["enrol", "paid"], top=100.0)



def _cities_with_counties() -> list[tuple[reference.Region, list[reference.Region]]]:
    """Guangxi's cities, each with its counties, for the region selector."""
    regions = reference.load_regions().values()
    return [(city, [r for r in regions if r.parent == city.code and r.level == "county"])
            for city in regions if city.level == "city" and city.parent == "450000"]


@router.get("/reports")
async def reports_page(request: Request, who: StaffLogin, year: str | None = None,
                       region: str = "") -> Response:
    asked = coverage_year_of(year)
    year_n = asked or default_coverage_year(today_beijing())
    known = region in reference.load_regions()
    ctx: dict[str, Any] = {"year": year_n, "region": region if known else "", "report": None,
                           "error": None, "pct": _pct, "errors": {},
                           "trail": _trail(region if known else None),
                           "cities": _cities_with_counties(),
                           **staff(who)}
    if year is not None and asked is None:  # a year is 4 digits: the form again, the message
        ctx["year"] = year
        ctx["errors"]["year"] = YEAR_WORDS
    if region and not known:
        ctx["errors"]["region"] = ("请从列表中选择地区", "choose a region from the list")
    if ctx["errors"]:
        return render(request, "clerk/reports.html", ctx, status_code=422)
    try:
        answer = report_answer(await who.read(counted_report, year_n, as_of=today_beijing(),
                                              region=narrow_region(who.actor, region or None)))
    except YibaoError as exc:
        ctx["error"] = (exc.message, exc.message_en)
        return render(request, "clerk/reports.html", ctx, status_code=status_of(exc))
    rows = answer.rows
    level = "county" if region and reference.load_regions()[region].level != "province" \
        else "city"
    if region and reference.load_regions()[region].level == "county":
        level = "total"
    shown = [r for r in rows if r.level == level]
    ctx.update(report=answer, rows=shown, total=rows[-1], level=level,
               chart=_chart(shown) if level != "total" else None)
    return render(request, "clerk/reports.html", ctx)


@router.get("/reports.csv")
async def reports_csv(request: Request, who: StaffLogin, year: str = "", region: str = ""
                      ) -> Response:
    """The report as a CSV file, what ``yibao report -o`` writes."""
    year_n = coverage_year_of(year)
    if year_n is None:
        return Response(f"{YEAR_WORDS[0]}\n{YEAR_WORDS[1]}\n", status_code=422,
                        media_type="text/plain; charset=utf-8")
    try:
        report = await who.read(counted_report, year_n, as_of=today_beijing(),
                                region=narrow_region(who.actor, region or None))
    except YibaoError as exc:
        return Response(f"{exc.message}\n{exc.message_en}\n", status_code=status_of(exc),
                        media_type="text/plain; charset=utf-8")
    name = f"report-{year_n}" + (f"-{region}" if region else "") + ".csv"
    lang = "en" if request.query_params.get("lang") == "en" else "zh"  # the headings' language
    return Response(csv_text(report, lang), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
