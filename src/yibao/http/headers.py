"""Security headers on every response (pure ASGI).

Pages get a Content-Security-Policy that allows only this origin's scripts, styles and
forms (no inline script anywhere); the API documentation pages also allow inline styles,
which Swagger UI and ReDoc set from their scripts. Nothing may frame a page. Personal data
is never cached: every response but static assets says ``Cache-Control: no-store``.
Over HTTPS (directly or behind a proxy that sets ``X-Forwarded-Proto``) browsers are told
to stay on HTTPS.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP_DOCS", "CSP_PAGES", "SecurityHeaders"]

_COMMON = ("object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
CSP_PAGES = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; " + _COMMON
)
CSP_DOCS = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; " + _COMMON
)
_CSP_API = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
_DOCS = ("/docs", "/redoc")
_STATIC = ("/static/", "/docs/assets/", "/docs/init/", "/docs/redoc.standalone.js")


def _csp(path: str) -> str:
    if path.startswith("/api/") or path == "/openapi.json":
        return _CSP_API
    if path in _DOCS or path.startswith("/docs/"):
        return CSP_DOCS
    return CSP_PAGES


class SecurityHeaders:
    """Add the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        csp = _csp(path).encode()
        static = path.startswith(_STATIC)
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS:
                    headers.setdefault(name.decode(), value.decode())
                headers.setdefault("content-security-policy", csp.decode())
                if static:
                    headers.setdefault("cache-control", "public, max-age=3600")
                else:
                    headers["cache-control"] = "no-store"
                if https:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, with_headers)
