"""``GET /api/v1/reconciliations``: the stored runs of ``yibao reconcile`` and their
difference lines (any staff role; ID numbers always masked)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Db, Page, RowId
from yibao.api.schemas import errors
from yibao.http.strict_json import StrictJSONRoute
from yibao.operations.reconcile import get_run, list_runs
from yibao.operations.reconcile.store import ReconcileRunDetail, ReconcileRunPage

router = APIRouter(prefix="/api/v1/reconciliations", tags=["reconciliations"],
                   route_class=StrictJSONRoute)

Category = Literal["missing_from_ledger", "missing_from_statement", "amount_difference",
                   "detail_difference", "duplicate_txn", "duplicate_person_year", "not_collected"]


@router.get("", responses=errors(401, 422))
def runs(db: Db, actor: AnyStaff, page: Page,
         channel: Annotated[str | None, Query(max_length=32)] = None) -> ReconcileRunPage:
    """Reconciliation runs, newest first."""
    return list_runs(db, channel=channel, page=page.page, per_page=page.per_page)


@router.get("/{run_id}", responses=errors(401, 404, 422))
def run(db: Db, actor: AnyStaff, run_id: RowId, page: Page,
        category: Category | None = None) -> ReconcileRunDetail:
    """One run with a page of its difference lines in statement order."""
    return get_run(db, run_id, category=category, page=page.page, per_page=page.per_page,
                   actor=actor)
