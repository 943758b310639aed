"""What the registry knows of the person a clerk is about to record a payment for:
coverage history (or that it is unknown), special group, and the quote for the form's
year and date, all read through the API.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from yibao.policy import reference_data as reference
from yibao.web.clerk_api import ApiError, api

__all__ = ["lapse_years_text", "registry_view"]


def lapse_years_text(covered: list[int], year: int) -> list[tuple[int, int]]:
    """Runs of uncovered years between the first covered year and ``year`` (exclusive)."""
    if not covered:
        return []
    gaps: list[tuple[int, int]] = []
    start: int | None = None
    for y in range(min(covered), year):
        if y not in covered and start is None:
            start = y
        if y in covered and start is not None:
            gaps.append((start, y - 1))
            start = None
    if start is not None:
        gaps.append((start, year - 1))
    return gaps


async def registry_view(request: Request, form: dict[str, str]) -> dict[str, Any] | None:
    """None without a usable ID number; else history, gaps and the quote (or its error)."""
    number = (form.get("id_number") or "").strip().upper()
    if len(number) != 18:
        return None
    try:
        year = int(form.get("coverage_year") or "0")
    except ValueError:
        year = 0
    params: dict[str, Any] = {"coverage_year": year}
    if form.get("paid_at"):
        params["payment_date"] = form["paid_at"][:10]
    try:
        quoted = await api(request, "GET", f"/api/v1/persons/{number}/quote", params=params)
    except ApiError as exc:
        try:
            history = await api(request, "GET", f"/api/v1/persons/{number}/history")
        except ApiError:
            return None
        return {"history": history, "quote": None, "error": (exc.message, exc.message_en),
                "gaps": lapse_years_text(history["covered_years"], year)}
    history = quoted["history"]
    group = quoted.get("special_group")
    person = form.get("person") or str((quoted.get("person") or {}).get("id") or "")
    link = f"/clerk/persons/{person}" if person and not history.get("known") else ""
    names = {g.code: (g.name, g.name_en) for g in reference.special_groups()}
    return {"history": history, "quote": quoted, "error": None,
            "group": names.get(group, (group, group)) if group else None,
            "gaps": lapse_years_text(history["covered_years"], year), "history_link": link}
