"""``/api/v1/reversals``: refunds and reversals waiting for a second pair of eyes, and an
admin's decision on one (contract §6)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query

from yibao.api.deps import AdminOnly, AnyStaff, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services import payments
from yibao.services.inputs import ReversalDecisionIn
from yibao.services.shapes import ReversalPage, ReversalRecorded

router = APIRouter(prefix="/api/v1/reversals", tags=["payments"],
                   route_class=StrictJSONRoute)


@router.get("", responses=errors(401, 422))
def list_reversals(
    db: Db, actor: AnyStaff, page: Page,
    status: Annotated[Literal["pending_approval", "recorded", "rejected"] | None,
                      Query()] = "pending_approval",
) -> ReversalPage:
    """Reversals and refunds of the persons the account may see, oldest first (by default
    those waiting for approval), each with its evidence: reference, reason, who asked,
    the payment, the enrollment and the effect the request would have on the cover."""
    return payments.list_reversals(db, actor, page=page.page, per_page=page.per_page,
                                   status=status)


@router.post("/{reversal_id:int}/approval", responses=errors(401, 403, 404, 409, 413, 422))
def approve(db: Db, actor: AdminOnly, reversal_id: RowId,
            body: Annotated[ReversalDecisionIn | None, Body()] = None) -> ReversalRecorded:
    """An admin decides a request waiting for approval: ``{"decision": "approve"}`` (the
    default; the enrollment changes now) or ``"reject"``, with an optional ``note``. 403
    ``four_eyes`` for the account that asked; 409 ``already_decided``. Audited."""
    return payments.decide_reversal(db, actor, reversal_id, body or ReversalDecisionIn())
