"""``/api/v1/reports/{year}``: a coverage year by county, city and province."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from yibao.api.deps import AnyStaff, Db
from yibao.api.schemas import errors
from yibao.api.schemas.reports import ReportOut

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/{year}", response_model=ReportOut, responses=errors(401, 422))
def report(
    db: Db,
    actor: AnyStaff,
    year: Annotated[int, Path(ge=1900, le=2200)],
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    as_of: Annotated[str | None, Query(max_length=10, description="ISO date; default today "
                                       "in Beijing")] = None,
) -> dict[str, Any]:
    """Persons registered, paid, on time, lapsed, in waiting, unpaid and collected per
    county, city and in total, counted by the database; ``region`` keeps that region and
    those under it; 422 ``unknown_year`` for a year without policy data."""
    from yibao.operations.reports import ReportParams, sql_report
    from yibao.operations.reports.output import report_json
    from yibao.services.common import parse_date, today_beijing

    day = today_beijing() if as_of is None else parse_date(as_of, field="as_of")
    params = ReportParams.make(year, as_of=day, region=region)
    return report_json(sql_report(db.engine, params))
