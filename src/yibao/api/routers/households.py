"""``/api/v1/households``: create, add members, read, list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Clerk, Db, Page
from yibao.services import households
from yibao.services.inputs import HouseholdIn, MemberIn

router = APIRouter(prefix="/api/v1/households", tags=["households"])


@router.post("", status_code=201)
def create(db: Db, actor: Clerk, body: HouseholdIn) -> dict[str, Any]:
    """Create a household with registered members."""
    return households.create_household(db, actor, body)


@router.get("")
def list_households(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    """A page of households."""
    return households.list_households(
        db, actor, page=page.page, per_page=page.per_page, region=region
    )


@router.get("/{household_id}")
def get(db: Db, actor: AnyStaff, household_id: int) -> dict[str, Any]:
    """One household with its members."""
    return households.get_household(db, actor, household_id)


@router.post("/{household_id}/members")
def add_member(db: Db, actor: Clerk, household_id: int, body: MemberIn) -> dict[str, Any]:
    """Add a registered person to the household."""
    return households.add_member(db, actor, household_id, body)
