"""Clerk console, part 1: login, dashboard, finding a person, a person's records."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from yibao.web.clerk_api import ROLE_COOKIE, TOKEN_COOKIE, ApiError, LoginRequired, api
from yibao.web.csrf import csrf_protect
from yibao.web.dashboard import build_dashboard
from yibao.web.forms import default_coverage_year
from yibao.web.refdata import region_name
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

ID_LIKE = re.compile(r"^[0-9]{17}[0-9Xx]$")


def staff(request: Request) -> dict[str, Any]:
    """Context every console page gets: who is logged in."""
    return {"role": request.cookies.get(ROLE_COOKIE, ""), "region_name": region_name}


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
        body = await api(request, "POST", "/api/v1/auth/token", auth=False,
                         data={"username": username, "password": password})
    except ApiError as exc:
        ctx = {"errors": exc.field_errors({"username", "password"}), "username": username,
               "next": next}
        return render(request, "clerk/login.html", ctx, status_code=exc.status)
    target = next if next.startswith("/clerk") and "//" not in next and "\\" not in next \
        else "/clerk"
    response = RedirectResponse(target, status_code=303)
    max_age = int(body.get("expires_in", 3600))
    secure = request.url.scheme == "https"
    response.set_cookie(TOKEN_COOKIE, str(body["access_token"]), max_age=max_age,
                        httponly=True, samesite="strict", path="/", secure=secure)
    response.set_cookie(ROLE_COOKIE, str(body.get("role", "")), max_age=max_age,
                        httponly=True, samesite="strict", path="/", secure=secure)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Revoke the clerk's token on the server, then forget the cookies."""
    with contextlib.suppress(LoginRequired, ApiError):
        await api(request, "POST", "/api/v1/auth/logout")
    response = RedirectResponse("/clerk/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    response.delete_cookie(ROLE_COOKIE, path="/")
    return response


@router.get("")
async def dashboard(request: Request, year: int | None = None) -> Response:
    board = await build_dashboard(request, year or default_coverage_year(date.today()))
    if year is None and not board.rows and board.years:  # open on the latest year with data
        board = await build_dashboard(request, max(board.years))
    return render(request, "clerk/dashboard.html", {"board": board, **staff(request)})


@router.get("/persons")
async def find(request: Request, q: str = "", page: int = 1) -> Response:
    q = q.strip()
    ctx: dict[str, Any] = {"q": q, "result": None, "errors": {}, **staff(request)}
    if ID_LIKE.match(q):
        try:
            await api(request, "GET", f"/api/v1/persons/{q.upper()}")
        except ApiError as exc:
            ctx["errors"] = {"q": (exc.message, exc.message_en)}
            return render(request, "clerk/find.html", ctx, status_code=exc.status)
        return RedirectResponse(f"/clerk/persons/{q.upper()}", status_code=303)
    if q:
        try:
            ctx["result"] = await api(request, "GET", "/api/v1/persons",
                                      params={"name": q, "page": page, "per_page": 50})
        except ApiError as exc:
            ctx["errors"] = exc.field_errors({"q"}) | {"q": (exc.message, exc.message_en)}
    return render(request, "clerk/find.html", ctx)


async def _optional(request: Request, path: str, params: dict[str, Any] | None = None) -> Any:
    """The body, or the error when the role may not see it (auditors see masked data)."""
    try:
        return await api(request, "GET", path, params=params)
    except ApiError as exc:
        return exc


def _items(listed: Any) -> Any:
    """A person's list as the page's ``{"items": [...]}``; an error stays as it is."""
    return {"items": listed} if isinstance(listed, list) else listed


async def _audit_trail(request: Request, found: dict[str, Any], id_number: str) -> Any:
    """Audit entries on the person, their enrollments and payments, newest first."""
    targets = [("person", found.get("id"))]
    for kind, path in (("enrollment", "enrollments"), ("payment", "payments")):
        listed = await _optional(request, f"/api/v1/persons/{id_number}/{path}")
        if isinstance(listed, list):
            targets += [(kind, item.get("id")) for item in listed]
    entries: list[dict[str, Any]] = []
    for entity, ident in targets:
        got = await _optional(request, "/api/v1/audit",
                              {"entity": entity, "entity_id": str(ident), "per_page": 100})
        if isinstance(got, ApiError):
            return got
        entries.extend(got.get("items", []))
    return sorted(entries, key=lambda e: str(e.get("at", "")), reverse=True)


@router.get("/persons/{id_number}")
async def person(request: Request, id_number: str, done: str = "") -> Response:
    try:
        found = await api(request, "GET", f"/api/v1/persons/{id_number}")
    except ApiError as exc:
        ctx = {"q": id_number, "result": None, **staff(request),
               "errors": {"q": (exc.message, exc.message_en)}}
        return render(request, "clerk/find.html", ctx, status_code=exc.status)
    ctx = {
        "person": found,
        "enrollments": _items(await _optional(request, f"/api/v1/persons/{id_number}/enrollments")),
        "payments": _items(await _optional(request, f"/api/v1/persons/{id_number}/payments")),
        "history": await _optional(request, f"/api/v1/persons/{id_number}/history"),
        "audit": await _audit_trail(request, found, id_number),
        "done": done,
        **staff(request),
    }
    return render(request, "clerk/person.html", ctx)
