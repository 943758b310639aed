"""Public endpoints: quote, regions, rules, contacts, channels and other reference data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from yibao.api.schemas import (
    ChannelList,
    ContactList,
    EligibilityList,
    Quote,
    RegionList,
    RuleList,
    SpecialGroupList,
    errors,
)
from yibao.api.schemas.common import Out
from yibao.errors import InputError
from yibao.policy import reference_data as reference
from yibao.services.registry.persons import check_region

router = APIRouter(prefix="/api/v1", tags=["public"])


def _quote_body() -> dict[str, Any]:
    from yibao.quoting.answers import request_schema

    return request_schema()


@router.post("/quote", response_model=Quote, responses=errors(413, 422), openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {"schema": _quote_body()}}}
})
async def quote(payload: Annotated[Any, Body()]) -> dict[str, Any]:
    """What a resident owes and when cover starts (contract section 2)."""
    from yibao.quoting.answers import quote as engine_quote

    if not isinstance(payload, dict):
        raise InputError("invalid_value", "请求体须为 JSON 对象", "body must be a JSON object")
    return engine_quote(payload)


@router.get("/regions", response_model=RegionList)
async def regions() -> dict[str, Any]:
    """Every region known to yibao (GB/T 2260)."""
    from yibao.quoting.answers import regions as all_regions

    items = list(all_regions())
    return {"items": items, "total": len(items)}


@router.get("/rules", response_model=RuleList)
async def rules() -> dict[str, Any]:
    """The rules catalogue: id, title, source, text."""
    from yibao.quoting.answers import rules_catalogue

    items = list(rules_catalogue())
    return {"items": items, "total": len(items)}


@router.get("/contacts", response_model=ContactList, responses=errors(422))
async def contacts(region: Annotated[str, Query(pattern=r"^[0-9]{6}$")]) -> dict[str, Any]:
    """Consultation contacts for a region and the regions above it."""
    check_region(region)
    items = [c.model_dump(mode="json") for c in reference.contacts_for(region)]
    return {"items": items, "total": len(items)}


@router.get("/channels", response_model=ChannelList, responses=errors(422))
async def channels(
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
) -> dict[str, Any]:
    """Payment channels with their steps; ``region`` keeps those available there."""
    items = list(reference.channels())
    if region is not None:
        chain = set(reference.region_chain(region))
        items = [c for c in items if chain & set(c.regions)]
    out = [c.model_dump(mode="json") for c in items]
    return {"items": out, "total": len(out)}


@router.get("/channels/{code}", response_model=reference.Channel, responses=errors(404, 422))
async def channel(code: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
    """One payment channel."""
    return reference.channel(code).model_dump(mode="json")


@router.get("/eligibility-categories", response_model=EligibilityList)
async def eligibility() -> dict[str, Any]:
    """Who may enrol (seed 000 参保范围)."""
    items = [c.model_dump(mode="json") for c in reference.eligibility_categories()]
    return {"items": items, "total": len(items)}


@router.get("/special-groups", response_model=SpecialGroupList)
async def special_groups() -> dict[str, Any]:
    """Special groups and how their contribution is assisted."""
    items = [g.model_dump(mode="json") for g in reference.special_groups()]
    return {"items": items, "total": len(items)}


@router.get("/back-payment-reference", response_model=reference.BackPaymentReference)
async def back_payment_reference() -> dict[str, Any]:
    """Back-payment application types, submission modes and materials (seed 001)."""
    return reference.back_payment_reference().model_dump(mode="json")


@router.get("/newborn-preregistration", response_model=reference.NewbornPreregistration)
async def newborn_preregistration() -> dict[str, Any]:
    """Conditions of newborn pre-registration (seed 000 四.1)."""
    return reference.newborn_preregistration().model_dump(mode="json")


class FlexibleEmployment(Out):
    """A flexible worker's monthly contribution and, with ``date``, whether they may pay
    online that day (``online``: ``may_pay_online``, ``reason``, ``text``, ``window``)."""

    region: str
    year: int
    monthly: str | None
    online: dict[str, Any] | None = None


@router.get("/flexible-employment", response_model=FlexibleEmployment, responses=errors(422))
async def flexible_employment(
    region: Annotated[str, Query(pattern=r"^[0-9]{6}$")],
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    date: Annotated[str | None, Query(max_length=10)] = None,
    birth_date: Annotated[str | None, Query(max_length=10)] = None,
    sex: Annotated[str | None, Query(max_length=6)] = None,
) -> dict[str, Any]:
    """Flexible workers' employee insurance: base × rate, and the online-payment window."""
    from yibao.quoting.answers import flexible_employment as answer
    from yibao.quoting.answers import parse_day

    return answer(region, year, on=parse_day(date, "date"), sex=sex,
                  birth_date=parse_day(birth_date, "birth_date"))
