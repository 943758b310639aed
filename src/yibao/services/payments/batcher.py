"""Single payments that arrive together are recorded together (natural batching).

    batcher = PaymentBatcher(db)
    outcome = await batcher.submit(actor, prepare(body))
    payment, created = await record_one(batcher, actor, body)    # or raises its error

While a transaction is being written, the payments that arrive wait; when it is done they
go into the next transaction together. At low load a batch is one payment (no added
wait); under load, the per-transaction costs (round trips, commit) are shared, as in the
bulk path. One transaction at a time per server process (``in_flight``): a second one
would only share the same interpreter's CPU (the GIL), while the payments queued behind
the first go together into the next (docs/speed.md: 682-715 → 774-779 payments/s).
Each payment still gets exactly its own outcome, decided as if recorded alone in arrival
order (see :mod:`yibao.services.payments.ledger`). A batch that fails as a whole
for an unexpected reason is redone one payment at a time, so one bad item only fails itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

from yibao.services.common import Actor, id_reads_shown
from yibao.services.inputs import PaymentIn
from yibao.services.payments.intake import Prepared, prepare
from yibao.services.payments.recording import record_prepared
from yibao.services.payments.rows import Outcome
from yibao.services.shapes import PaymentRecorded
from yibao.store.db import Database

__all__ = ["PaymentBatcher", "record_one"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Waiting:
    actor: Actor
    item: Prepared
    done: asyncio.Future[Outcome] = field(repr=False)


class PaymentBatcher:
    """Coalesces concurrent single payments into shared transactions (one per actor)."""

    def __init__(self, db: Database, *, max_items: int = 200, in_flight: int = 1) -> None:
        self._db = db
        self._max_items = max_items
        self._in_flight = in_flight
        self._running = 0
        self._queue: list[_Waiting] = []

    async def submit(self, actor: Actor, item: Prepared) -> Outcome:
        """Record one prepared payment; returns its outcome."""
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(actor, item, done))
        self._start()
        return await done

    def _start(self) -> None:
        while self._queue and self._running < self._in_flight:
            batch, self._queue = self._queue[: self._max_items], self._queue[self._max_items:]
            self._running += 1
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await anyio.to_thread.run_sync(self._record, batch)
            for waiting, outcome in zip(batch, outcomes, strict=True):
                if waiting.done.done():
                    continue
                if isinstance(outcome, Outcome):
                    waiting.done.set_result(outcome)
                else:
                    waiting.done.set_exception(outcome)
        except BaseException as exc:  # handed to every request still waiting
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            self._running -= 1
            self._start()

    def _record(self, batch: list[_Waiting]) -> list[Outcome | Exception]:
        by_actor: dict[Actor, list[int]] = defaultdict(list)
        for n, waiting in enumerate(batch):
            by_actor[waiting.actor].append(n)
        out: list[Outcome | Exception] = [Outcome("error")] * len(batch)
        for actor, indexes in by_actor.items():
            items = [batch[n].item for n in indexes]
            outcomes: list[Outcome | Exception]
            try:
                outcomes = list(record_prepared(self._db, actor, items))
            except Exception as exc:
                if len(items) == 1:
                    outcomes = [exc]
                else:
                    log.warning("a batch of %d payments failed (%s); recording them one by one",
                                len(items), type(exc).__name__)
                    outcomes = [self._alone(actor, item) for item in items]
            for n, outcome in zip(indexes, outcomes, strict=True):
                out[n] = outcome
        return out

    def _alone(self, actor: Actor, item: Prepared) -> Outcome | Exception:
        try:
            (outcome,) = record_prepared(self._db, actor, [item])
        except Exception as exc:
            return exc
        return outcome


async def record_one(batcher: PaymentBatcher, actor: Actor, data: PaymentIn | Any
                     ) -> tuple[PaymentRecorded, bool]:
    """Record one payment through the batcher: (the answer, whether it was created; a
    replay answers the first answer). Raises the item's error (InputError, Conflict, ...)."""
    item = prepare(data)
    if item.error is not None:
        raise item.error
    outcome = await batcher.submit(actor, item)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.response is not None
    if outcome.person_id is not None:  # the batch audited the full ID number it shows
        id_reads_shown(actor, [outcome.person_id])
    return outcome.response, outcome.status == "created"
