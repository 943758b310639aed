"""Rate limits of the public look-up: per client address, and per ID number *from that
client*, kept in the database (shared by every worker process and host).

    limits = LookupLimits(db, key=signing_key, per_client=(20, 600), per_number=(5, 3600))
    wait = limits.check(client="203.0.113.7", id_number="450802…")
    if wait: answer 429, "try again in ``wait`` seconds" (and at what time)

A wrong name counts like a right one. The per-number limit is keyed by the number *and*
the client, so look-ups of someone's number from elsewhere cannot spend it and lock that
person out of their own look-up; guessing names for one number stays bounded by both
limits of each client. The client is the connection's peer, or the address a proxy named
in ``trusted_proxies`` reports (``yibao serve``). Numbers and addresses are stored only as
keyed hashes (HMAC with the signing key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from yibao.services.rate_limits import take
from yibao.store.db import Database

__all__ = ["LookupLimits", "parse_limit"]


def parse_limit(text: str, default: tuple[int, float]) -> tuple[int, float]:
    """``"20/600"``: at most 20 per 600 seconds (the default when ``text`` is malformed)."""
    try:
        count, seconds = text.split("/")
        parsed = int(count), float(seconds)
    except ValueError:
        return default
    return parsed if parsed[0] >= 1 and 1 <= parsed[1] <= 86_400 else default


class LookupLimits:
    """Per client address (default 20 look-ups in 10 minutes) and per ID number from one
    client (default 5 an hour)."""

    def __init__(self, db: Database, *, key: str, per_client: tuple[int, float] = (20, 600.0),
                 per_number: tuple[int, float] = (5, 3600.0)) -> None:
        self._db = db
        self._key = hashlib.sha256(b"yibao-lookup-limits:" + key.encode()).digest()
        self.per_client = per_client
        self.per_number = per_number

    def _hash(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def check(self, *, client: str, id_number: str, now: dt.datetime | None = None) -> int:
        """Seconds to wait before this look-up may run (0: it runs and is counted)."""
        return take(self._db, now=now, limits=[
            ("lc:" + self._hash(client), self.per_client[0], self.per_client[1]),
            ("ln:" + self._hash(f"{id_number}|{client}"), self.per_number[0],
             self.per_number[1]),
        ])
