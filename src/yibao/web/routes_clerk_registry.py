"""Clerk console, issue 18's registry pieces: a person's status changes (record, withdraw)
and continuous years as blocks of the person page, and the newborns whose hukou
conversion is due (``/clerk/preregistrations/conversions``). The person page reads its
blocks through ``web.registry_panel``.

Each form goes to its use case in process; a refusal comes back beside its field on the
person page (through the person page's own ``_change``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yibao.errors import YibaoError
from yibao.http.auth import CLERK
from yibao.services.inputs import StatusChangeIn, StatusWithdrawIn
from yibao.services.registry import preregistrations, status_changes
from yibao.web.clerk_forms import labels_for, text_of
from yibao.web.console import StaffLogin, checked, row_id
from yibao.web.csrf import csrf_protect
from yibao.web.routes_clerk import staff
from yibao.web.routes_clerk_person import _change
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

STATUS_FIELDS = labels_for("kind", "date", "source")
WITHDRAW_FIELDS = labels_for("reason", "status_change_id")




@router.post("/persons/{person_id:int}/status-changes")
async def record(request: Request, who: StaffLogin, person_id: int) -> Response:

    form = text_of(await request.form())
    body = {k: form.get(k, "") for k in ("kind", "date", "source")}
    review: list[int] = []

    async def change() -> Any:
        who.require(CLERK)
        made = await who.call(status_changes.record_status_change, None,
                              checked(StatusChangeIn, body),
                              person_id=row_id(person_id, "person_id"))
        review.extend(r.coverage_year for r in made.review)
        return made

    page = await _change(request, who, person_id, change, STATUS_FIELDS, "status-recorded",
                         {**form, "status_form": "1"})
    if review and page.status_code == 303:  # years whose fixed cover the change would move
        page.headers["location"] += "&review=" + ",".join(str(y) for y in review)
    return page


@router.post("/persons/{person_id:int}/status-changes/{change_id:int}/withdraw")
async def withdraw(request: Request, who: StaffLogin, person_id: int,
                   change_id: int) -> Response:

    form = text_of(await request.form())

    async def change() -> Any:
        who.require(CLERK)
        reason = checked(StatusWithdrawIn, {"reason": form.get("reason", "")})
        return await who.call(status_changes.withdraw_status_change, None,
                              row_id(change_id, "status_change_id"), reason,
                              person_id=row_id(person_id, "person_id"))

    return await _change(request, who, person_id, change, WITHDRAW_FIELDS, "status-withdrawn",
                         {**form, "withdraw_form": str(change_id)})


@router.get("/preregistrations/conversions")
async def conversions(request: Request, who: StaffLogin, page: int = 1) -> Response:
    ctx: dict[str, Any] = {"due": None, "refused": None, **staff(who)}
    try:
        ctx["due"] = await who.call(preregistrations.conversions_due,
                                    page=max(1, min(page, 10_000)), per_page=100)
    except YibaoError as exc:
        ctx["refused"] = (exc.message, exc.message_en)
    return render(request, "clerk/conversions.html", ctx)
