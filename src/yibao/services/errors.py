"""Service errors beyond bad input: not found, conflict, forbidden (API: 404, 409, 403)."""

from __future__ import annotations

from yibao.errors import YibaoError

__all__ = ["Conflict", "Forbidden", "NotFound", "Unauthorized"]


class NotFound(YibaoError):
    """The thing asked for does not exist."""


class Conflict(YibaoError):
    """The request contradicts what is stored (duplicate ID number, replay with another body)."""


class Forbidden(YibaoError):
    """The caller's role may not do this."""


class Unauthorized(YibaoError):
    """No valid bearer token."""
