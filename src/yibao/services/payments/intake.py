"""A payment as it arrives: validated, normalised and fingerprinted before any database work.

The fingerprint (``digest``) of the normalised body decides replays: the same
(channel, channel_txn_id) with the same digest is a replay, with another a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from yibao.errors import InputError, YibaoError
from yibao.policy import reference_data as reference
from yibao.services.common import parse_paid_at, today_beijing, yuan_to_fen
from yibao.services.inputs import PaymentIn
from yibao.services.registry.persons import normalize_id
from yibao.validation import input_error

__all__ = ["MAX_BULK", "Prepared", "prepare"]

#: At most this many items in one bulk request (and one transaction of a file import).
MAX_BULK = 1000


@dataclass(slots=True)
class Prepared:
    """One validated, normalised item (or the error that stopped it before the database)."""

    data: PaymentIn | None
    digest: str = ""
    error: YibaoError | None = None
    id_number: str | None = None
    amount_fen: int = 0
    paid_at: dt.datetime = field(default_factory=lambda: dt.datetime(1970, 1, 1))

    @property
    def key(self) -> tuple[str, str]:
        """The exactly-once key (channel, channel_txn_id)."""
        assert self.data is not None
        return self.data.channel, self.data.channel_txn_id


def _item_error(exc: ValidationError) -> InputError:
    """An item's first validation problem, with the codes the API uses."""
    return input_error(exc.errors())


def _future(paid_at: dt.datetime, today: dt.date) -> InputError:
    return InputError(
        "paid_at_in_future",
        f"缴费时间 {paid_at:%Y-%m-%d} 晚于今天({today.isoformat()},北京时间)",
        f"paid_at {paid_at:%Y-%m-%d} is after today ({today.isoformat()}, Beijing time)",
        field="paid_at",
    )


def _normalize(data: PaymentIn, today: dt.date) -> tuple[dict[str, Any], str | None, int,
                                                         dt.datetime]:
    if (data.id_number is None) == (data.pre_registration_id is None):
        raise InputError(
            "person_reference",
            "须提供 id_number 或 pre_registration_id 之一",
            "give exactly one of id_number and pre_registration_id",
            field="id_number",
        )
    reference.channel(data.channel)  # the contract's channel codes; raises unknown_channel
    number = None if data.id_number is None else normalize_id(data.id_number)
    amount = yuan_to_fen(data.amount)
    paid_at = parse_paid_at(data.paid_at)
    if paid_at.date() > today:
        raise _future(paid_at, today)
    norm = data.model_dump(mode="json", exclude_none=True)
    if number is not None:
        norm["id_number"] = number
    norm["amount"] = amount
    norm["paid_at"] = paid_at.isoformat()
    return norm, number, amount, paid_at


def prepare(item: PaymentIn | Any, *, today: dt.date | None = None) -> Prepared:
    """Validate and normalise one item; a bad item carries its error instead of raising."""
    try:
        data = item if isinstance(item, PaymentIn) else PaymentIn.model_validate(item)
    except ValidationError as exc:
        return Prepared(None, error=_item_error(exc))
    try:
        norm, number, amount, paid_at = _normalize(data, today or today_beijing())
    except YibaoError as exc:
        return Prepared(data, error=exc)
    digest = hashlib.sha256(json.dumps(norm, sort_keys=True).encode()).hexdigest()
    return Prepared(data, digest, None, number, amount, paid_at)
