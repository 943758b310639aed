"""Public endpoints: quote, regions, rules, contacts, channels and other reference data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Path, Query, Response

from yibao.api.schemas import (
    ChannelList,
    ContactList,
    EligibilityList,
    RegionList,
    RuleList,
    SpecialGroupList,
    errors,
)
from yibao.errors import InputError
from yibao.http.strict_json import StrictJSONRoute
from yibao.policy import reference_data as reference
from yibao.policy.contacts import contacts_for
from yibao.services.registry.persons import check_region
from yibao.services.shapes import QuoteAnswer
from yibao.services.shapes.base import Shape

router = APIRouter(prefix="/api/v1", tags=["public"],
                   route_class=StrictJSONRoute)


def _quote_body() -> dict[str, Any]:
    from yibao.quoting.answers import request_schema

    return request_schema()


@router.post("/quote", response_model=QuoteAnswer, response_model_exclude_unset=True,
             responses=errors(413, 422), openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {"schema": _quote_body()}}}
})
async def quote(payload: Annotated[Any, Body()]) -> Response:
    """What a resident owes and when cover starts (contract section 2)."""
    if not isinstance(payload, dict):
        raise InputError("invalid_value", "请求体须为 JSON 对象", "body must be a JSON object")
    # In the event loop itself: a quote is half a millisecond of CPU and never waits on
    # I/O, and handing it to a worker thread cost more than that (the hop there and back,
    # and the two threads taking turns on the GIL): 500 quotes/s had p99 40-84 ms that way,
    # 9-12 ms this way (docs/speed.md).
    return Response(_quote_json(payload), media_type="application/json")


def _quote_json(payload: dict[str, Any]) -> bytes:
    """The contract's answer as JSON, written once: the engine's dict is already the
    declared ``QuoteAnswer`` shape (plain JSON types, keys in order; tests check it), so
    FastAPI's second validation and encoding of it (a fifth of the request's CPU) is
    skipped; ``response_model`` still declares it in the OpenAPI description."""
    from yibao.quoting.answers import quote as engine_quote

    # the bytes of json.dumps(..., ensure_ascii=False, separators=(",", ":")), a tenth the time
    return orjson.dumps(engine_quote(payload))


@router.get("/regions")
async def regions() -> RegionList:
    """Every region known to yibao (GB/T 2260)."""
    from yibao.quoting.answers import regions as all_regions

    items = list(all_regions())
    return RegionList.model_validate({"items": items, "total": len(items)})


@router.get("/rules")
async def rules() -> RuleList:
    """The rules catalogue: id, titles, source, text templates, plain words, conventions."""
    from yibao.quoting.answers import rules_catalogue

    items = list(rules_catalogue())
    return RuleList.model_validate({"items": items, "total": len(items)})


@router.get("/contacts", responses=errors(422))
async def contacts(region: Annotated[str, Query(pattern=r"^[0-9]{6}$")]) -> ContactList:
    """Consultation contacts for a region and the regions above it."""
    check_region(region)
    items = list(contacts_for(region))
    return ContactList(items=items, total=len(items))


@router.get("/channels", responses=errors(422))
async def channels(
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> ChannelList:
    """Payment channels with their steps; ``region`` keeps those available there."""
    items = list(reference.channels())
    if region is not None:
        chain = set(reference.region_chain(region))
        items = [c for c in items if chain & set(c.regions)]
    return ChannelList(items=items, total=len(items))


@router.get("/channels/{code}", responses=errors(404, 422))
async def channel(code: Annotated[str, Path(max_length=32)]) -> reference.Channel:
    """One payment channel."""
    return reference.channel(code)


@router.get("/eligibility-categories")
async def eligibility() -> EligibilityList:
    """Who may enrol (seed 000 参保范围)."""
    items = list(reference.eligibility_categories())
    return EligibilityList(items=items, total=len(items))


@router.get("/special-groups")
async def special_groups() -> SpecialGroupList:
    """Special groups and how their contribution is assisted."""
    items = list(reference.special_groups())
    return SpecialGroupList(items=items, total=len(items))


@router.get("/back-payment-reference")
async def back_payment_reference() -> reference.BackPaymentReference:
    """Back-payment application types, submission modes and materials (seed 001)."""
    return reference.back_payment_reference()


@router.get("/newborn-preregistration")
async def newborn_preregistration() -> reference.NewbornPreregistration:
    """Conditions of newborn pre-registration (seed 000 四.1)."""
    return reference.newborn_preregistration()


class OnlineWindow(Shape):
    """The days flexible workers may pay online (both included)."""

    opens: dt.date
    closes: dt.date


class Convention(Shape):
    """A convention of docs/rules.md that decided the answer."""

    id: str
    text: str
    source: str


class OnlinePayment(Shape):
    """Whether a flexible worker may pay online on ``date``, and why not (C35)."""

    date: dt.date
    may_pay_online: bool | None
    reason: str
    text: str
    text_en: str
    window: OnlineWindow | None
    retirement_age: int | None
    birthday: dt.date | None
    source: str | None
    conventions: list[Convention]


class FlexibleEmployment(Shape):
    """A flexible worker's monthly contribution (base × rate, yuan) and, with ``date``,
    whether they may pay online that day."""

    region: str
    year: int
    base: str | None
    rate_percent: str | None
    monthly: str | None
    source: str | None
    online: OnlinePayment | None = None


@router.get("/flexible-employment", response_model=FlexibleEmployment,
            response_model_exclude_unset=True, responses=errors(422))
async def flexible_employment(
    region: Annotated[str, Query(pattern=r"^[0-9]{6}$")],
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    date: Annotated[str | None, Query(max_length=10)] = None,
    birth_date: Annotated[str | None, Query(max_length=10)] = None,
    sex: Annotated[str | None, Query(max_length=6)] = None,
) -> FlexibleEmployment:
    """Flexible workers' employee insurance: base × rate, and the online-payment window."""
    from yibao.quoting.answers import flexible_employment as answer
    from yibao.quoting.answers import parse_day

    return FlexibleEmployment.model_validate(
        answer(region, year, on=parse_day(date, "date"), sex=sex,
               birth_date=parse_day(birth_date, "birth_date")))
