"""``/api/v1/person-records``: a person's whole record by row id, search by name or part of
an ID number, ending a special-group membership (the console's reads, one audit row each).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Clerk, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.inputs import HistoryIn, MembershipEndIn, MembershipIn
from yibao.services.registry import records as person_records
from yibao.services.shapes import HistoryAdded, Membership, PersonPage, PersonRecord

router = APIRouter(prefix="/api/v1/person-records", tags=["persons"],
                   route_class=StrictJSONRoute)


@router.get("", responses=errors(401, 422))
def search(db: Db, actor: AnyStaff, page: Page,
           q: Annotated[str, Query(max_length=64)] = "") -> PersonPage:
    """Persons whose name contains ``q`` or whose ID number contains it (4 or more digits;
    auditors match only the digits a masked number shows)."""
    return person_records.search_persons(db, actor, q, page=page.page, per_page=page.per_page)


@router.get("/{person_id}", responses=errors(401, 404, 422))
def record(db: Db, actor: AnyStaff, person_id: RowId) -> PersonRecord:
    """Person, memberships, history, enrollments, payments, household members, and for
    auditors and admins the audit trail — one read, one audit row."""
    return person_records.person_record(db, actor, person_id)


@router.patch("/{person_id}/special-groups/{membership_id}",
              responses=errors(401, 403, 404, 409, 413, 422))
def end_membership(db: Db, actor: Clerk, person_id: RowId, membership_id: RowId,
                   body: MembershipEndIn) -> Membership:
    """End a special-group membership on ``valid_to``."""
    return person_records.end_membership(db, actor, person_id, membership_id, body.valid_to)


@router.post("/{person_id}/special-groups", status_code=201,
             responses=errors(401, 403, 404, 409, 413, 422))
def add_membership(db: Db, actor: Clerk, person_id: RowId, body: MembershipIn) -> Membership:
    """Record a special-group membership (group, valid from/to, source)."""
    return person_records.add_membership(db, actor, person_id, body)


@router.post("/{person_id}/history", status_code=201,
             responses=errors(401, 403, 404, 409, 413, 422))
def add_history(db: Db, actor: Clerk, person_id: RowId, body: HistoryIn) -> HistoryAdded:
    """Declare years covered before the registry (added, never removed), with their source."""
    return person_records.add_history(db, actor, person_id, body)
