"""``/api/v1/counts``: persons, enrollments and payments by region, year and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Db, QueryYear
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.shapes import Counts

router = APIRouter(prefix="/api/v1/counts", tags=["counts"],
                   route_class=StrictJSONRoute)


@router.get("", responses=errors(401, 422))
def counts(
    db: Db,
    actor: AnyStaff,
    coverage_year: QueryYear = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> Counts:
    """Counts and sums computed by the database (``GROUP BY``); ``region`` includes the
    regions under it."""
    from yibao.services.registry.counts import registry_counts

    return registry_counts(db, actor, coverage_year=coverage_year, region=region)
