"""The outermost layer of every request (pure ASGI): hostile paths and queries, failures
that escaped every handler, and a request log without personal data.

- A path or query holding a control character (NUL, ...) is answered 422 before any
  route sees it.
- An exception no handler answered becomes 503 ``database_unavailable`` (with
  ``Retry-After``) when the database cannot be reached, else 500 ``internal_error``, in
  the contract's shape (a short page for the console and resident pages). The log names
  the exception's type and the code lines it passed through, never its message: database
  errors carry the statement's parameters (ID numbers, names).
- With ``access_log``, one line per request: method, path with ID numbers masked, status,
  milliseconds. Query strings are left out (they hold names).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
import traceback
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yibao.validation import bad_text

__all__ = ["RETRY_AFTER_SECONDS", "RequestGuard", "is_outage", "mask_ids"]

log = logging.getLogger("yibao.errors")
access = logging.getLogger("yibao.access")

#: What a client is told to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 2
_ID = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")


def mask_ids(text: str) -> str:
    """Every 18-character ID number in ``text`` masked as ``450802********1234``."""
    return _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached (or its pool is exhausted)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    name = type(exc).__module__.split(".")[0]
    return name == "psycopg" and type(exc).__name__ in ("OperationalError", "InterfaceError")


def _error(code: str, zh: str, en: str, field: str | None = None) -> bytes:
    body = {"error": {"code": code, "message": zh, "message_en": en, "field": field}}
    return json.dumps(body, ensure_ascii=False).encode()


def _page(zh: str, en: str) -> bytes:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>出错了 · yibao</title><link rel="stylesheet" href="/static/yibao.css"></head>'
        f'<body><main id="main"><h1>{html.escape(zh)}</h1><p lang="en">{html.escape(en)}</p>'
        '<p><a href="/">返回首页</a></p></main></body></html>'
    ).encode()


def _hostile(scope: Scope) -> str | None:
    """The name of the part of the URL that holds a control character, if any."""
    if bad_text(scope.get("path", "")):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if bad_text(key) or bad_text(value):
            return key if not bad_text(key) else "query"
    return None


class RequestGuard:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        api = str(scope.get("path", "")).startswith("/api/")

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            where = _hostile(scope)
            if where is not None:
                status = 422
                body = (_error("invalid_value", f"“{where}”含有控制字符",
                               f"{where}: contains control characters", where)
                        if api else _page("网址中含有无法识别的字符", "The address holds "
                                          "characters that are not allowed."))
                await _send(send, 422, body, api)
                return
            await self.app(scope, receive, send_status)
        except Exception as exc:
            outage = is_outage(exc)
            self._log(scope, exc, outage)
            if status:  # the response had started: nothing more can be said
                raise
            status = 503 if outage else 500
            if outage:
                body = (_error("database_unavailable", "数据库暂时无法连接，请稍后重试",
                               "the database is unavailable; retry shortly") if api
                        else _page("系统暂时无法连接数据库，请稍后重试",
                                   "The database is unavailable; please retry shortly."))
            else:
                body = (_error("internal_error", "系统内部错误，已记录，请稍后重试",
                               "internal error (logged); please retry") if api
                        else _page("系统内部错误，请稍后重试", "Internal error; please retry."))
            await _send(send, status, body, api, retry=outage)
        finally:
            if self.access_log:
                access.info("%s %s %d %.1fms", scope.get("method", "?"),
                            mask_ids(str(scope.get("path", ""))), status,
                            (time.perf_counter() - started) * 1000)

    @staticmethod
    def _log(scope: Scope, exc: Exception, outage: bool) -> None:
        where = f"{scope.get('method', '?')} {mask_ids(str(scope.get('path', '')))}"
        if outage:
            log.warning("database unavailable (%s) during %s", type(exc).__name__, where)
            return
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        log.error("unhandled %s during %s (message withheld: it may hold personal data)\n%s",
                  type(exc).__name__, where, frames)


async def _send(send: Send, status: int, body: bytes, api: bool, *, retry: bool = False) -> None:
    kind = b"application/json" if api else b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if retry:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
