"""The pieces every shape is made of: the frozen base, money, moments, pages, errors.

    class Payment(Shape):
        amount: Yuan               # int fen inside; "280.00" in JSON; parses "280.00" back
        paid_at: Moment            # datetime inside; ISO text in JSON
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from yibao.rules.money import fen_to_yuan, parse_yuan

__all__ = ["MOMENT_TEXT", "YUAN_TEXT", "ErrorBody", "ErrorOut", "Moment", "Page", "Shape", "Yuan"]

#: An amount of yuan as yibao writes it: optional minus, whole yuan, exactly two places.
YUAN_TEXT = r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$"
_YUAN_TEXT = re.compile(YUAN_TEXT)


class Shape(BaseModel):
    """Base of every answer: frozen, and a key it does not declare is an error (a service
    cannot send what the OpenAPI document does not say)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _fen(value: object) -> object:
    """Int fen as they are; a yuan text (a stored answer read again) → int fen."""
    if isinstance(value, bool):
        raise ValueError("an amount, not a boolean")
    if isinstance(value, str):
        if not _YUAN_TEXT.fullmatch(value):
            raise ValueError(f"not an amount of yuan: {value!r}")
        fen = parse_yuan(value.lstrip("-"))
        return -fen if value.startswith("-") else fen
    return value


#: Money: int fen inside; in JSON the contract's decimal string of yuan ("280.00").
Yuan = Annotated[
    int,
    BeforeValidator(_fen),
    PlainSerializer(fen_to_yuan, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": YUAN_TEXT, "examples": ["280.00"]}),
]


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


#: ISO 8601 date and time without an offset, as Python's ``isoformat`` writes it.
MOMENT_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$"

#: A stored moment: a date and time without an offset (UTC as the registry stamps its
#: rows; a payment's ``paid_at`` is Beijing time, as the payer gave it). Not RFC 3339's
#: ``date-time``, which needs an offset: the JSON schema says what is sent, a pattern.
Moment = Annotated[
    dt.datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": MOMENT_TEXT,
                    "examples": ["2025-03-01T09:30:00"]}),
]


class Page(Shape):
    """A page of a longer list (``items`` declared by each kind of page)."""

    total: int
    page: int
    per_page: int


class ErrorBody(Shape):
    """What went wrong: a machine code, Chinese and English messages, the field at fault."""

    code: str
    message: str
    message_en: str
    field: str | None


class ErrorOut(Shape):
    """The contract's error shape."""

    error: ErrorBody
