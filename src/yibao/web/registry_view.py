"""What the registry knows of the person a clerk is about to record a payment for:
coverage history (or that it is unknown), special group, and the quote for the form's
year and date, read through the same use cases as the API's (in process).
"""

from __future__ import annotations

from typing import Any

from yibao.errors import YibaoError
from yibao.policy import reference_data as reference
from yibao.services.inputs import PersonQuoteIn
from yibao.services.registry.history_entries import get_history, history_view
from yibao.services.registry.quotes import QuoteFacts, quote_person
from yibao.web.console import Staff, checked

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


async def registry_view(who: Staff, form: dict[str, str]) -> dict[str, Any] | None:
    """None without a usable ID number; else history, gaps and the typed quote (money in
    fen), or the quote's refusal in words."""
    number = (form.get("id_number") or "").strip().upper()
    if len(number) != 18:
        return None
    try:
        year = int(form.get("coverage_year") or "0")
    except ValueError:
        year = 0
    asked: dict[str, Any] = {"coverage_year": year}
    if form.get("paid_at"):
        asked["payment_date"] = form["paid_at"][:10]
    try:
        facts = QuoteFacts.of(checked(PersonQuoteIn, asked))
        result = await who.call(quote_person, number, facts)
    except YibaoError as exc:
        try:
            history = await who.call(get_history, number)
        except YibaoError:
            return None
        return {"history": history, "quote": None, "error": (exc.message, exc.message_en),
                "gaps": lapse_years_text(history.covered_years, year)}
    history = history_view(result.history)
    group = result.special_group
    person = form.get("person") or str(result.person.id)
    link = f"/clerk/persons/{person}" if person and not history.known else ""
    names = {g.code: (g.name, g.name_en) for g in reference.special_groups()}
    return {"history": history, "quote": result.quote, "enrollment": result.enrollment,
            "error": None, "group": names.get(group, (group, group)) if group else None,
            "gaps": lapse_years_text(history.covered_years, year), "history_link": link}
