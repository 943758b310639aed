"""``POST /api/v1/assistance``: the range of tilt assistance (倾斜救助) for one case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from yibao.api.schemas import TiltAnswer, errors
from yibao.errors import InputError
from yibao.http.strict_json import StrictJSONRoute

router = APIRouter(prefix="/api/v1", tags=["public"],
                   route_class=StrictJSONRoute)


@router.post("/assistance", responses=errors(413, 422))
async def assistance(payload: Annotated[Any, Body()]) -> TiltAnswer:
    """Given ``region``, ``year``, ``eligible_costs`` (yuan) and ``granted_this_year``
    (yuan, default 0): ``low`` and ``high`` at the published lowest and highest ratio,
    each within what is left of the annual cap; ``missing`` when the region's terms are
    not published (the ratio of one case is decided by the office, so a range is given)."""
    from yibao.quoting.assistance import tilt

    if not isinstance(payload, dict):
        raise InputError("invalid_input", "请求体须为 JSON 对象", "body must be a JSON object")
    return TiltAnswer.model_validate(tilt(payload))
