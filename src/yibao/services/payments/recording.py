"""Exactly-once payments keyed by (channel, channel_txn_id), recorded with their enrollment.

Recording a payment and creating or updating the enrollment happen in one transaction.
A replay with the same body returns the first result (``created`` False); the same key
with another body is a conflict. Concurrent duplicates serialise on the person's row
and, as a last resort, on the unique key. One payment is a batch of one: both paths run
:func:`yibao.services.payments.ledger.record_batch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError

from yibao.services.common import Actor, audit_id_reads
from yibao.services.inputs import PaymentIn
from yibao.services.payments.intake import Prepared, prepare
from yibao.services.payments.ledger import record_batch
from yibao.services.payments.rows import Outcome
from yibao.services.shapes import BulkDone, BulkFailed, BulkResult, ErrorBody, PaymentRecorded
from yibao.store.db import Database

__all__ = ["record_payment", "record_payments", "record_prepared"]


def record_prepared(db: Database, actor: Actor, items: list[Prepared]) -> list[Outcome]:
    """Record prepared items in one transaction (redone once if a concurrent writer won a key).

    The unique key (channel, channel_txn_id) is the last resort against concurrent writers:
    on IntegrityError the transaction is rolled back and the batch redone, when the keys the
    other writer stored are replays or conflicts. Answers that show full ID numbers (created
    and replayed, for clerks and admins) are audited as ``read_id_number`` in the same
    transaction (created ones in the same INSERT as their other audit rows).
    """
    if all(i.error is not None for i in items):
        return [Outcome("error", error=i.error) for i in items]
    for attempt in range(2):
        try:
            with db.write() as s:
                outcomes = record_batch(s.connection(), actor, items)
                # created answers are audited with the rows they wrote; replays here
                shown = [o.person_id for o in outcomes if o.status == "replayed"
                         and o.person_id is not None and o.response
                         and o.response.payment.id_number]
                audit_id_reads(s, actor, shown, "record_payment")
                return outcomes
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def record_payment(db: Database, actor: Actor, data: PaymentIn
                   ) -> tuple[PaymentRecorded, bool]:
    """Record a payment once; returns (result, created). Replays return the first result."""
    item = prepare(data)
    if item.error is not None:
        raise item.error
    (outcome,) = record_prepared(db, actor, [item])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.response is not None
    return outcome.response, outcome.status == "created"


def record_payments(db: Database, actor: Actor, items: Sequence[Any]) -> BulkResult:
    """Record many payments (each item as ``POST /payments`` takes it) in one transaction:
    one result per item in input order, and counts (``errors`` counts conflicts too)."""
    outcomes = record_prepared(db, actor, [prepare(i) for i in items])
    results: list[BulkDone | BulkFailed] = []
    counts = {"created": 0, "replayed": 0, "errors": 0}
    for n, o in enumerate(outcomes):
        if o.response is not None and o.status in ("created", "replayed"):
            results.append(BulkDone(index=n, status=o.status, payment=o.response.payment,
                                    enrollment=o.response.enrollment))
            counts[o.status] += 1
            continue
        counts["errors"] += 1
        status = "conflict" if o.status == "conflict" else "error"
        results.append(BulkFailed(index=n, status=status, error=_error_body(o)))
    return BulkResult(results=results, **counts)


def _error_body(o: Outcome) -> ErrorBody:
    if o.error is None:  # never expected: an item the batch gave no outcome
        return ErrorBody(code="internal_error", message="系统内部错误,未记录",
                         message_en="internal error; not recorded", field=None)
    return ErrorBody.model_validate(o.error.to_dict()["error"])
