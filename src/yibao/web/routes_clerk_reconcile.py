"""Clerk console: reconciliation runs of ``yibao reconcile`` (list, and one run with its
difference lines by category). Every staff role reads them; ID numbers are masked.
Statements are reconciled with the CLI (docs/reconciliation.md), not uploaded here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yibao.operations.reconcile.matching import CATEGORIES
from yibao.operations.reconcile.words import COUNT_WORDS
from yibao.web.clerk_api import ApiError, StaffLogin, api
from yibao.web.csrf import csrf_protect
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/reconciliations")
async def runs(request: Request, who: StaffLogin, page: int = 1) -> Response:
    ctx: dict[str, Any] = {"runs": None, "count_keys": list(COUNT_WORDS), **staff(who)}
    try:
        ctx["runs"] = await api(request, "GET", "/api/v1/reconciliations",
                                params={"page": max(1, page), "per_page": 50})
    except ApiError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliations.html", ctx, status_code=exc.status)
    return render(request, "clerk/reconciliations.html", ctx)


@router.get("/reconciliations/{run_id:int}")
async def run(request: Request, who: StaffLogin, run_id: int, category: str = "",
              page: int = 1) -> Response:
    chosen = category if category in CATEGORIES else ""
    ctx: dict[str, Any] = {"run": None, "category": chosen, "categories": CATEGORIES,
                           "count_keys": list(COUNT_WORDS), **staff(who)}
    try:
        ctx["run"] = await api(request, "GET", f"/api/v1/reconciliations/{run_id}",
                               params={"category": chosen, "page": max(1, page),
                                       "per_page": 100})
    except ApiError as exc:
        ctx["failed"] = (exc.message, exc.message_en)
        return render(request, "clerk/reconciliation.html", ctx, status_code=exc.status)
    return render(request, "clerk/reconciliation.html", ctx)
