"""``/api/v1/enrollments``: list by year, status and region."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Db, Page
from yibao.services import enrollments

router = APIRouter(prefix="/api/v1/enrollments", tags=["enrollments"])


@router.get("")
def list_enrollments(
    db: Db,
    actor: AnyStaff,
    page: Page,
    coverage_year: int | None = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    """A page of enrollments (newest first)."""
    return enrollments.list_enrollments(
        db,
        actor,
        page=page.page,
        per_page=page.per_page,
        coverage_year=coverage_year,
        status=status,
        region=region,
    )
