"""Clerk console, issue 18's registry pieces: a person's status changes (record, withdraw)
and continuous years as blocks of the person page, and the newborns whose hukou
conversion is due (``/clerk/preregistrations/conversions``).

    ctx.update(await registry_panel(who, person_id))     # the person page's blocks

Each form goes to its use case in process; a refusal comes back beside its field on the
person page (through the person page's own ``_change``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yibao.errors import YibaoError
from yibao.http.auth import CLERK
from yibao.rules.messages import STATUS_NAMES
from yibao.services.inputs import StatusChangeIn, StatusWithdrawIn
from yibao.services.registry import continuity, preregistrations, status_changes
from yibao.services.registry.eligibility import NOTES
from yibao.web.clerk_forms import labels_for, text_of
from yibao.web.console import Staff, StaffLogin, checked, row_id
from yibao.web.continuity_view import continuity_view
from yibao.web.csrf import csrf_protect
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["registry_panel", "router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

STATUS_FIELDS = labels_for("kind", "date", "source")
WITHDRAW_FIELDS = labels_for("reason", "status_change_id")


def _codes(text: str) -> list[str]:
    return [c for c in text.split(",") if c][:10]


async def registry_panel(request: Request, who: Staff, person_id: int) -> dict[str, Any]:
    """The person page's status changes and continuous years (two reads, no ID number), and
    what the address carries after a change: the years to review after a status change was
    recorded, the notes of a registration just made (as words, from their codes)."""
    pid = row_id(person_id, "person_id")
    changes = await who.call(status_changes.list_status_changes, None, person_id=pid)
    counted = await who.call(continuity.person_continuity, pid)
    view = continuity_view(counted)
    query = request.query_params
    return {"status_changes": changes, "status_kinds": list(STATUS_NAMES.items()),
            "continuity": view,
            "review_years": [y for y in _codes(query.get("review", "")) if y.isdigit()],
            "registration_notes": [NOTES[c] for c in _codes(query.get("notes", ""))
                                   if c in NOTES]}


@router.post("/persons/{person_id:int}/status-changes")
async def record(request: Request, who: StaffLogin, person_id: int) -> Response:
    from yibao.web.routes_clerk_person import _change

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
    from yibao.web.routes_clerk_person import _change

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
