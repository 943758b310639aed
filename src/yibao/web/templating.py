"""The Jinja2 environment of the pages and one ``render`` helper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from yibao.rules.money import fen_to_yuan
from yibao.services.common import BEIJING
from yibao.web.csrf import csrf_token, set_csrf_cookie
from yibao.web.forms import INSURED_LAST_YEAR
from yibao.web.i18n import LANG_COOKIE, pick_lang, translator
from yibao.web.plain import cite
from yibao.web.words import sayer

__all__ = ["STATIC_DIR", "render", "templates"]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"
templates = Jinja2Templates(directory=str(_HERE / "templates"))


def paid_time(value: str | dt.datetime | None) -> str:
    """When a payment was made, as the registry keeps it (Beijing wall-clock time, no offset):
    a payment entered with a date only (midnight) shows the date only, never an invented hour;
    otherwise the date and the minute (``2025-03-01 09:30``)."""
    if not value:
        return "—"
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING).replace(tzinfo=None)
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def beijing_time(value: str | dt.datetime | None, seconds: bool = True) -> str:
    """A moment (or its ISO text) as Beijing wall-clock time (``2025-03-01 09:30:00``); a
    stored time without an offset is UTC, as the registry writes it."""
    if not value:
        return "—"
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value[:19].replace("T", " ")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def yuan(fen: int | None, none: str = "—") -> str:
    """Int fen as yuan for a page (``28000`` → ``280.00``); ``none`` when there is no
    amount. Money stays in fen until here."""
    return none if fen is None else fen_to_yuan(fen)


templates.env.filters["beijing"] = beijing_time
templates.env.filters["paid_time"] = paid_time
templates.env.filters["yuan"] = yuan
templates.env.globals["insured_choices"] = INSURED_LAST_YEAR


def _lang_url(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """Render template ``name`` in the request's language; remember an explicit choice.

    A page that answers a POST passes ``resubmit`` (the submitted fields): its language
    toggle then posts them again, so switching language keeps the answer. Console pages get
    ``csrf_token`` for their forms (and the cookie it is checked against); resident pages
    change nothing and set no cookie but the language.
    """
    lang = pick_lang(request)
    tr = translator(lang)
    other = "zh" if lang == "en" else "en"
    ctx: dict[str, Any] = {
        "lang": lang,
        "_": tr,
        "say": sayer(tr),
        "cite": cite,
        "other_lang": other,
        "other_lang_url": _lang_url(request, other),
        "path": request.url.path,
        "resubmit": None,
    }
    if request.url.path.startswith("/clerk"):
        ctx["csrf_token"] = csrf_token(request)
    ctx.update(context)
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
