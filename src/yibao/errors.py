"""One exception hierarchy for yibao.

    YibaoError
    ├── InputError          bad input from a user: answered with 422 / exit code 2
    │   └── UnknownRegion
    ├── PolicyDataError     a policy data file is malformed (a bug in the data, not the input)
    └── ConfigurationError  a setting the service must refuse to start with (weak secret key)

Service errors (not found, conflict, forbidden, throttled, ...) are in
:mod:`yibao.services.errors`.

Every error carries a machine code, a Chinese message, an English message and,
where one field is at fault, that field's name, so that the API, the CLI and
the batch runner can all render the contract's error shape::

    {"error": {"code": ..., "message": ..., "message_en": ..., "field": ...}}
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigurationError", "InputError", "PolicyDataError", "UnknownRegion", "YibaoError"]


def _restore(cls: type[YibaoError], state: dict[str, Any]) -> YibaoError:
    """A pickled error again, without calling its ``__init__`` (subclasses add arguments)."""
    error = cls.__new__(cls)
    Exception.__init__(error, f"{state.get('message')} / {state.get('message_en')}")
    error.__dict__.update(state)
    return error


class YibaoError(Exception):
    """Base class of every error yibao raises on purpose."""

    def __init__(
        self, code: str, message: str, message_en: str, *, field: str | None = None
    ) -> None:
        super().__init__(f"{message} / {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable with every attribute (a worker process hands a refused item back):
        ``Exception`` would call ``__init__`` with the message alone."""
        return (_restore, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, dict[str, str | None]]:
        """The contract's error shape."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "message_en": self.message_en,
                "field": self.field,
            }
        }


class InputError(YibaoError):
    """The input cannot be answered as given (bad ID number, impossible date, ...)."""


class UnknownRegion(InputError):
    """A region code that is not in the policy data."""


class PolicyDataError(YibaoError):
    """A policy data file breaks the data rules (no source, overlapping dates, ...)."""


class ConfigurationError(YibaoError):
    """A setting the service refuses to run with (e.g. a short or guessable secret key)."""
