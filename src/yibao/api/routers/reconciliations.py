"""``GET /api/v1/reconciliations``: the stored runs of ``yibao reconcile`` and their
difference lines (any staff role; ID numbers always masked)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from yibao.api.deps import AnyStaff, Db, Page, RowId
from yibao.api.schemas.common import Out, errors
from yibao.api.schemas.common import Page as PageOut
from yibao.operations.reconcile import get_run, list_runs

router = APIRouter(prefix="/api/v1/reconciliations", tags=["reconciliations"])

Category = Literal["missing_from_ledger", "missing_from_statement", "amount_difference",
                   "detail_difference", "duplicate_txn", "duplicate_person_year", "not_collected"]


class Run(Out):
    """One reconciliation run: channel, file, who and when, counts (amounts in fen)."""

    id: int
    channel: str
    file_name: str
    file_digest: str
    year_from: int | None
    year_to: int | None
    import_missing: bool
    counts: dict[str, int]
    run_by: str
    created_at: str
    statement_amount: str
    ledger_amount: str


class RunPage(PageOut):
    items: list[Run]


class Line(Out):
    """A difference line; amounts in yuan, the ID number masked."""

    category: str
    line: int | None
    channel_txn_id: str
    id_number: str | None
    id_number_masked: bool
    person_id: int | None
    coverage_year: int | None
    statement_amount: str | None
    ledger_amount: str | None
    difference: str | None
    payment_id: int | None
    outcome: str | None


class LinePage(PageOut):
    items: list[Line]


class RunDetail(Run):
    lines: LinePage


@router.get("", response_model=RunPage, responses=errors(401, 422))
def runs(db: Db, actor: AnyStaff, page: Page,
         channel: Annotated[str | None, Query(max_length=32)] = None) -> dict[str, Any]:
    """Reconciliation runs, newest first."""
    return list_runs(db, channel=channel, page=page.page, per_page=page.per_page)


@router.get("/{run_id}", response_model=RunDetail, responses=errors(401, 404, 422))
def run(db: Db, actor: AnyStaff, run_id: RowId, page: Page,
        category: Category | None = None) -> dict[str, Any]:
    """One run with a page of its difference lines in statement order."""
    return get_run(db, run_id, category=category, page=page.page, per_page=page.per_page)
