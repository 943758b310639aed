"""``/api/v1/households``: create, add members, read, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import HouseholdIn, MemberIn
from yibao.services.registry import households
from yibao.services.shapes import Household, HouseholdPage

router = APIRouter(prefix="/api/v1/households", tags=["households"],
                   route_class=StrictJSONRoute)


@router.post("", status_code=201, responses=errors(401, 403, 404, 409, 413, 422))
def create(db: Db, actor: Clerk, body: HouseholdIn) -> Household:
    """Create a household with registered members."""
    return households.create_household(db, actor, body)


@router.get("", responses=errors(401, 422))
def list_households(
    db: Db,
    actor: AnyStaff,
    page: Page,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> HouseholdPage:
    """A page of households (members by id and name)."""
    return households.list_households(
        db, actor, page=page.page, per_page=page.per_page, region=region
    )


@router.get("/{household_id:int}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, household_id: RowId) -> Household:
    """One household with its members."""
    return households.get_household(db, actor, household_id)


@router.post("/{household_id:int}/members", responses=errors(401, 403, 404, 409, 413, 422))
def add_member(db: Db, actor: Clerk, household_id: RowId, body: MemberIn) -> Household:
    """Add a registered person to the household."""
    return households.add_member(db, actor, household_id, body)
