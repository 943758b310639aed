"""Clerk console, part 1: login, dashboard, finding a person, the audit log.

Every page but the login asks who is logged in first (``StaffLogin``): a visitor who is
not is sent to the login page before any form is shown. Addresses carry row ids, never
ID numbers; searches are posted, so ID numbers stay out of addresses and server logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, StringConstraints
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import AUDIT, Credentials, log_in, log_out
from yibao.services.common import today_beijing
from yibao.services.registry.records import search_persons
from yibao.services.staff.audit_log import list_audit, person_row
from yibao.web.audit_words import ACTIONS, subject
from yibao.web.clerk_forms import labels_for, text_of
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
from yibao.web.forms import YEAR_WORDS, FieldErrors, coverage_year_of, default_coverage_year
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
        errors["year"] = YEAR_WORDS
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


_AUDIT_FIELDS = ("who_did", "action", "date_from", "date_to", "whom", "person")


def _audit_query(raw: Mapping[str, str]) -> tuple[dict[str, Any], FieldErrors]:
    """The audit log's filters from the address, each checked; a bad one is a message
    beside its field (never a JSON error or a 500)."""
    from yibao.web.forms import parse_day

    got = {k: str(raw.get(k, "")).strip() for k in (*_AUDIT_FIELDS, "page")}
    errors: FieldErrors = {}
    asked: dict[str, Any] = {"who": got["who_did"] or None, "action": got["action"] or None}
    if len(got["who_did"]) > 64:
        errors["who_did"] = ("用户名最多 64 个字符", "a username has at most 64 characters")
    if got["action"] and got["action"] not in ACTIONS:
        errors["action"] = ("请从列表中选择操作", "choose an action from the list")
    for key, arg in (("date_from", "from_day"), ("date_to", "to_day")):
        if got[key]:
            day = parse_day(got[key])
            if day is None:
                errors[key] = ("日期应写成 2025-01-31 这样的年-月-日",
                               "write the date as year-month-day, e.g. 2025-01-31")
            asked[arg] = day
    if got["person"]:
        if got["person"].isascii() and got["person"].isdigit() and len(got["person"]) < 11:
            asked["person_id"] = int(got["person"])
        else:
            errors["whom"] = ("参保人编号无效", "not a person's number")
    elif got["whom"]:
        if len(got["whom"]) > 64:
            errors["whom"] = ("姓名最多 64 个字符", "a name has at most 64 characters")
        asked["person"] = got["whom"]
    page = got["page"] or "1"
    if not (page.isascii() and page.isdigit() and 1 <= int(page[:7]) <= 100_000):
        errors["page"] = ("页码应为 1 至 100000 之间的整数", "the page is a whole number from 1")
        page = "1"
    asked["page"] = int(page)
    return asked, errors


@router.get("/audit")
async def audit_log(request: Request, who: StaffLogin) -> Response:
    """The audit log for auditors and admins: newest first, paged, by who, what, when
    (Beijing days) and whom; each subject in words."""
    query = dict(request.query_params)
    asked, errors = _audit_query(query)
    filters = {k: query.get(k, "").strip() for k in _AUDIT_FIELDS}
    ctx: dict[str, Any] = {"filters": filters, "errors": errors, "entries": None,
                           "actions": ACTIONS, "subject": subject, **staff(who)}
    if errors:  # the form again, the message beside the field
        return render(request, "clerk/audit.html", ctx, status_code=422)
    page = asked.pop("page")
    try:
        found = await who.call(list_audit, page=page, per_page=50, roles=AUDIT, **asked)
    except YibaoError as exc:
        ctx["denied"] = (exc.message, exc.message_en)
        return render(request, "clerk/audit.html", ctx, status_code=status_of(exc))
    ctx["entries"] = found
    ctx["pages"] = max(1, -(-found.total // found.per_page))
    ctx["link"] = lambda n: "/clerk/audit?" + urlencode(
        {**{k: v for k, v in filters.items() if v}, "page": n})
    return render(request, "clerk/audit.html", ctx)


@router.post("/audit")
async def audit_whom(request: Request, who: StaffLogin) -> Response:
    """The filter form: a whole ID number is looked up here (posted, so it stays out of
    the address) and becomes the person's row number; the rest goes to the address."""
    form = text_of(await request.form())
    query = {k: form.get(k, "") for k in ("who_did", "action", "date_from", "date_to")}
    whom = form.get("whom", "").strip()
    if len(whom) == 18 and whom[:17].isdigit():
        try:
            found = await who.call(person_row, whom, roles=AUDIT)
        except YibaoError as exc:
            ctx: dict[str, Any] = {"filters": {**query, "whom": "", "person": ""},
                                   "actions": ACTIONS,
                                   "errors": {"whom": (exc.message, exc.message_en)},
                                   "entries": None, "subject": subject, **staff(who)}
            return render(request, "clerk/audit.html", ctx, status_code=status_of(exc))
        query["person"] = str(found or 0)
    elif whom:
        query["whom"] = whom
    target = urlencode({k: v for k, v in query.items() if v})
    return RedirectResponse("/clerk/audit" + (f"?{target}" if target else ""), status_code=303)
