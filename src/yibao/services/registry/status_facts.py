"""The status changes a quote of a registered person reads (contract §2.2, docs/rules.md C37).

    changes = load_status_changes(conn, [person_id])[person_id]
    pick_status_change(changes, coverage_year=2025, payment_date=date(2025, 5, 20))

Only recorded changes that were not withdrawn count. A quote carries at most one: the
latest that began on or before the payment day, in the coverage year or the year before
(a change can only free a payment from waiting in the months just after it: the engine's
window, C30, is 3 months; a veteran discharged years ago is not told again on every
quote that the discharge changes nothing). Whether it frees this payment from waiting is
the engine's to decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, select

from yibao.store.models import StatusChange

__all__ = ["STATUS_CHANGES", "StatusFact", "load_status_changes", "pick_status_change"]

STATUS_CHANGES = cast(Table, StatusChange.__table__)
_S = STATUS_CHANGES


@dataclass(frozen=True, slots=True)
class StatusFact:
    """A recorded status change: its row id, kind and first day."""

    id: int
    kind: str
    date: dt.date


def load_status_changes(conn: Connection, person_ids: Iterable[int]
                        ) -> dict[int, tuple[StatusFact, ...]]:
    """Each person's status changes that are not withdrawn, oldest first (one query)."""
    ids = sorted(set(person_ids))
    out: dict[int, list[StatusFact]] = {}
    if not ids:
        return {}
    for r in conn.execute(
        select(_S.c.id, _S.c.person_id, _S.c.kind, _S.c.began_on)
        .where(_S.c.person_id.in_(ids), _S.c.withdrawn_at.is_(None))
        .order_by(_S.c.person_id, _S.c.began_on, _S.c.id)
    ):
        out.setdefault(r.person_id, []).append(StatusFact(r.id, r.kind, r.began_on))
    return {pid: tuple(rows) for pid, rows in out.items()}


def pick_status_change(changes: Iterable[StatusFact], coverage_year: int,
                       payment_date: dt.date) -> StatusFact | None:
    """The status change a quote for ``coverage_year`` paid on ``payment_date`` carries
    (C37): the latest that began on or before the payment day, in the coverage year or
    the year before; the one recorded last when two began the same day."""
    found = [c for c in changes
             if c.date <= payment_date and c.date.year >= coverage_year - 1]
    return max(found, key=lambda c: (c.date, c.id), default=None)
