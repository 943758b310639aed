"""``/api/v1/back-payment-applications``: submit, decide, read, list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AdminOnly, AnyStaff, Clerk, Db, Page
from yibao.services import applications
from yibao.services.inputs import ApplicationDecisionIn, ApplicationIn

router = APIRouter(prefix="/api/v1/back-payment-applications", tags=["back-payment applications"])


@router.post("", status_code=201)
def create(db: Db, actor: Clerk, body: ApplicationIn) -> dict[str, Any]:
    """Submit an application (window or online) with its materials checklist."""
    return applications.create_application(db, actor, body)


@router.get("")
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


@router.get("/{app_id}")
def get(db: Db, actor: AnyStaff, app_id: int) -> dict[str, Any]:
    """One application."""
    return applications.get_application(db, actor, app_id)


@router.post("/{app_id}/decision")
def decide(db: Db, actor: AdminOnly, app_id: int, body: ApplicationDecisionIn) -> dict[str, Any]:
    """Approve or reject (admins only)."""
    return applications.decide(db, actor, app_id, body)
