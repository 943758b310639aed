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

ID numbers are masked however they are written: with spaces, dashes or dots between the
digits, in full-width digits, with a lower-case ``x`` (:func:`mask_ids`); the same mask
is applied to every log line of yibao and of uvicorn (:func:`install_log_masking`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
import traceback
import unicodedata
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yibao.validation import bad_text

__all__ = ["RETRY_AFTER_SECONDS", "MaskIds", "RequestGuard", "install_log_masking", "is_outage",
           "mask_ids"]

log = logging.getLogger("yibao.errors")
access = logging.getLogger("yibao.access")

#: What a client is told to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 2
#: A digit as people type one (ASCII or full-width), the check character (X, x, full-width),
#: and what may stand between digits (spaces of any kind, dashes, dots, slashes, _ and ·).
_D = "[0-9\uff10-\uff19]"
_X = "[0-9\uff10-\uff19XxＸｘ]"
_SEP = "[\\s\\-\u2010-\u2015\u2212\uff0d._/\u00b7\u30fb]{0,3}"
#: 15 to 18 such characters (old 15-digit numbers too), not inside a longer run of digits.
_ID = re.compile(f"(?<![0-9\uff10-\uff19])((?:{_D}{_SEP}){{14,17}}{_X})(?![0-9\uff10-\uff19])")
_ONLY_DIGITS = re.compile("[^0-9\uff10-\uff19XxＸｘ]")


def _mask(match: re.Match[str]) -> str:
    digits = unicodedata.normalize("NFKC", _ONLY_DIGITS.sub("", match.group(1))).upper()
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def mask_ids(text: str) -> str:
    """Every ID number in ``text`` masked as ``450802********1234``, however it is written
    (``450204 19670704 702x``, dashes, full-width digits)."""
    return _ID.sub(_mask, text)


class MaskIds(logging.Filter):
    """A log filter that masks ID numbers in the whole line (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        masked = mask_ids(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Put :class:`MaskIds` on every handler of the root, yibao and uvicorn loggers (once)."""
    for name in (None, "yibao", "uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskIds) for f in handler.filters):
                handler.addFilter(MaskIds())


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
    query = scope.get("query_string", b"").decode("utf-8", "surrogateescape")
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
