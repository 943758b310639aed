"""What every router declares besides its success shape: the error bodies of each status.

    @router.get("/{x}", responses=errors(401, 404, 422))
"""

from __future__ import annotations

from typing import Any

from yibao.services.shapes import ErrorBody, ErrorOut

__all__ = ["ERRORS", "ErrorBody", "ErrorOut", "errors"]

_WHY = {
    400: "Bad request (a body that cannot be decoded)",
    401: "No valid bearer token (or wrong credentials)",
    403: "The role may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Request body too large",
    422: "Invalid input (codes: unknown_key, missing_field, invalid_date, invalid_value, ...)",
    429: "Too many attempts; retry after Retry-After seconds",
    503: "Database unavailable or too busy; retry after Retry-After seconds",
}
_RETRY = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each in the contract's error shape
    (400 and 503 are always declared: a body that is not even text, and a database outage,
    can meet any call)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 400, 503}):
        entry: dict[str, Any] = {"model": ErrorOut, "description": _WHY[status]}
        if status in (429, 503):
            entry["headers"] = _RETRY
        out[status] = entry
    return out


#: What any staff endpoint can answer besides success.
ERRORS = errors(401, 403, 422)
