"""The clerk console talks to the service's JSON API in-process (ASGI, no network),
with the clerk's bearer token kept in an HttpOnly cookie.

    data = await api(request, "GET", "/api/v1/persons", params={"name": "张"})

A missing or expired token raises :class:`LoginRequired` (answered by a redirect to
the login page); any other API error raises :class:`ApiError` with the contract's
error fields, so the page can show the message next to the field it names.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from yibao.web.forms import FieldErrors

__all__ = ["TOKEN_COOKIE", "ApiError", "LoginRequired", "api", "install_login_redirect"]

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

    def field_errors(self, known: set[str] | None = None) -> FieldErrors:
        """``{field: (zh, en)}``; a field the form does not have goes to ``_form``."""
        name = str(self.field) if self.field else "_form"
        if known is not None and name not in known:
            name = "_form"
        return {name: (self.message, self.message_en)}


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
