"""``/api/v1/persons/{id_number}/status-changes``: a person's status changes (contract §2.2):
record, list, withdraw one recorded by mistake."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from yibao.api.deps import AnyStaff, Clerk, Db, RowId
from yibao.api.schemas import errors
from yibao.services.inputs import StatusChangeIn, StatusWithdrawIn
from yibao.services.registry import status_changes
from yibao.services.shapes import StatusChange, StatusChangeRecorded

router = APIRouter(prefix="/api/v1/persons", tags=["persons"])
IdPath = Annotated[str, Path(max_length=32)]


@router.post("/{id_number}/status-changes", status_code=201,
             responses=errors(401, 403, 404, 409, 413, 422))
def record(db: Db, actor: Clerk, id_number: IdPath, body: StatusChangeIn
           ) -> StatusChangeRecorded:
    """Record a status change (released from prison, discharged veteran, severe disability
    certified) from the day it began, with the document it rests on.

    The person's quotes and payments then carry it where it applies (docs/rules.md C37);
    ``review`` lists enrollments already fixed that it would change (an admin recomputes
    them on purpose). 409 when the same kind from the same day is already recorded.
    """
    return status_changes.record_status_change(db, actor, id_number, body)


@router.get("/{id_number}/status-changes", responses=errors(401, 404, 422))
def list_all(db: Db, actor: AnyStaff, id_number: IdPath, response: Response
             ) -> list[StatusChange]:
    """The person's status changes in the order they began, withdrawn ones included (a JSON
    list; count in X-Total-Count)."""
    items = status_changes.list_status_changes(db, actor, id_number)
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.post("/{id_number}/status-changes/{change_id}/withdraw",
             responses=errors(401, 403, 404, 409, 413, 422))
def withdraw(db: Db, actor: Clerk, id_number: IdPath, change_id: RowId,
             body: StatusWithdrawIn) -> StatusChange:
    """Withdraw a status change recorded by mistake, with the reason (kept, never deleted;
    quotes stop reading it). 409 if it is already withdrawn."""
    return status_changes.withdraw_status_change(db, actor, id_number, change_id, body)
