"""``/api/v1/back-payment-applications``: submit, decide, read, list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AdminOnly, AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import Application, ApplicationPage, errors
from yibao.services.inputs import ApplicationDecisionIn, ApplicationIn
from yibao.services.registry import applications

router = APIRouter(prefix="/api/v1/back-payment-applications", tags=["back-payment applications"])


@router.post("", status_code=201, response_model=Application, response_model_exclude_unset=True,
             responses=errors(401, 403, 404, 413, 422))
def create(db: Db, actor: Clerk, body: ApplicationIn) -> dict[str, Any]:
    """Submit an application (window or online) with its materials checklist."""
    return applications.create_application(db, actor, body)


@router.get("", response_model=ApplicationPage, response_model_exclude_unset=True,
            responses=errors(401, 422))
def list_all(
    db: Db,
    actor: AnyStaff,
    page: Page,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """A page of applications."""
    return applications.list_applications(
        db, actor, page=page.page, per_page=page.per_page, status=status
    )


@router.get("/{app_id:int}", response_model=Application, response_model_exclude_unset=True,
            responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, app_id: RowId) -> dict[str, Any]:
    """One application."""
    return applications.get_application(db, actor, app_id)


@router.post("/{app_id:int}/decision", response_model=Application, response_model_exclude_unset=True,
             responses=errors(401, 403, 404, 409, 413, 422))
def decide(db: Db, actor: AdminOnly, app_id: RowId, body: ApplicationDecisionIn) -> dict[str, Any]:
    """Approve or reject (admins only)."""
    return applications.decide(db, actor, app_id, body)
