"""Rate limits of the public look-up, per client address and per ID number.

    limits = LookupLimits()
    wait = limits.check(client="203.0.113.7", id_number="450802…", now=time.monotonic())
    if wait: answer 429, "try again in ``wait`` seconds"

In-process sliding windows: each server process counts its own look-ups, so with N
worker processes a client may get up to N times the limit; the counts are lost on
restart. That is enough to stop guessing names or numbers through one server; a bureau
running several hosts puts a shared limiter in front (documented in docs/web.md). ID
numbers are kept only as a keyed hash, never as typed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections import deque
from dataclasses import dataclass, field

__all__ = ["LookupLimits", "Window"]


@dataclass
class Window:
    """At most ``limit`` events per ``seconds`` for each key."""

    limit: int
    seconds: float
    events: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may act again (0 when it may now)."""
        q = self.events.get(key)
        if q is None:
            return 0.0
        while q and q[0] <= now - self.seconds:
            q.popleft()
        if not q:
            del self.events[key]
            return 0.0
        return q[0] + self.seconds - now if len(q) >= self.limit else 0.0

    def add(self, key: str, now: float) -> None:
        self.events.setdefault(key, deque()).append(now)


class LookupLimits:
    """Per client address (default 20 look-ups in 10 minutes) and per ID number (default 5
    in an hour, whoever asks): a wrong name counts like a right one."""

    def __init__(self, *, per_client: tuple[int, float] = (20, 600.0),
                 per_number: tuple[int, float] = (5, 3600.0)) -> None:
        self.client = Window(*per_client)
        self.number = Window(*per_number)
        self._lock = threading.Lock()
        self._key = os.urandom(16)

    def _hash(self, id_number: str) -> str:
        return hmac.new(self._key, id_number.encode(), hashlib.sha256).hexdigest()

    def check(self, *, client: str, id_number: str, now: float) -> float:
        """Seconds to wait before this look-up may run (0: it runs and is counted)."""
        number = self._hash(id_number)
        with self._lock:
            wait = max(self.client.wait(client, now), self.number.wait(number, now))
            if wait > 0:
                return wait
            self.client.add(client, now)
            self.number.add(number, now)
            return 0.0
