"""``--import-missing``: the lines missing from the ledger recorded through the
exactly-once payment path (:func:`yibao.services.payments.record_payments`), in
transactions of up to :data:`~yibao.services.payments.MAX_BULK` items.

The key is (channel, transaction id): a line already recorded is a replay, so running the
same statement twice records nothing the second time. A line the ledger refuses (unknown
person, an amount it cannot take, ...) keeps its error code as its outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from yibao.services.common import Actor, fen_to_yuan
from yibao.services.payments import MAX_BULK, record_payments
from yibao.services.shapes import BulkFailed
from yibao.store.db import Database

__all__ = ["import_missing"]


def import_missing(db: Database, actor: Actor, channel: str, missing: pa.Table
                   ) -> tuple[list[str], dict[str, int]]:
    """Record each row of ``missing`` (matching.DIFF_SCHEMA rows); per row its outcome
    (``created``, ``replayed`` or an error code) and the counts."""
    rows = missing.to_pylist()
    outcomes: list[str] = []
    for start in range(0, len(rows), MAX_BULK):
        items: list[dict[str, Any]] = []
        for row in rows[start:start + MAX_BULK]:
            paid_at: dt.datetime = row["paid_at"]
            items.append({
                "id_number": row["id_number"], "coverage_year": row["coverage_year"],
                "channel": channel, "channel_txn_id": row["txn_id"],
                "amount": fen_to_yuan(row["statement_fen"]),
                "paid_at": paid_at.isoformat(timespec="seconds"),
            })
        answer = record_payments(db, actor, items)
        for result in answer.results:
            outcomes.append(result.error.code if isinstance(result, BulkFailed)
                            else result.status)
    counts = {
        "imported": outcomes.count("created"),
        "import_replayed": outcomes.count("replayed"),
        "import_failed": sum(o not in ("created", "replayed") for o in outcomes),
    }
    return outcomes, counts
