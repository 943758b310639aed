"""Request body size limit as pure ASGI middleware: an oversized body is answered with 413."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit"]


def _body_413() -> bytes:
    return json.dumps(
        {
            "error": {
                "code": "body_too_large",
                "message": "请求体过大",
                "message_en": "request body too large",
                "field": None,
            }
        }
    ).encode()


_PAGE_413 = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>文件过大 · yibao</title><link rel="stylesheet" href="/static/yibao.css"></head>
<body class="clerk"><main id="main"><h1 id="too-large">提交的内容过大，未保存</h1>
<p>对账单文件不能超过 20 MB：请按年度或月份分成几个文件，再逐个上传。</p>
<p lang="en">What was sent is too large and was not saved. A statement may be at most
20 MB: split it by year or month and upload each part.</p>
<p><a href="/clerk/reconciliations">返回渠道对账 Back to reconciliation</a></p></main></body></html>""".encode()


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` (by Content-Length, or while streaming).

    ``path_limits`` gives other limits to named paths (e.g. a bulk endpoint).
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._reject(send, str(scope.get("path", "")))
                    return
        headers = dict(scope.get("headers", ()))
        if b"content-length" in headers or b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        # A streamed (chunked) body: buffer it up to the limit before the app sees it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await self._reject(send, str(scope.get("path", "")))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send, path: str = "") -> None:
        page = path.startswith("/clerk")  # a console form: a page in words, not JSON
        body = _PAGE_413 if page else _body_413()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type",
                     b"text/html; charset=utf-8" if page else b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
