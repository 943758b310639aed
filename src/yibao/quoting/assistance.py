"""Tilt assistance (倾斜救助) as ``yibao assistance`` and ``POST /api/v1/assistance`` answer it.

    >>> tilt({"region": "450202", "year": 2025, "eligible_costs": "50000.00"})["high"]
    '45000.00'

The request is validated here (unknown keys, amounts that are not yuan, an unknown
region → ``InputError``); the range comes from :func:`yibao.rules.assistance.tilt_range`
with the region's published terms, or ``missing`` names them when they are not published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yibao.errors import UnknownRegion
from yibao.policy.files import load_policy
from yibao.rules.assistance import TiltTerms, tilt_range
from yibao.rules.messages import PARAMETER_LABELS
from yibao.rules.money import YUAN_PATTERN, fen_to_yuan, parse_yuan
from yibao.rules.registry import TILT_RULE, render
from yibao.rules.wording import yuan_pair

__all__ = ["TiltRequest", "plain_terms", "tilt", "tilt_terms"]

Yuan = Annotated[str, Field(pattern=YUAN_PATTERN)]


class TiltRequest(BaseModel):
    """Eligible out-of-pocket costs and what was already granted this year, in yuan."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: Annotated[str, Field(pattern=r"^\d{6}$")]
    year: Annotated[int, Field(strict=True, ge=1900, le=2200)]
    eligible_costs: Yuan
    granted_this_year: Yuan = "0.00"


def tilt_terms(region: str, year: int) -> tuple[TiltTerms | None, str]:
    """The region's terms for ``year`` (None when not published) and their citation."""
    found = load_policy().resolve("tilt_assistance", region, year)
    if found is None or not found.published:
        return None, found.source if found else ""
    v = found.value
    return TiltTerms(int(v["min_percent"]), int(v["max_percent"]), int(v["annual_cap"])), \
        found.source


def _request(payload: TiltRequest | Mapping[str, Any]) -> TiltRequest:
    if isinstance(payload, TiltRequest):
        return payload
    try:
        return TiltRequest.model_validate(payload)
    except ValidationError as exc:
        from yibao.quoting.answers import input_error_from

        raise input_error_from(exc) from None


def tilt(payload: TiltRequest | Mapping[str, Any]) -> dict[str, Any]:
    """The range of tilt assistance for one request, as JSON-able values (money in yuan)."""
    req = _request(payload)
    policy = load_policy()
    if req.region not in policy.regions:
        raise UnknownRegion("unknown_region", f"地区代码不在政策数据中: {req.region}",
                            f"unknown region code: {req.region}", field="region")
    eligible, granted = parse_yuan(req.eligible_costs), parse_yuan(req.granted_this_year)
    terms, source = tilt_terms(req.region, req.year)
    out: dict[str, Any] = {
        "region": {"code": req.region, "name": policy.regions[req.region].name},
        "year": req.year, "eligible_costs": fen_to_yuan(eligible),
        "granted_this_year": fen_to_yuan(granted),
        "low": None, "high": None, "remaining_cap": None, "capped": False,
        "min_percent": None, "max_percent": None, "annual_cap": None,
        "rule": {"id": TILT_RULE.id, "title": TILT_RULE.title, "source": source or TILT_RULE.source},
        "text": None, "text_en": None, "plain": None, "plain_en": None,
        "missing": [], "missing_labels": [],
        "policy_version": policy.version_of(req.region, req.year),
    }
    if terms is None:
        label = PARAMETER_LABELS["tilt_assistance"]
        out["missing"] = ["tilt_assistance"]
        out["missing_labels"] = [f"{req.year}年度{label[0]}"]
        return out
    r = tilt_range(eligible, granted, terms)
    figures: dict[str, str] = {"min_percent": str(terms.min_percent),
                               "max_percent": str(terms.max_percent)}
    for name, fen in (("eligible", eligible), ("granted", granted), ("low", r.low_fen),
                      ("high", r.high_fen), ("room", r.room_fen), ("cap", terms.annual_cap_fen)):
        figures[name], figures[f"{name}_en"] = yuan_pair(fen)
    out.update(
        low=fen_to_yuan(r.low_fen), high=fen_to_yuan(r.high_fen),
        remaining_cap=fen_to_yuan(r.room_fen), capped=r.capped,
        min_percent=terms.min_percent, max_percent=terms.max_percent,
        annual_cap=fen_to_yuan(terms.annual_cap_fen),
        text=render(TILT_RULE.text, figures), text_en=render(TILT_RULE.text_en, figures),
        plain=render(TILT_RULE.plain, figures), plain_en=render(TILT_RULE.plain_en, figures),
    )
    return out


def plain_terms(region: str, year: int) -> tuple[str, str, str] | None:
    """What tilt assistance means in ``region`` and ``year`` (zh, en, citation), or None."""
    terms, source = tilt_terms(region, year)
    if terms is None:
        return None
    figures = {"min_percent": str(terms.min_percent), "max_percent": str(terms.max_percent)}
    figures["cap"], figures["cap_en"] = yuan_pair(terms.annual_cap_fen)
    return render(TILT_RULE.plain, figures), render(TILT_RULE.plain_en, figures), source
