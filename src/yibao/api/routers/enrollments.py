"""``/api/v1/enrollments``: list by year, status and region; one with its history of
payments, reversals and corrections; an admin's correction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AdminOnly, AnyStaff, Db, Page, QueryYear, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import CorrectionIn
from yibao.services.registry import corrections, enrollments
from yibao.services.shapes import Correction, EnrollmentDetail, EnrollmentPage

router = APIRouter(prefix="/api/v1/enrollments", tags=["enrollments"],
                   route_class=StrictJSONRoute)


@router.get("", responses=errors(401, 422))
def list_enrollments(
    db: Db,
    actor: AnyStaff,
    page: Page,
    coverage_year: QueryYear = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> EnrollmentPage:
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


@router.get("/{enrollment_id:int}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, enrollment_id: RowId) -> EnrollmentDetail:
    """One enrollment with its payments, their reversals and its corrections."""
    return enrollments.get_enrollment(db, actor, enrollment_id)


@router.post("/{enrollment_id:int}/corrections", status_code=201,
             responses=errors(401, 403, 404, 409, 413, 422))
def correct(db: Db, actor: AdminOnly, enrollment_id: RowId, body: CorrectionIn) -> Correction:
    """Correct an enrollment's cover (admin only, with a reason): recompute it from the
    registry, or set benefit dates and waiting months."""
    return corrections.correct_enrollment(db, actor, enrollment_id, body)
