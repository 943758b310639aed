"""Logging in without letting guesses or a burst of logins hurt anyone else.

    gate = LoginGate(db, settings)
    state = await gate.login("alice", "secret", "203.0.113.7")   # or raises

1. A locked account or client address is refused at once with 429 and ``Retry-After``
   (:mod:`yibao.services.staff.throttle`), without hashing anything.
2. Password checks (argon2, ~0.1-0.2 s of CPU each) run on a limiter of their own
   (``login_hash_concurrency`` at a time per process), not on the request threads; when
   ``login_queue_limit`` attempts already wait, the next is answered 503 ``login_busy``
   with ``Retry-After``. Other requests keep their threads and most of the CPU.
3. A wrong password counts against the account and the address; a right one clears the
   account's count.
"""

from __future__ import annotations

import anyio
import anyio.to_thread

from yibao.services.errors import TooManyRequests, Unauthorized, Unavailable
from yibao.services.staff.sessions import StaffState
from yibao.services.staff.throttle import (
    ThrottlePolicy,
    clear_account,
    locked_for,
    record_failure,
    throttle_keys,
)
from yibao.services.staff.users import authenticate
from yibao.settings import Settings
from yibao.store.db import Database

__all__ = ["LoginGate"]


def _locked(seconds: int) -> TooManyRequests:
    return TooManyRequests(
        "too_many_attempts",
        f"密码错误次数过多，已暂时锁定，请 {seconds} 秒后再试",
        f"too many wrong passwords: locked for now, try again in {seconds} s",
        retry_after=seconds,
    )


class LoginGate:
    """Throttled, bounded password logins for one server process."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._policy = ThrottlePolicy(
            account_failures=settings.login_max_failures_account,
            address_failures=settings.login_max_failures_address,
            lock_seconds=settings.login_lock_seconds,
            lock_max_seconds=settings.login_lock_max_seconds,
            window_seconds=settings.login_failure_window_seconds,
        )
        self._hashing = anyio.CapacityLimiter(max(1, settings.login_hash_concurrency))
        self._queue_limit = settings.login_queue_limit
        self._waiting = 0

    async def login(self, username: str, password: str, address: str) -> StaffState:
        """The account, or TooManyRequests (429), Unavailable (503), Unauthorized (401)."""
        keys = throttle_keys(username, address)
        wait = await anyio.to_thread.run_sync(locked_for, self._db, keys)
        if wait:
            raise _locked(wait)
        if self._waiting >= self._queue_limit:
            raise Unavailable("login_busy", "登录请求过多，请稍后再试",
                              "too many logins at once; try again shortly", retry_after=1)
        self._waiting += 1
        try:
            state = await anyio.to_thread.run_sync(
                authenticate, self._db, username, password, limiter=self._hashing
            )
        finally:
            self._waiting -= 1
        if state is None:
            await anyio.to_thread.run_sync(record_failure, self._db, keys, self._policy)
            raise Unauthorized("invalid_credentials", "用户名或密码错误",
                               "wrong username or password", field="password")
        await anyio.to_thread.run_sync(clear_account, self._db, username)
        return state
