"""Cross-site request forgery: every console form carries a token, every console POST is
checked for it and for where it comes from.

    ctx["csrf_token"] = csrf_token(request)     # done by ``render``; the form's hidden field
    router = APIRouter(dependencies=[Depends(csrf_protect)])

The token is an HMAC (with the service's signing key) of a random value kept in the
``yibao_csrf`` cookie (HttpOnly, SameSite=Strict) and of the clerk's session cookie, so a
token from another session or another browser is worthless. A POST is refused with 403
when its ``Origin`` (or, without one, its ``Referer``) names another site or ``null``, or
when its token is missing or wrong. SameSite cookies stay as a second line.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, Response

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CsrfRefused", "csrf_protect", "csrf_token",
           "install_csrf", "same_origin"]

CSRF_COOKIE = "yibao_csrf"
CSRF_FIELD = "csrf_token"
_SESSION_COOKIE = "yibao_staff"


class CsrfRefused(Exception):
    """A console POST that did not come from one of our own forms."""


def _seed(request: Request) -> str:
    """The browser's random value: its cookie, or a new one set on the response."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE, "")
    if len(seed) < 32:
        seed = secrets.token_urlsafe(32)
    request.state.csrf_seed = seed
    return str(seed)


_FALLBACK_KEY = secrets.token_urlsafe(32)  # pages mounted without the service (tests)


def _expected(request: Request, seed: str) -> str:
    key = str(getattr(request.app.state, "signing_key", "") or _FALLBACK_KEY)
    session = hashlib.sha256(request.cookies.get(_SESSION_COOKIE, "").encode()).hexdigest()
    return hmac.new(key.encode(), f"csrf:{seed}:{session}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser and session (for a form's hidden ``csrf_token`` field)."""
    return _expected(request, _seed(request))


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Keep the browser's random value in its cookie (when this request made one)."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and seed != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")


def same_origin(request: Request) -> bool:
    """Whether ``Origin`` (else ``Referer``) names this site; absent both, True."""
    here = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == here
    referer = request.headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == here
    return True


async def csrf_protect(request: Request) -> None:
    """Router dependency: refuse a POST from elsewhere or without our form's token."""
    if request.method != "POST":
        return
    if not same_origin(request):
        raise CsrfRefused
    seed = request.cookies.get(CSRF_COOKIE, "")
    sent = str((await request.form()).get(CSRF_FIELD, ""))
    if len(seed) < 32 or not hmac.compare_digest(sent, _expected(request, seed)):
        raise CsrfRefused


_REFUSED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>无法提交 · yibao</title><link rel="stylesheet" href="/static/yibao.css"></head>
<body class="clerk"><main id="main"><h1 id="csrf-refused">无法提交：表单已过期或来自其他网站</h1>
<p>为保护参保人信息，只接受从本系统页面提交的表单。请返回，刷新页面后重新填写提交。</p>
<p lang="en">This form was not sent from one of yibao's own pages (or it has expired).
Go back, reload the page and submit it again.</p>
<p><a href="/clerk">返回工作台</a></p></main></body></html>"""


async def _refused(_request: Request, _exc: Exception) -> Response:
    return HTMLResponse(_REFUSED, status_code=403)


def install_csrf(app: FastAPI) -> None:
    """Answer :class:`CsrfRefused` with a 403 page in words a clerk can act on."""
    app.add_exception_handler(CsrfRefused, _refused)
