"""Site-wide pages: errors in words for browsers (404 and friends). The API reference
(``/docs``, ``/redoc``) is served offline by ``yibao.api.docs``.

    install_site(app)   # after the API's error handlers: /api/* keeps its JSON errors

An error under ``/api/`` (or asked for as JSON) stays the contract's JSON; any other
path answers with a page that says what happened and where to go.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from yibao.http.errors import allowed_methods
from yibao.web.templating import render

__all__ = ["install_site"]

Handler = Callable[[Request, Any], Awaitable[Response] | Response]

_PAGES: dict[int, tuple[str, str, str, str]] = {
    404: ("找不到这个页面", "Page not found",
          "地址可能输错了，或者页面已经移动。", "The address may be mistyped, or the page has moved."),
    405: ("不能这样打开这个页面", "This page cannot be opened this way",
          "请从页面上的按钮或链接进入。", "Use the buttons and links on the pages."),
    413: ("提交的内容太多", "Too much was sent",
          "请减少内容后重试。", "Send less and try again."),
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json" or \
        "application/json" in request.headers.get("accept", "").split(",")[0]


def install_site(app: FastAPI) -> None:
    """Browser-friendly error pages (``/api`` keeps its JSON errors)."""
    api_handler: Handler | None = app.exception_handlers.get(StarletteHTTPException)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if (_wants_json(request) or exc.status_code not in _PAGES) and api_handler is not None:
            result = api_handler(request, exc)
            return await result if not isinstance(result, Response) else result
        title, title_en, text, text_en = _PAGES.get(exc.status_code, _PAGES[404])
        ctx = {"title": (title, title_en), "text": (text, text_en), "status": exc.status_code}
        response = render(request, "error.html", ctx, status_code=exc.status_code)
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    app.add_exception_handler(StarletteHTTPException, http_error)
