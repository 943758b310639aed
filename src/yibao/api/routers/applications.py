"""``/api/v1/back-payment-applications``: submit, decide, read, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AdminOnly, AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import ApplicationDecisionIn, ApplicationIn
from yibao.services.registry import applications
from yibao.services.shapes import Application, ApplicationPage

router = APIRouter(prefix="/api/v1/back-payment-applications", tags=["back-payment applications"],
                   route_class=StrictJSONRoute)


@router.post("", status_code=201, responses=errors(401, 403, 404, 413, 422))
def create(db: Db, actor: Clerk, body: ApplicationIn) -> Application:
    """Submit an application (window or online) with its materials checklist."""
    return applications.create_application(db, actor, body)


@router.get("", responses=errors(401, 422))
def list_all(
    db: Db,
    actor: AnyStaff,
    page: Page,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> ApplicationPage:
    """A page of applications."""
    return applications.list_applications(
        db, actor, page=page.page, per_page=page.per_page, status=status
    )


@router.get("/{app_id:int}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, app_id: RowId) -> Application:
    """One application."""
    return applications.get_application(db, actor, app_id)


@router.post("/{app_id:int}/decision", responses=errors(401, 403, 404, 409, 413, 422))
def decide(db: Db, actor: AdminOnly, app_id: RowId, body: ApplicationDecisionIn) -> Application:
    """Approve or reject (admins only)."""
    return applications.decide(db, actor, app_id, body)
