"""The clerk console talks to the service's JSON API in-process (ASGI, no network),
with the clerk's bearer token kept in an HttpOnly cookie.

    data = await api(request, "GET", "/api/v1/persons", params={"name": "张"})

A missing or expired token raises :class:`LoginRequired` (answered by a redirect to
the login page); any other API error raises :class:`ApiError` with the contract's
error fields, so the page can show the message next to the field it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request
from starlette.responses import RedirectResponse, Response

from yibao.web.forms import FieldErrors
from yibao.web.plain import error_words

__all__ = [
    "TOKEN_COOKIE",
    "ApiError",
    "LoginRequired",
    "Staff",
    "StaffLogin",
    "api",
    "current_staff",
    "install_login_redirect",
]

TOKEN_COOKIE = "yibao_staff"
ROLE_COOKIE = "yibao_role"


class LoginRequired(Exception):
    """No valid staff token: send the browser to ``/clerk/login``."""


class ApiError(Exception):
    """An error answer of the API, in the contract's shape."""

    def __init__(self, status: int, body: Any) -> None:
        err = body.get("error", {}) if isinstance(body, dict) else {}
        self.status = status
        self.code = str(err.get("code", "http_error"))
        self.message = str(err.get("message", "请求失败"))
        self.message_en = str(err.get("message_en", f"request failed ({status})"))
        self.field = err.get("field")
        super().__init__(f"{status} {self.code}: {self.message_en}")

    def field_errors(self, labels: Mapping[str, tuple[str, str]] | set[str] | None = None
                     ) -> FieldErrors:
        """``{field: (zh, en)}`` in words naming the form's label; a field the form does not
        have goes to ``_form``. ``labels`` maps the API's field names to the form's labels."""
        known = labels if isinstance(labels, Mapping) else {k: (k, k) for k in labels or ()}
        text = error_words(self.code, str(self.field or ""), self.message, self.message_en,
                           known)
        return {text.field: (text.zh, text.en)}


async def api(
    request: Request,
    method: str,
    path: str,
    *,
    json: Any = None,
    data: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    auth: bool = True,
) -> Any:
    """Call the service's API inside this process and return its JSON body."""
    headers: dict[str, str] = {}
    if auth:
        token = request.cookies.get(TOKEN_COOKIE)
        if not token:
            raise LoginRequired
        headers["Authorization"] = f"Bearer {token}"
    # The API sees the browser's address (login throttling counts per client address).
    peer = (request.client.host, request.client.port) if request.client else ("127.0.0.1", 0)
    transport = httpx.ASGITransport(app=request.app, client=peer)
    async with httpx.AsyncClient(transport=transport, base_url="http://yibao.internal") as client:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        resp = await client.request(
            method, path, json=json, data=data, params=clean, headers=headers
        )
    body = resp.json() if resp.content else None
    if resp.status_code == 401 and auth:
        raise LoginRequired
    if resp.status_code >= 400:
        raise ApiError(resp.status_code, body)
    return body


@dataclass(frozen=True)
class Staff:
    """Who is logged in to the console (from the token, asked of the API)."""

    username: str
    role: str

    @property
    def writes(self) -> bool:
        """Clerks and admins register, record and change; auditors only read."""
        return self.role in ("clerk", "admin")

    @property
    def audits(self) -> bool:
        return self.role in ("auditor", "admin")


async def current_staff(request: Request) -> Staff:
    """The logged-in staff member; :class:`LoginRequired` when there is none.

    Every console page asks this first, so that no form is shown to a visitor who is
    not logged in (what they typed would be lost on submit).
    """
    body = await api(request, "GET", "/api/v1/auth/me")
    return Staff(str(body["username"]), str(body["role"]))


StaffLogin = Annotated[Staff, Depends(current_staff)]


async def _to_login(request: Request, _exc: Exception) -> Response:
    target = "/clerk/login"
    if request.method == "GET" and request.url.path != target:
        target += f"?next={request.url.path}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


def install_login_redirect(app: FastAPI) -> None:
    """Answer :class:`LoginRequired` with a redirect to the login page."""
    app.add_exception_handler(LoginRequired, _to_login)
