"""Login throttling: wrong passwords lock an account, and a client address, for a while.

    policy = ThrottlePolicy(account_failures=5, address_failures=30, lock_seconds=15,
                            lock_max_seconds=900, window_seconds=900)
    wait = locked_for(db, throttle_keys("alice", "203.0.113.7"))   # 0: may try
    record_failure(db, throttle_keys("alice", "203.0.113.7"), policy)
    clear_account(db, "alice")                                     # after a success

Counts live in the database (table ``login_throttle``), so every server process and
worker sees the same: the ``account_failures``-th wrong password in a row locks the
account for ``lock_seconds``, each further one doubles the lock up to ``lock_max_seconds``;
the same for a client address with ``address_failures``. While locked, attempts are
refused without checking the password (no hashing work for an attacker to cause).
Failures older than ``window_seconds`` are forgotten; a correct password clears the
account's count (not the address's). Unknown user names count like real ones.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from yibao.store.db import Database
from yibao.store.models import LoginThrottle, utcnow

__all__ = ["ThrottleKeys", "ThrottlePolicy", "clear_account", "locked_for", "record_failure",
           "throttle_keys"]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Limits and lock lengths (see the module docstring)."""

    account_failures: int = 5
    address_failures: int = 30
    lock_seconds: int = 15
    lock_max_seconds: int = 900
    window_seconds: int = 900


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """The rows an attempt counts against: its account and its client address."""

    account: str
    address: str


def throttle_keys(username: str, address: str) -> ThrottleKeys:
    """Keys for an attempt (user names compared case-insensitively, cut to 64 characters)."""
    return ThrottleKeys(f"user:{username.strip().lower()[:64]}", f"addr:{address[:64]}")


def locked_for(db: Database, keys: ThrottleKeys, *, now: dt.datetime | None = None) -> int:
    """Seconds until both the account and the address may try again (0: now)."""
    now = now or utcnow()
    with db.read() as s:
        until = s.scalars(
            select(LoginThrottle.locked_until)
            .where(LoginThrottle.key.in_((keys.account, keys.address)))
        ).all()
    wait = max((u - now).total_seconds() for u in until if u is not None) if any(until) else 0.0
    return max(0, math.ceil(wait))


def _lock(policy: ThrottlePolicy, failures: int, limit: int) -> int:
    if failures < limit:
        return 0
    step: int = 2 ** min(failures - limit, 20)
    return min(policy.lock_max_seconds, policy.lock_seconds * step)


def record_failure(db: Database, keys: ThrottleKeys, policy: ThrottlePolicy, *,
                   now: dt.datetime | None = None) -> int:
    """Count a wrong password against the account and the address; the new lock (seconds)."""
    now = now or utcnow()
    window = dt.timedelta(seconds=policy.window_seconds)
    limits = ((keys.account, policy.account_failures), (keys.address, policy.address_failures))
    for attempt in range(2):
        try:
            with db.write() as s:
                longest = 0
                for key, limit in limits:
                    row = s.get(LoginThrottle, key, with_for_update=True)
                    if row is None:
                        row = LoginThrottle(key=key, failures=0, last_failure_at=now)
                        s.add(row)
                    elif now - row.last_failure_at > window:
                        row.failures, row.locked_until = 0, None
                    row.failures += 1
                    row.last_failure_at = now
                    lock = _lock(policy, row.failures, limit)
                    if lock:
                        row.locked_until = now + dt.timedelta(seconds=lock)
                        longest = max(longest, lock)
                return longest
        except IntegrityError:  # another process inserted the same key first
            if attempt:
                raise
    raise AssertionError("unreachable")


def clear_account(db: Database, username: str) -> None:
    """Forget an account's failures (after a correct password)."""
    key = throttle_keys(username, "").account
    with db.write() as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
