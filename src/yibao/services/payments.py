"""Exactly-once payments keyed by (channel, channel_txn_id), checked against the engine's quote.

Recording a payment and creating or updating the enrollment happen in one transaction.
A replay with the same body returns the first result (``created`` False); the same key
with another body is a conflict. Concurrent duplicates serialise on the person's row
and, as a last resort, on the unique key. One payment is a batch of one: both paths run
:func:`yibao.services.payments_batch.record_batch`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from yibao import reference
from yibao.errors import InputError, YibaoError
from yibao.services.common import Actor, parse_paid_at, yuan_to_fen
from yibao.services.inputs import PaymentIn
from yibao.services.payments_batch import Outcome, Prepared, record_batch
from yibao.services.persons import normalize_id
from yibao.store.db import Database

__all__ = [
    "MAX_BULK",
    "prepare",
    "record_payment",
    "record_payments",
    "record_prepared",
]

#: At most this many items in one bulk request (and one transaction of a file import).
MAX_BULK = 1000



def _normalize(data: PaymentIn) -> dict[str, Any]:
    if (data.id_number is None) == (data.pre_registration_id is None):
        raise InputError(
            "person_reference",
            "须提供 id_number 或 pre_registration_id 之一",
            "give exactly one of id_number and pre_registration_id",
            field="id_number",
        )
    reference.channel(data.channel)  # the contract's channel codes; raises unknown_channel
    norm = data.model_dump(mode="json", exclude_none=True)
    if data.id_number is not None:
        norm["id_number"] = normalize_id(data.id_number)
    norm["amount"] = yuan_to_fen(data.amount)
    norm["paid_at"] = parse_paid_at(data.paid_at).isoformat()
    return norm


def _hash(norm: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(norm, sort_keys=True).encode()).hexdigest()


def _item_error(exc: ValidationError) -> InputError:
    """A bulk item's first validation problem, with the codes the single endpoint uses."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    kind, detail = str(first["type"]), str(first["msg"])
    if kind == "extra_forbidden":
        return InputError(
            "unknown_key", f"不认识的字段“{field}”", f"unknown key {field!r}", field=field
        )
    if kind == "missing":
        return InputError(
            "missing_field",
            f"缺少必填字段“{field}”",
            f"missing required field {field!r}",
            field=field,
        )
    if kind.startswith(("date", "datetime")):
        return InputError(
            "invalid_date", f"“{field}”不是有效日期", f"{field}: {detail}", field=field
        )
    return InputError("invalid_input", f"“{field}”的值无效", f"{field}: {detail}", field=field)


def prepare(item: PaymentIn | Any) -> Prepared:
    """Validate and normalise one item; a bad item carries its error instead of raising."""
    try:
        data = item if isinstance(item, PaymentIn) else PaymentIn.model_validate(item)
    except ValidationError as exc:
        return Prepared(None, error=_item_error(exc))
    try:
        norm = _normalize(data)
    except YibaoError as exc:
        return Prepared(data, error=exc)
    return Prepared(data, norm, _hash(norm))


def record_prepared(db: Database, actor: Actor, items: list[Prepared]) -> list[Outcome]:
    """Record prepared items in one transaction (redone once if a concurrent writer won a key).

    The unique key (channel, channel_txn_id) is the last resort against concurrent writers:
    on IntegrityError the transaction is rolled back and the batch redone, when the keys the
    other writer stored are replays or conflicts.
    """
    if all(i.error is not None for i in items):
        return [Outcome("error", error=i.error) for i in items]
    for attempt in range(2):
        try:
            with db.write() as s:
                return record_batch(s.connection(), actor, items)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def record_payment(db: Database, actor: Actor, data: PaymentIn) -> tuple[dict[str, Any], bool]:
    """Record a payment once; returns (result, created). Replays return the first result."""
    item = prepare(data)
    if item.error is not None:
        raise item.error
    (outcome,) = record_prepared(db, actor, [item])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.response is not None
    return outcome.response, outcome.status == "created"


def record_payments(db: Database, actor: Actor, items: Sequence[Any]) -> dict[str, Any]:
    """Record many payments (each item as ``POST /payments`` takes it) in one transaction.

    Answer: ``{"results": [{"index", "status", "payment"?, "enrollment"?, "error"?}],
    "created", "replayed", "errors"}`` in input order; ``errors`` counts conflicts too.
    """
    outcomes = record_prepared(db, actor, [prepare(i) for i in items])
    results: list[dict[str, Any]] = []
    counts = {"created": 0, "replayed": 0, "errors": 0}
    for n, o in enumerate(outcomes):
        entry: dict[str, Any] = {"index": n, "status": o.status}
        if o.response is not None:
            entry["payment"] = o.response["payment"]
            entry["enrollment"] = o.response["enrollment"]
            counts[o.status] += 1
        else:
            counts["errors"] += 1
            if o.error is not None:
                entry["error"] = o.error.to_dict()["error"]
        results.append(entry)
    return {"results": results, **counts}
