"""``/api/v1/households``: create, add members, read, list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import Household, HouseholdPage, errors
from yibao.services.inputs import HouseholdIn, MemberIn
from yibao.services.registry import households

router = APIRouter(prefix="/api/v1/households", tags=["households"])


@router.post("", status_code=201, response_model=Household, response_model_exclude_unset=True,
             responses=errors(401, 403, 404, 409, 413, 422))
def create(db: Db, actor: Clerk, body: HouseholdIn) -> dict[str, Any]:
    """Create a household with registered members."""
    return households.create_household(db, actor, body)


@router.get("", response_model=HouseholdPage, response_model_exclude_unset=True,
            responses=errors(401, 422))
def list_households(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> dict[str, Any]:
    """A page of households (members by id and name)."""
    return households.list_households(
        db, actor, page=page.page, per_page=page.per_page, region=region
    )


@router.get("/{household_id:int}", response_model=Household, response_model_exclude_unset=True,
            responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, household_id: RowId) -> dict[str, Any]:
    """One household with its members."""
    return households.get_household(db, actor, household_id)


@router.post("/{household_id:int}/members", response_model=Household, response_model_exclude_unset=True,
             responses=errors(401, 403, 404, 409, 413, 422))
def add_member(db: Db, actor: Clerk, household_id: RowId, body: MemberIn) -> dict[str, Any]:
    """Add a registered person to the household."""
    return households.add_member(db, actor, household_id, body)
