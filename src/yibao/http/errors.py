"""Every error as the contract's shape ``{"error": {code, message, message_en, field}}``."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from yibao.errors import InputError, YibaoError
from yibao.services.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from yibao.validation import input_error

__all__ = ["allowed_methods", "error_response", "install_error_handlers", "status_of"]

_STATUS: tuple[tuple[type[YibaoError], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InputError, 422),
    (TooManyRequests, 429),
    (Unavailable, 503),
)
_HTTP: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求无效", "bad request"),
    401: ("unauthorized", "需要登录(Bearer 令牌)", "authentication required (bearer token)"),
    403: ("forbidden", "当前角色无权执行此操作", "your role may not do this"),
    404: ("not_found", "未找到", "not found"),
    405: ("method_not_allowed", "不支持该请求方法", "method not allowed"),
    413: ("body_too_large", "请求体过大", "request body too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "unsupported media type"),
}


def status_of(exc: YibaoError) -> int:
    """The HTTP status of a yibao error (500 for one no status is declared for)."""
    return next((s for cls, s in _STATUS if isinstance(exc, cls)), 500)


def error_response(
    status: int,
    code: str,
    message: str,
    message_en: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON response in the contract's error shape."""
    body = {"error": {"code": code, "message": message, "message_en": message_en, "field": field}}
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def _validation(exc: RequestValidationError) -> JSONResponse:
    err = input_error(exc.errors())
    return error_response(422, err.code, err.message, err.message_en, err.field)


_UNPARSEABLE_BODY = "There was an error parsing the body"  # FastAPI's words for a body it cannot decode
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (for the ``Allow`` header of a 405)."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    """Map yibao errors, validation errors and HTTP errors to the contract's shape."""

    @app.exception_handler(YibaoError)
    async def _yibao(_request: Request, exc: YibaoError) -> JSONResponse:
        status = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if isinstance(exc, TooManyRequests | Unavailable):
            headers["Retry-After"] = str(exc.retry_after)
        return error_response(status, exc.code, exc.message, exc.message_en, exc.field, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
            err = input_error([{"type": "json_invalid", "loc": ("body",), "msg": "", "input": None}])
            return error_response(422, err.code, err.message, err.message_en, err.field)
        code, zh, en = _HTTP.get(exc.status_code, ("http_error", "请求失败", str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(exc.status_code, code, zh, en, headers=headers)
