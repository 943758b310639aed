"""Clerk console: reconciliation runs of ``yibao reconcile`` (list, and one run with its
difference lines by category). Every staff role reads them; ID numbers are masked.
Statements are reconciled with the CLI (docs/reconciliation.md), not uploaded here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yibao.errors import YibaoError
from yibao.operations.reconcile import get_run, list_runs
from yibao.operations.reconcile.matching import CATEGORIES
from yibao.operations.reconcile.words import COUNT_WORDS
from yibao.web.console import StaffLogin, row_id, status_of
from yibao.web.csrf import csrf_protect
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/reconciliations")
async def runs(request: Request, who: StaffLogin, page: int = 1) -> Response:
    ctx: dict[str, Any] = {"runs": None, "count_keys": list(COUNT_WORDS), **staff(who)}
    try:
        ctx["runs"] = await who.read(list_runs, channel=None, page=max(1, min(page, 100_000)), per_page=50)
    except YibaoError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliations.html", ctx, status_code=status_of(exc))
    return render(request, "clerk/reconciliations.html", ctx)


@router.get("/reconciliations/{run_id:int}")
async def run(request: Request, who: StaffLogin, run_id: int, category: str = "",
              page: int = 1) -> Response:
    chosen = category if category in CATEGORIES else ""
    ctx: dict[str, Any] = {"run": None, "category": chosen, "categories": CATEGORIES,
                           "count_keys": list(COUNT_WORDS), **staff(who)}
    try:
        ctx["run"] = await who.read(get_run, row_id(run_id, "run_id"),
                                    category=chosen or None, page=max(1, min(page, 100_000)),
                                    per_page=100, actor=who.actor)
    except YibaoError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliation.html", ctx, status_code=status_of(exc))
    return render(request, "clerk/reconciliation.html", ctx)
