"""``/lookup``: 查询本人参保缴费 — a resident's own status by ID number and name, as the
government apps ask for it, with the household for paying for family members.

The answer is masked, every look-up is audited (yibao.services.registry.self_lookup), a wrong
name reads exactly like an unregistered number, and look-ups are rate-limited per client
address and per ID number from that address, counted in the database (yibao.web.rate_limit;
429 with a page in words saying when to try again). The page
posts, so the ID number never sits in an address. Its language toggle posts the answer
sealed (yibao.web.lookup_seal: the masked view, signed, 30 minutes): the same answer in the
other language, neither counted nor audited again, and never the full number.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from yibao.errors import InputError
from yibao.http.auth import client_address
from yibao.idcard import parse_id_number
from yibao.quoting.season import season
from yibao.services.common import BEIJING
from yibao.validation import bad_text
from yibao.web.forms import clean_id_number
from yibao.web.lookup_seal import NotReadable, seal, unseal
from yibao.web.lookup_view import LookupView, lookup_view
from yibao.web.quotes import LABELS
from yibao.web.rate_limit import LookupLimits, parse_limit
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _limits(request: Request) -> LookupLimits:
    state = request.app.state
    if not hasattr(state, "lookup_limits"):
        settings = state.settings
        state.lookup_limits = LookupLimits(
            state.db, key=state.signing_key,
            per_client=parse_limit(settings.lookup_per_client, (20, 600.0)),
            per_number=parse_limit(settings.lookup_per_number, (5, 3600.0)))
    limits: LookupLimits = state.lookup_limits
    return limits


def _retry_page(request: Request, wait: int) -> Response:
    """429 in words: why, and when to try again (minutes, and the time in Beijing)."""
    minutes = max(1, math.ceil(wait / 60))
    at = (dt.datetime.now(BEIJING) + dt.timedelta(seconds=wait)).strftime("%H:%M")
    ctx = {"title": ("查询太频繁", "Too many look-ups"),
           "text": ("为保护个人信息，同一网络在一段时间内只能查询有限次数，同一身份证号码从同一网络"
                    f"也只能查询几次。请在 {minutes} 分钟后（北京时间 {at} 以后）再试；"
                    "换一个网络（例如手机流量）也可以马上查询。",
                    "To protect personal data, one network may look up only a few times in a "
                    "while, and one ID number only a few times from one network. Try again in "
                    f"{minutes} minutes (after {at} Beijing time), or right away from another "
                    "network (e.g. mobile data)."),
           "retry_after": minutes, "status": 429}
    response = render(request, "error.html", ctx, status_code=429)
    response.headers["Retry-After"] = str(wait)
    return response


def _today() -> Any:
    from yibao.services.common import today_beijing

    return today_beijing()


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"season": season(_today()), "errors": {}, "id_number": "", "name": "",
            "found": None, "asked": False, "expired": False, **extra}


@router.get("/lookup")
def lookup_page(request: Request) -> Response:
    return render(request, "lookup.html", _ctx())


def _key(request: Request) -> str:
    return str(request.app.state.signing_key)


def _answer_page(request: Request, view: LookupView | None) -> Response:
    """The answer, its language toggle carrying it sealed."""
    return render(request, "lookup.html", {**_ctx(found=view, asked=True),
                                           "resubmit": [("answer", seal(view, _key(request)))]})


@router.post("/lookup")
async def lookup(request: Request, id_number: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "",
                 answer: Annotated[str, Form(max_length=65536)] = "") -> Response:
    from yibao.services.registry.self_lookup import look_up

    if answer and not id_number:  # the language toggle: the same answer, no look-up spent
        try:
            shown = unseal(answer, _key(request))
        except NotReadable:
            return render(request, "lookup.html", _ctx(expired=True))
        return _answer_page(request, shown)
    number, name = clean_id_number(id_number[:64]), name.strip()[:64]
    errors: dict[str, tuple[str, str]] = {}
    if not number:
        errors["id_number"] = ("请填写身份证号码", "Enter the ID number")
    if not name:
        errors["name"] = ("请填写姓名", "Enter the name")
    elif bad_text(name):
        errors["name"] = ("姓名中有无法识别的字符，请重新输入", "The name holds characters that are "
                          "not allowed; type it again")
    if errors:
        return render(request, "lookup.html", _ctx(errors=errors, id_number=number, name=name),
                      status_code=422)
    try:  # a malformed number (its checksum is public) is told at once, counting nothing
        parse_id_number(number)
    except InputError as exc:
        return _bad_number(request, exc, number, name)
    client = client_address(request)
    limits = _limits(request)
    wait = await anyio.to_thread.run_sync(
        lambda: limits.check(client=client, id_number=number))
    if wait > 0:
        return _retry_page(request, wait)
    s = season(_today())
    years = (s.in_force, s.next_year) if s.collecting else (s.in_force,)
    try:
        found = await anyio.to_thread.run_sync(lambda: look_up(
            request.app.state.db, number, name, today=s.today, years=years, client=client))
    except InputError as exc:
        return _bad_number(request, exc, number, name)
    return _answer_page(request, lookup_view(found) if found is not None else None)


def _bad_number(request: Request, exc: InputError, number: str, name: str) -> Response:
    from yibao.web.plain import error_words

    text = error_words(exc.code, exc.field, exc.message, exc.message_en, LABELS)
    return render(request, "lookup.html", _ctx(
        errors={"id_number": (text.zh, text.en)}, id_number=number, name=name), status_code=422)
