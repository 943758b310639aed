"""Clerk console: the staff member's own password, and the approvals an admin gives to
reversals and refunds that would cancel or shorten cover (four eyes, contract §6).

    GET/POST /clerk/password            change one's password (every other session ends)
    GET /clerk/approvals                requests waiting for approval, with their evidence
    POST /clerk/approvals/{id}          approve or reject one (an admin, not the asker)

The pages call the same code as the API (``POST /api/v1/auth/password``,
``GET /api/v1/reversals``, ``POST /api/v1/reversals/{id}/approval``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import ADMIN, PasswordChange, change_password
from yibao.services import payments
from yibao.services.errors import Forbidden, Unauthorized
from yibao.services.inputs import ReversalDecisionIn
from yibao.web.clerk_forms import labels_for, text_of
from yibao.web.console import (
    TOKEN_COOKIE,
    Staff,
    StaffLogin,
    checked,
    field_errors,
    row_id,
    status_of,
)
from yibao.web.csrf import csrf_protect
from yibao.web.routes_clerk import staff
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])

PASSWORD_FIELDS = labels_for("current_password", "new_password")


@router.get("/password")
async def password_page(request: Request, who: StaffLogin, done: str = "") -> Response:
    return render(request, "clerk/password.html", {"errors": {}, "done": done == "1",
                                                   **staff(who)})


@router.post("/password")
async def password_change(request: Request, who: StaffLogin) -> Response:
    """Change the password; the browser gets a fresh session, every other one ends."""
    form = text_of(await request.form())
    errors: dict[str, tuple[str, str]] = {}
    if form.get("new_password", "") != form.get("repeat_password", ""):
        errors["repeat_password"] = ("两次输入的新密码不一致", "The two new passwords differ")
        return render(request, "clerk/password.html", {"errors": errors, "done": False,
                                                       **staff(who)}, status_code=422)
    try:
        change = checked(PasswordChange, {"current_password": form.get("current_password", ""),
                                          "new_password": form.get("new_password", "")})
        try:
            issued = await change_password(request, who.actor, change)
        except Unauthorized as exc:
            raise Forbidden("wrong_password", "当前密码不正确", "the current password is wrong",
                            field="current_password") from exc
    except YibaoError as exc:
        ctx = {"errors": field_errors(exc, PASSWORD_FIELDS), "done": False, **staff(who)}
        return render(request, "clerk/password.html", ctx, status_code=status_of(exc))
    response = RedirectResponse("/clerk/password?done=1", status_code=303)
    response.set_cookie(TOKEN_COOKIE, issued.token, max_age=issued.expires_in, httponly=True,
                        samesite="strict", path="/", secure=request.url.scheme == "https")
    return response


async def _approvals(request: Request, who: Staff, errors: Any = None, done: str = "",
                     status: int = 200) -> Response:
    ctx: dict[str, Any] = {"items": None, "refused": None, "errors": errors or {},
                           "done": done, **staff(who)}
    try:
        ctx["items"] = await who.call(payments.list_reversals, page=1, per_page=100,
                                      status="pending_approval", roles=ADMIN)
    except YibaoError as exc:
        ctx["refused"] = (exc.message, exc.message_en)
        status = status_of(exc)
    return render(request, "clerk/approvals.html", ctx, status_code=status)


@router.get("/approvals")
async def approvals(request: Request, who: StaffLogin, done: str = "") -> Response:
    """Reversals and refunds waiting for an admin, with the evidence: the channel's
    reference, the reason, who asked, the payment and what the cover would become."""
    return await _approvals(request, who, done=done)


@router.post("/approvals/{reversal_id}")
async def approval_decide(request: Request, who: StaffLogin, reversal_id: int) -> Response:
    form = text_of(await request.form())
    try:
        who.require(ADMIN)
        body = checked(ReversalDecisionIn, {"decision": form.get("decision", ""),
                                            "note": form.get("note") or None})
        await who.call(payments.decide_reversal, row_id(reversal_id, "reversal_id"), body,
                       roles=ADMIN)
    except YibaoError as exc:
        words = field_errors(exc, labels_for("decision", "note"))
        return await _approvals(request, who, {f"decide-{reversal_id}": next(iter(words.values()))},
                                status=status_of(exc))
    return RedirectResponse(f"/clerk/approvals?done={form.get('decision', '')}", status_code=303)
