"""``/api/v1/payments``: record exactly once; refunds and reversals; settle; read; list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from yibao.api.deps import AdminOnly, AnyStaff, Clerk, Db, Page, QueryYear, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.services import payments
from yibao.services.inputs import PaymentIn, ReversalIn
from yibao.services.shapes import (
    BulkResult,
    Payment,
    PaymentPage,
    PaymentRecorded,
    ReversalRecorded,
    SettleResult,
)

router = APIRouter(prefix="/api/v1/payments", tags=["payments"],
                   route_class=StrictJSONRoute)


_REPLAYED = {"model": PaymentRecorded, "description": "The same body replayed: the first "
                                                    "answer"}


@router.post("", status_code=201, responses={
    200: _REPLAYED, **errors(401, 403, 404, 409, 413, 422)})
async def record(request: Request, response: Response, actor: Clerk,
                 body: PaymentIn) -> PaymentRecorded:
    """Record a payment: 201 first time, 200 with the same result on replay, 409 on conflict.

    The registry's history decides lapse and waiting; a second payment for a year already
    paid settles as ``over`` and leaves the year's cover as it was; a year whose figures
    are unpublished settles as ``unquoted`` with a pending enrollment (no cover yet).
    Payments arriving together are written in one transaction (each keeps its own answer).
    """
    recorded, created = await payments.record_one(request.app.state.payment_batcher, actor,
                                                  body)
    if not created:
        response.status_code = 200
    return recorded


class BulkIn(BaseModel):
    """Up to 1,000 payments, each as ``POST /api/v1/payments`` takes it (checked one by one)."""

    model_config = ConfigDict(extra="forbid")
    payments: list[Any] = Field(min_length=1, max_length=payments.MAX_BULK)


@router.post("/bulk", responses=errors(401, 403, 413, 422))
def record_bulk(db: Db, actor: Clerk, body: BulkIn) -> BulkResult:
    """Record many payments in one transaction: per-item results in input order.

    Each item is created, replayed, a conflict or an error exactly as ``POST /payments``
    would decide it; a bad item writes nothing, the valid ones are recorded.
    """
    return payments.record_payments(db, actor, body.payments)


@router.post("/settle", responses=errors(401, 403))
def settle(db: Db, actor: AdminOnly) -> SettleResult:
    """Settle the payments recorded as ``unquoted`` whose figures are now published."""
    return payments.settle_pending(db, actor)


_REPEATED = {"model": ReversalRecorded, "description": "The same reference repeated: the "
                                                      "first answer"}
_WAITING = {"model": ReversalRecorded, "description": "A clerk's request that would cancel or "
            "shorten cover (or a clerk's refund): stored with status pending_approval, the "
            "enrollment unchanged until an admin approves (POST /api/v1/reversals/{id}/approval)"}


@router.post("/{payment_id:int}/reversals", status_code=201, responses={
    200: _REPEATED, 202: _WAITING, **errors(401, 403, 404, 409, 413, 422)})
def reverse(db: Db, actor: Clerk, payment_id: RowId, body: ReversalIn,
            response: Response) -> ReversalRecorded:
    """Record a channel reversal or a refund of a payment (clerk, admin).

    201 applied; 202 ``pending_approval`` when a clerk asks for a refund or for a
    reversal that would cancel or shorten the enrollment's cover (nothing changes until
    another account, an admin, approves); 200 with the first answer when the same
    ``reference`` is repeated (202 again while it still waits).
    """
    result, shown = payments.reverse_payment(db, actor, payment_id, body)
    response.status_code = {"created": 201, "repeated": 200, "pending": 202}[shown]
    return result


@router.get("", responses=errors(401, 422))
def list_payments(
    db: Db,
    actor: AnyStaff,
    page: Page,
    coverage_year: QueryYear = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    settlement: Annotated[str | None, Query(max_length=16)] = None,
) -> PaymentPage:
    """A page of payments (newest first)."""
    return payments.list_payments(
        db,
        actor,
        page=page.page,
        per_page=page.per_page,
        coverage_year=coverage_year,
        channel=channel,
        settlement=settlement,
    )


@router.get("/{payment_id:int}", responses=errors(401, 404, 422))
def get(db: Db, actor: AnyStaff, payment_id: RowId) -> Payment:
    """One payment."""
    return payments.get_payment(db, actor, payment_id)
