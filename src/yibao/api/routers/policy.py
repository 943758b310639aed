"""``GET /api/v1/policy``: which figures this server answers with (shipped or published)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yibao.api.schemas import ParameterByRegion, ParameterByYear, PolicyInForce, errors
from yibao.http.strict_json import StrictJSONRoute

router = APIRouter(prefix="/api/v1", tags=["public"],
                   route_class=StrictJSONRoute)


@router.get("/policy")
async def policy() -> PolicyInForce:
    """The policy in force: its version, the published folder laid over the shipped
    figures (if any) and the coverage years it can answer."""
    from yibao.policy.files import load_policy
    from yibao.policy.locations import configured_dir

    p = load_policy()
    folder = configured_dir()
    return PolicyInForce(version=p.version, published_dir=str(folder) if folder else None,
                         first_year=p.first_year, last_year=p.last_year,
                         parameters=sorted(p.entries))


@router.get("/policy/{name}", response_model=ParameterByRegion | ParameterByYear,
            responses=errors(422))
async def parameter(
    name: str, region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> ParameterByRegion | ParameterByYear:
    """One parameter: every dated value per region, or (with ``region``) what it resolves
    to in each coverage year there."""
    from yibao.policy.view import parameter_view

    view = parameter_view(name, region)
    shape = ParameterByRegion if region is None else ParameterByYear
    return shape.model_validate(view)
