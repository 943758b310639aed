"""``/api/v1/enrollments``: list by year, status and region; one with its history of
payments, reversals and corrections; an admin's correction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AdminOnly, AnyStaff, Db, Page
from yibao.services import corrections, enrollments
from yibao.services.inputs import CorrectionIn

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
    """A page of enrollments (newest first); ``region`` includes the regions under it."""
    return enrollments.list_enrollments(
        db,
        actor,
        page=page.page,
        per_page=page.per_page,
        coverage_year=coverage_year,
        status=status,
        region=region,
    )


@router.get("/{enrollment_id}")
def get(db: Db, actor: AnyStaff, enrollment_id: int) -> dict[str, Any]:
    """One enrollment with its payments, their reversals and its corrections."""
    return enrollments.get_enrollment(db, actor, enrollment_id)


@router.post("/{enrollment_id}/corrections", status_code=201)
def correct(db: Db, actor: AdminOnly, enrollment_id: int, body: CorrectionIn) -> dict[str, Any]:
    """Correct an enrollment's cover (admin only, with a reason): recompute it from the
    registry, or set benefit dates and waiting months."""
    return corrections.correct_enrollment(db, actor, enrollment_id, body)
