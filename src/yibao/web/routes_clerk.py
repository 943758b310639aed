"""Clerk console, part 1: login, dashboard, finding a person, the audit log.

Every page but the login asks who is logged in first (``StaffLogin``): a visitor who is
not is sent to the login page before any form is shown. Addresses carry row ids, never
ID numbers; searches are posted, so ID numbers stay out of addresses and server logs.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, StringConstraints
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import AUDIT, Credentials, log_in, log_out
from yibao.services.common import today_beijing
from yibao.services.registry.records import search_persons
from yibao.services.staff.audit_log import list_audit
from yibao.web.clerk_forms import labels_for
from yibao.web.console import (
    ROLE_COOKIE,
    TOKEN_COOKIE,
    LoginRequired,
    Staff,
    StaffLogin,
    checked,
    current_staff,
    field_errors,
    status_of,
)
from yibao.web.csrf import csrf_protect
from yibao.web.dashboard import build_dashboard
from yibao.web.forms import coverage_year_of, default_coverage_year
from yibao.web.refdata import region_name
from yibao.web.templating import render

__all__ = ["router", "staff"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


def staff(who: Staff) -> dict[str, Any]:
    """Context every console page gets: who is logged in, and region names."""
    return {"who": who, "role": who.role, "region_name": region_name}


@router.get("/login")
def login_page(request: Request, next: str = "/clerk") -> Response:
    return render(request, "clerk/login.html", {"errors": {}, "username": "", "next": next})


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/clerk",
) -> Response:
    try:
        issued = await log_in(request, checked(Credentials, {"username": username,
                                                             "password": password}))
    except YibaoError as exc:
        ctx = {"errors": field_errors(exc, labels_for("username", "password")),
               "username": username, "next": next}
        return render(request, "clerk/login.html", ctx, status_code=status_of(exc))
    target = next if next.startswith("/clerk") and "//" not in next and "\\" not in next \
        else "/clerk"
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(TOKEN_COOKIE, issued.token, max_age=issued.expires_in,
                        httponly=True, samesite="strict", path="/", secure=secure)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Revoke the clerk's token on the server, then forget the cookies."""
    with contextlib.suppress(LoginRequired, YibaoError):
        who = await current_staff(request)
        await log_out(request, who.actor)
    response = RedirectResponse("/clerk/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    response.delete_cookie(ROLE_COOKIE, path="/")
    return response


@router.get("")
async def dashboard(request: Request, who: StaffLogin, year: str | None = None) -> Response:
    asked = coverage_year_of(year)
    errors: dict[str, tuple[str, str]] = {}
    if year is not None and asked is None:  # checked before any use: a year is 4 digits
        errors["year"] = ("参保年度应为 1900 至 2100 之间的年份,例如 2025",
                          "The coverage year must be a year from 1900 to 2100, e.g. 2025")
    board = await build_dashboard(who, asked or default_coverage_year(today_beijing()))
    if asked is None and not board.rows and board.years:  # open on the latest year with data
        board = await build_dashboard(who, max(board.years))
    return render(request, "clerk/dashboard.html", {"board": board, "errors": errors,
                                                    **staff(who)},
                  status_code=422 if errors else 200)


@router.get("/persons")
async def find_page(request: Request, who: StaffLogin) -> Response:
    return render(request, "clerk/find.html", {"q": "", "result": None, "errors": {},
                                               **staff(who)})


class _Find(BaseModel):
    """The search field, as the API's ``q`` takes it."""

    q: Annotated[str, StringConstraints(max_length=64)]


@router.post("/persons")
async def find(request: Request, who: StaffLogin, q: Annotated[str, Form()] = "",
               page: Annotated[int, Form()] = 1) -> Response:
    """Search by name or by (part of) an ID number; one match opens the person."""
    ctx: dict[str, Any] = {"q": q.strip(), "result": None, "errors": {}, **staff(who)}
    try:
        result = await who.call(search_persons, checked(_Find, {"q": q}).q,
                                page=max(1, min(page, 100_000)), per_page=50)
    except YibaoError as exc:
        ctx["errors"] = field_errors(exc, labels_for("q"))
        return render(request, "clerk/find.html", ctx, status_code=status_of(exc))
    if result.total == 1 and len(q.strip()) == 18:  # a whole ID number: open the person
        return RedirectResponse(f"/clerk/persons/{result.items[0].id}", status_code=303)
    ctx["result"] = result
    return render(request, "clerk/find.html", ctx)


@router.get("/audit")
async def audit_log(request: Request, who: StaffLogin, who_did: str = "", action: str = "",
                    page: int = 1) -> Response:
    """The audit log for auditors and admins: newest first, by person or action."""
    ctx: dict[str, Any] = {"who_did": who_did, "action": action, "entries": None, **staff(who)}
    try:
        ctx["entries"] = await who.call(list_audit, page=max(1, min(page, 100_000)), per_page=50,
                                        who=who_did or None, action=action or None,
                                        roles=AUDIT)
    except YibaoError as exc:
        ctx["denied"] = (exc.message, exc.message_en)
        return render(request, "clerk/audit.html", ctx, status_code=status_of(exc))
    return render(request, "clerk/audit.html", ctx)
