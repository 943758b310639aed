"""Service errors beyond bad input (API status in brackets)::

    YibaoError
    ├── NotFound          not there (404)
    ├── Conflict          contradicts what is stored (409)
    ├── Forbidden         the role may not (403)
    ├── Unauthorized      no valid token or credentials (401)
    ├── TooManyRequests   throttled: try again after ``retry_after`` seconds (429)
    └── Unavailable       the database or a bounded resource is busy or down (503)
"""

from __future__ import annotations

from yibao.errors import YibaoError

__all__ = ["Conflict", "Forbidden", "NotFound", "TooManyRequests", "Unauthorized", "Unavailable"]


class NotFound(YibaoError):
    """The thing asked for does not exist."""


class Conflict(YibaoError):
    """The request contradicts what is stored (duplicate ID number, replay with another body)."""


class Forbidden(YibaoError):
    """The caller's role may not do this."""


class Unauthorized(YibaoError):
    """No valid bearer token."""


class _RetryLater(YibaoError):
    def __init__(
        self, code: str, message: str, message_en: str, *, retry_after: int,
        field: str | None = None,
    ) -> None:
        super().__init__(code, message, message_en, field=field)
        self.retry_after = max(1, int(retry_after))


class TooManyRequests(_RetryLater):
    """Too many attempts (e.g. wrong passwords): refused until ``retry_after`` seconds pass."""


class Unavailable(_RetryLater):
    """The database is unreachable or a bounded resource is saturated; retry later."""
