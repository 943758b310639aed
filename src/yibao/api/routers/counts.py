"""``/api/v1/counts``: persons, enrollments and payments by region, year and status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Db
from yibao.services.counts import registry_counts

router = APIRouter(prefix="/api/v1/counts", tags=["counts"])


@router.get("")
def counts(
    db: Db,
    actor: AnyStaff,
    coverage_year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    """Counts and sums computed by the database (``GROUP BY``); ``region`` includes the
    regions under it."""
    return registry_counts(db, actor, coverage_year=coverage_year, region=region)
