"""Public endpoints: quote, regions, rules, contacts, channels and other reference data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from yibao import reference
from yibao.errors import InputError
from yibao.services.persons import check_region

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.post("/quote")
async def quote(payload: Annotated[Any, Body()]) -> dict[str, Any]:
    """What a resident owes and when cover starts (contract section 2)."""
    from yibao.quoting import quote as engine_quote

    if not isinstance(payload, dict):
        raise InputError("invalid_input", "请求体须为 JSON 对象", "body must be a JSON object")
    return engine_quote(payload)


@router.get("/regions")
async def regions() -> dict[str, Any]:
    """Every region known to yibao (GB/T 2260)."""
    from yibao.quoting import regions as all_regions

    items = list(all_regions())
    return {"items": items, "total": len(items)}


@router.get("/rules")
async def rules() -> dict[str, Any]:
    """The rules catalogue: id, title, source, text."""
    from yibao.quoting import rules_catalogue

    items = list(rules_catalogue())
    return {"items": items, "total": len(items)}


@router.get("/contacts")
async def contacts(region: Annotated[str, Query(pattern=r"^\d{6}$")]) -> dict[str, Any]:
    """Consultation contacts for a region and the regions above it."""
    check_region(region)
    items = [c.model_dump(mode="json") for c in reference.contacts_for(region)]
    return {"items": items, "total": len(items)}


@router.get("/channels")
async def channels(
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    """Payment channels with their steps; ``region`` keeps those available there."""
    items = list(reference.channels())
    if region is not None:
        chain = set(reference.region_chain(region))
        items = [c for c in items if chain & set(c.regions)]
    out = [c.model_dump(mode="json") for c in items]
    return {"items": out, "total": len(out)}


@router.get("/channels/{code}")
async def channel(code: str) -> dict[str, Any]:
    """One payment channel."""
    return reference.channel(code).model_dump(mode="json")


@router.get("/eligibility-categories")
async def eligibility() -> dict[str, Any]:
    """Who may enrol (seed 000 参保范围)."""
    items = [c.model_dump(mode="json") for c in reference.eligibility_categories()]
    return {"items": items, "total": len(items)}


@router.get("/special-groups")
async def special_groups() -> dict[str, Any]:
    """Special groups and how their contribution is assisted."""
    items = [g.model_dump(mode="json") for g in reference.special_groups()]
    return {"items": items, "total": len(items)}


@router.get("/back-payment-reference")
async def back_payment_reference() -> dict[str, Any]:
    """Back-payment application types, submission modes and materials (seed 001)."""
    return reference.back_payment_reference().model_dump(mode="json")


@router.get("/newborn-preregistration")
async def newborn_preregistration() -> dict[str, Any]:
    """Conditions of newborn pre-registration (seed 000 四.1)."""
    return reference.newborn_preregistration().model_dump(mode="json")
