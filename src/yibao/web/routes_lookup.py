"""``/lookup``: 查询本人参保缴费 — a resident's own status by ID number and name, as the
government apps ask for it, with the household for paying for family members.

The answer is masked, every look-up is audited (yibao.services.registry.self_lookup), a wrong
name reads exactly like an unregistered number, and look-ups are rate-limited per client
address and per ID number (yibao.web.rate_limit; 429 with a page in words). The page
posts, so the ID number never sits in an address; its language toggle is a plain link
(the answer is not posted again: the page holds no full number).
"""

from __future__ import annotations

import math
import os
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from yibao.errors import InputError
from yibao.quoting.season import season
from yibao.web.forms import clean_id_number
from yibao.web.lookup_view import lookup_view
from yibao.web.quotes import LABELS
from yibao.web.rate_limit import LookupLimits
from yibao.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _pair(name: str, default: tuple[int, float]) -> tuple[int, float]:
    """``"20/600"`` from the environment: count per seconds."""
    raw = os.environ.get(name, "")
    try:
        count, seconds = raw.split("/")
        return int(count), float(seconds)
    except ValueError:
        return default


def _limits(request: Request) -> LookupLimits:
    state = request.app.state
    if not hasattr(state, "lookup_limits"):
        state.lookup_limits = LookupLimits(
            per_client=_pair("YIBAO_LOOKUP_PER_CLIENT", (20, 600.0)),
            per_number=_pair("YIBAO_LOOKUP_PER_NUMBER", (5, 3600.0)))
    limits: LookupLimits = state.lookup_limits
    return limits


def _today() -> Any:
    from yibao.services.common import today_beijing

    return today_beijing()


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"season": season(_today()), "errors": {}, "id_number": "", "name": "",
            "found": None, "asked": False, **extra}


@router.get("/lookup")
def lookup_page(request: Request) -> Response:
    return render(request, "lookup.html", _ctx())


@router.post("/lookup")
async def lookup(request: Request, id_number: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "") -> Response:
    from yibao.services.registry.self_lookup import look_up

    number, name = clean_id_number(id_number), name.strip()
    errors: dict[str, tuple[str, str]] = {}
    if not number:
        errors["id_number"] = ("请填写身份证号码", "Enter the ID number")
    if not name:
        errors["name"] = ("请填写姓名", "Enter the name")
    if errors:
        return render(request, "lookup.html", _ctx(errors=errors, id_number=number, name=name),
                      status_code=422)
    client = request.client.host if request.client else ""
    wait = _limits(request).check(client=client, id_number=number, now=time.monotonic())
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        ctx = {"title": ("查询太频繁", "Too many look-ups"),
               "text": ("为保护个人信息，同一身份证号码或同一网络在一段时间内只能查询有限次数。",
                        "To protect personal data, one ID number or one network may look up "
                        "only a few times in a while."),
               "retry_after": minutes, "status": 429}
        response = render(request, "error.html", ctx, status_code=429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    s = season(_today())
    years = (s.in_force, s.next_year) if s.collecting else (s.in_force,)
    try:
        found = look_up(request.app.state.db, number, name, today=s.today, years=years,
                        client=client)
    except InputError as exc:
        from yibao.web.plain import error_words

        text = error_words(exc.code, exc.field, exc.message, exc.message_en, LABELS)
        return render(request, "lookup.html", _ctx(
            errors={"id_number": (text.zh, text.en)}, id_number=number, name=name),
            status_code=422)
    view = lookup_view(found) if found is not None else None
    return render(request, "lookup.html", _ctx(found=view, asked=True))
