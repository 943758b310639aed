"""Clerk console: one person's page by row id — facts, special groups (add, end),
household, coverage history (add years), enrollments, payments, and for auditors and
admins the audit trail. One read of the record, one audit row.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao.policy import reference_data as reference
from yibao.web.clerk_api import ApiError, StaffLogin, api
from yibao.web.clerk_forms import labels_for, text_of
from yibao.web.csrf import csrf_protect
from yibao.web.enrollment_words import enrollment_lines
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

GROUP_FIELDS = labels_for("group", "valid_from", "valid_to", "source")
HISTORY_FIELDS = labels_for("covered_years", "source")


async def _page(request: Request, who: Any, person_id: int, *, done: str = "",
                errors: Any = None, form: dict[str, str] | None = None,
                status: int = 200) -> Response:
    try:
        record = await api(request, "GET", f"/api/v1/person-records/{person_id}")
    except ApiError as exc:
        ctx = {"q": "", "result": None, "errors": {"q": (exc.message, exc.message_en)},
               **staff(who)}
        return render(request, "clerk/find.html", ctx, status_code=exc.status)
    ctx = {
        "record": record, "person": record["person"], "history": record["history"],
        "enrollments": [enrollment_lines(e) for e in record["enrollments"]],
        "payments": record["payments"], "members": record["household_members"],
        "audit": record["audit"], "done": done, "errors": errors or {}, "form": form or {},
        "groups": reference.special_groups(), **staff(who),
    }
    return render(request, "clerk/person.html", ctx, status_code=status)


@router.get("/persons/{person_id:int}")
async def person(request: Request, who: StaffLogin, person_id: int, done: str = "") -> Response:
    return await _page(request, who, person_id, done=done)


async def _post(request: Request, who: Any, person_id: int, path: str, body: dict[str, Any],
                labels: dict[str, tuple[str, str]], done: str, form: dict[str, str]) -> Response:
    try:
        await api(request, "POST" if not path.endswith("/end") else "PATCH",
                  path.removesuffix("/end"), json=body)
    except ApiError as exc:
        return await _page(request, who, person_id, errors=exc.field_errors(labels), form=form,
                           status=exc.status)
    return RedirectResponse(f"/clerk/persons/{person_id}?done={done}", status_code=303)


@router.post("/persons/{person_id:int}/special-groups")
async def add_group(request: Request, who: StaffLogin, person_id: int) -> Response:
    form = text_of(await request.form())
    body: dict[str, Any] = {k: form.get(k, "") for k in ("group", "valid_from", "source")}
    if form.get("valid_to"):
        body["valid_to"] = form["valid_to"]
    return await _post(request, who, person_id, f"/api/v1/person-records/{person_id}/special-groups",
                       body, GROUP_FIELDS, "group-added", form)


@router.post("/persons/{person_id:int}/special-groups/{membership_id:int}")
async def end_group(request: Request, who: StaffLogin, person_id: int,
                    membership_id: int) -> Response:
    form = text_of(await request.form())
    path = f"/api/v1/person-records/{person_id}/special-groups/{membership_id}/end"
    errors = labels_for("valid_to")
    return await _post(request, who, person_id, path, {"valid_to": form.get("valid_to", "")},
                       errors, "group-ended", form)


@router.post("/persons/{person_id:int}/history")
async def add_history(request: Request, who: StaffLogin, person_id: int) -> Response:
    from yibao.web.clerk_forms import years_of

    form = text_of(await request.form())
    body = {"covered_years": years_of(form.get("covered_years", "")),
            "source": form.get("source", "")}
    return await _post(request, who, person_id, f"/api/v1/person-records/{person_id}/history",
                       body, HISTORY_FIELDS, "history-added", form)
