"""``/api/v1/reports/{year}``: a coverage year by county, city and province."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from yibao.api.deps import AnyStaff, Db
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.operations.reports.shape import ReportAnswer

router = APIRouter(prefix="/api/v1/reports", tags=["reports"],
                   route_class=StrictJSONRoute)


@router.get("/{year}", responses=errors(401, 403, 422))
def report(
    db: Db,
    actor: AnyStaff,
    year: Annotated[int, Path(ge=1900, le=2200)],
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    as_of: Annotated[str | None, Query(max_length=10, description="ISO date; default today "
                                       "in Beijing")] = None,
) -> ReportAnswer:
    """Persons registered, paid, on time, lapsed, in waiting, unpaid and collected per
    county, city and in total, counted by the database; ``region`` keeps that region and
    those under it (an account limited to a region: that region at most, 403
    ``region_out_of_scope`` for another); 422 ``unknown_year`` for a year without policy
    data."""
    from yibao.operations.reports.shape import report_of
    from yibao.services.common import parse_date, today_beijing
    from yibao.services.scope import narrow_region

    day = today_beijing() if as_of is None else parse_date(as_of, field="as_of")
    return report_of(db, year, as_of=day, region=narrow_region(actor, region))
