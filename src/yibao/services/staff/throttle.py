"""Login throttling that a stranger cannot turn against an account's owner.

    policy = ThrottlePolicy()
    keys = throttle_keys("alice", "203.0.113.7")
    taken = take_attempt(db, keys, policy)       # before hashing: Refused(wait) or Taken
    ... check the password ...
    settle(db, keys, taken, ok=True)             # a right password gives the attempt back

Counts live in the database (table ``login_throttle``), shared by every worker and host,
under three keys per attempt:

- ``pair:USER|ADDRESS`` — the account from one client address. The ``account_failures``-th
  wrong password in a row (5) locks the account *for that address* for ``lock_seconds``,
  doubling with each further one up to ``lock_max_seconds``. Another address is not
  locked: five guesses by a stranger never lock the owner out.
- ``addr:ADDRESS`` — one address across accounts: its ``address_failures``-th failure
  (30) locks the address the same way (one address spraying many accounts).
- ``user:USER`` — the account across addresses: past ``slow_after`` failures (10) in the
  window, addresses that have already failed on the account get one password check per
  ``slow_seconds`` between them (a botnet is slowed); an address that has not failed on
  the account is never slowed, so the owner logs in from a clean address at once.

An attempt is *taken* before the password is hashed, in one write transaction that locks
the rows: it is counted as a failure at once (and sets the lock when it reaches the
limit), so 20 concurrent wrong guesses from one address get at most 5 password checks;
the others are refused without hashing anything. A right password then gives the attempt
back (the pair is cleared, the address and account counts drop by one). Failures older
than ``window_seconds`` are forgotten. Unknown user names count like real ones.

Every checked attempt is audited (``login`` / ``login_failed``, with the client address),
and so is each lock as it is set (``login_locked``); refusals while locked are not (a
flood of them would only fill the audit log).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yibao.store.db import Database
from yibao.store.models import AuditEntry, LoginThrottle, utcnow

__all__ = [
    "Refused",
    "Taken",
    "ThrottleKeys",
    "ThrottlePolicy",
    "clear_account",
    "settle",
    "take_attempt",
    "throttle_keys",
]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Limits and lock lengths (see the module docstring)."""

    account_failures: int = 5
    address_failures: int = 30
    lock_seconds: int = 15
    lock_max_seconds: int = 900
    window_seconds: int = 900
    slow_after: int = 10
    slow_seconds: int = 5


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """The rows an attempt counts against, the user name and the address it came from."""

    username: str
    address: str
    pair: str
    account: str
    client: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Not checked: wait ``seconds`` (``why``: ``pair``, ``address`` or ``slowed``)."""

    seconds: int
    why: str


@dataclass(frozen=True, slots=True)
class Taken:
    """An attempt counted before its check."""


def throttle_keys(username: str, address: str) -> ThrottleKeys:
    """Keys for an attempt (user names compared case-insensitively, cut to 64 characters)."""
    user = username.strip().lower()[:64]
    addr = address[:64]
    return ThrottleKeys(user, addr, f"pair:{user}|{addr}", f"user:{user}", f"addr:{addr}")


def _lock(policy: ThrottlePolicy, failures: int, limit: int) -> int:
    if failures < limit:
        return 0
    step: int = 2 ** min(failures - limit, 20)
    return min(policy.lock_max_seconds, policy.lock_seconds * step)


def _rows(s: Session, keys: tuple[str, ...], now: dt.datetime
          ) -> dict[str, LoginThrottle]:
    """The rows of ``keys``, created when missing, locked for this transaction."""
    table = cast(Table, LoginThrottle.__table__)
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    # New rows are locked as they are inserted: in key order, as the SELECT locks the rest,
    # so that two attempts sharing keys always queue, never deadlock.
    s.execute(insert(table).values([{"key": k, "failures": 0, "last_failure_at": now}
                                    for k in sorted(keys)]).on_conflict_do_nothing())
    rows = s.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))
                     .order_by(LoginThrottle.key).with_for_update()).all()
    return {r.key: r for r in rows}


def _fresh(row: LoginThrottle, now: dt.datetime, window: dt.timedelta) -> None:
    """Forget failures older than the window (a lock still running stays)."""
    if row.failures and now - row.last_failure_at > window and (
            row.locked_until is None or row.locked_until <= now):
        row.failures, row.locked_until = 0, None


def _wait(until: dt.datetime | None, now: dt.datetime) -> int:
    return 0 if until is None or until <= now else max(1, math.ceil((until - now).total_seconds()))


def take_attempt(db: Database, keys: ThrottleKeys, policy: ThrottlePolicy, *,
                 now: dt.datetime | None = None) -> Refused | Taken:
    """Count an attempt before its check, or refuse it (see the module docstring)."""
    now = now or utcnow()
    window = dt.timedelta(seconds=policy.window_seconds)
    with db.write() as s:
        rows = _rows(s, (keys.pair, keys.account, keys.client), now)
        pair, account, client = rows[keys.pair], rows[keys.account], rows[keys.client]
        for row in (pair, account, client):
            _fresh(row, now, window)
        failed_here = pair.failures > 0
        slowed = failed_here and account.failures >= policy.slow_after
        for why, wait in (("pair", _wait(pair.locked_until, now)),
                          ("address", _wait(client.locked_until, now)),
                          ("slowed", _wait(account.locked_until, now) if slowed else 0)):
            if wait:
                return Refused(wait, why)
        locks = []
        for row, limit in ((pair, policy.account_failures), (client, policy.address_failures)):
            row.failures += 1
            row.last_failure_at = now
            lock = _lock(policy, row.failures, limit)
            if lock:
                row.locked_until = now + dt.timedelta(seconds=lock)
                locks.append((row.key.split(":", 1)[0], lock))
        account.failures += 1
        account.last_failure_at = now
        if slowed:
            account.locked_until = now + dt.timedelta(seconds=policy.slow_seconds)
        for kind, seconds in locks:
            s.add(AuditEntry(actor=keys.username, action="login_locked", entity="staff_user",
                             after={"address": keys.address, "lock": kind,
                                    "seconds": seconds}))
        if secrets.randbelow(200) == 0:  # now and then: forget counters nobody needs
            _prune(s, now - window, (keys.pair, keys.account, keys.client))
        return Taken()


def _prune(s: Session, before: dt.datetime, keep: tuple[str, ...]) -> None:
    """Delete counters whose last failure is older than the window and whose lock ended
    (guessed user names and addresses would otherwise pile up)."""
    s.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < before, LoginThrottle.key.not_in(keep),
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < before)))


def settle(db: Database, keys: ThrottleKeys, *, ok: bool, uid: int | None,
           action: str = "login") -> None:
    """After the check: audit it; a right password gives the attempt back."""
    with db.write() as s:
        if ok:
            s.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.pair))
            for row in s.scalars(select(LoginThrottle).where(
                    LoginThrottle.key.in_((keys.account, keys.client))).with_for_update()):
                row.failures = max(0, row.failures - 1)
        s.add(AuditEntry(actor=keys.username, action=action if ok else f"{action}_failed",
                         entity="staff_user", entity_id=None if uid is None else str(uid),
                         after={"address": keys.address}))


def clear_account(db: Database, username: str) -> None:
    """Forget every failure of an account (after an admin reset its password)."""
    keys = throttle_keys(username, "")
    with db.write() as s:
        s.execute(delete(LoginThrottle).where(
            (LoginThrottle.key == keys.account)
            | LoginThrottle.key.startswith(f"pair:{keys.username}|", autoescape=True)))
