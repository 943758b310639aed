"""Payments: recorded exactly once with their enrollment; reversals; settling; reading.

    record_payment(db, actor, PaymentIn(...))     # → (PaymentRecorded, created)
    await record_one(batcher, actor, body)        # the same, batched with concurrent ones
    record_payments(db, actor, items)             # bulk, one transaction
    reverse_payment(db, actor, payment_id, ReversalIn(...))
    settle_pending(db, actor)                     # after figures are published
    import_payments(db, actor, Path("channel.csv"))

Inside: ``intake`` validates and fingerprints, ``ledger`` applies items to enrollments
(``cover`` holds the pure rules of cover and settlement), ``rows`` reads and writes the
tables, ``requote`` quotes a stored enrollment again at its anchor payment.
"""

from __future__ import annotations

from yibao.services.payments.batcher import PaymentBatcher, record_one
from yibao.services.payments.importer import import_payments
from yibao.services.payments.intake import MAX_BULK, prepare
from yibao.services.payments.queries import get_payment, list_payments
from yibao.services.payments.recording import record_payment, record_payments, record_prepared
from yibao.services.payments.reversals import decide_reversal, list_reversals, reverse_payment
from yibao.services.payments.settling import settle_pending

__all__ = [
    "MAX_BULK",
    "PaymentBatcher",
    "decide_reversal",
    "get_payment",
    "import_payments",
    "list_payments",
    "list_reversals",
    "prepare",
    "record_one",
    "record_payment",
    "record_payments",
    "record_prepared",
    "reverse_payment",
    "settle_pending",
]
