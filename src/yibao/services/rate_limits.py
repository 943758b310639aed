"""Fixed-window counters kept in the database (table ``rate_limits``), so that every
server process and host counts together.

    wait = take(db, [("lc:...", 20, 600), ("ln:...", 5, 3600)])   # 0: counted; else seconds

Each key allows ``limit`` events per window of ``seconds`` starting at the key's first
event; an attempt is counted against every key or, when any key is spent, against none
(a refused attempt does not lengthen anyone's wait). Keys are the caller's keyed hashes,
never an ID number or an address as typed. Rows whose window ended are deleted now and
then.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from yibao.store.db import Database
from yibao.store.models import RateLimit, utcnow

__all__ = ["take"]

_TABLE = cast(Table, RateLimit.__table__)


def take(db: Database, limits: Sequence[tuple[str, int, float]], *,
         now: dt.datetime | None = None) -> int:
    """Count one event against every ``(key, limit, seconds)``; 0 when counted, else the
    seconds until the fullest key allows one again (nothing counted)."""
    now = now or utcnow()
    keys = sorted({k for k, _, _ in limits})
    with db.write() as s:
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        s.execute(insert(_TABLE).values([
            {"key": k, "window_start": now, "count": 0, "expires_at": now} for k in keys
        ]).on_conflict_do_nothing())
        rows = {r.key: r for r in s.scalars(select(RateLimit).where(RateLimit.key.in_(keys))
                                            .order_by(RateLimit.key).with_for_update())}
        wait = 0.0
        for key, limit, seconds in limits:
            row = rows[key]
            if row.window_start + dt.timedelta(seconds=seconds) <= now:
                row.window_start, row.count = now, 0
            if row.count >= limit:
                ends = row.window_start + dt.timedelta(seconds=seconds)
                wait = max(wait, (ends - now).total_seconds())
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _limit, seconds in limits:
            row = rows[key]
            row.count += 1
            row.expires_at = row.window_start + dt.timedelta(seconds=seconds)
        if secrets.randbelow(100) == 0:  # now and then: forget windows that ended
            s.execute(delete(RateLimit).where(RateLimit.expires_at < now,
                                              RateLimit.key.not_in(keys)))
        return 0
