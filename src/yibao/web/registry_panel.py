"""The person page's registry blocks: a person's status changes and continuous years, and
what the address carries after a change (read by ``routes_clerk_person``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from yibao.rules.messages import STATUS_NAMES
from yibao.services.registry import continuity, status_changes
from yibao.services.registry.eligibility import NOTES
from yibao.web.console import Staff, row_id
from yibao.web.continuity_view import continuity_view

__all__ = ["registry_panel"]


def _codes(text: str) -> list[str]:
    return [c for c in text.split(",") if c][:10]


async def registry_panel(request: Request, who: Staff, person_id: int) -> dict[str, Any]:
    """The person page's status changes and continuous years (two reads, no ID number), and
    what the address carries after a change: the years to review after a status change was
    recorded, the notes of a registration just made (as words, from their codes)."""
    pid = row_id(person_id, "person_id")
    changes = await who.call(status_changes.list_status_changes, None, person_id=pid)
    counted = await who.call(continuity.person_continuity, pid)
    view = continuity_view(counted)
    query = request.query_params
    return {"status_changes": changes, "status_kinds": list(STATUS_NAMES.items()),
            "continuity": view,
            "review_years": [y for y in _codes(query.get("review", "")) if y.isdigit()],
            "registration_notes": [NOTES[c] for c in _codes(query.get("notes", ""))
                                   if c in NOTES]}
