"""Logging in without letting guesses or a burst of logins hurt anyone else.

    gate = LoginGate(db, settings)
    state = await gate.login("alice", "secret", "203.0.113.7")   # or raises

1. When ``login_queue_limit`` attempts already wait for a password check in this
   process, the next is answered 503 ``login_busy`` with ``Retry-After`` (nothing counted).
2. The attempt is *taken* (:func:`yibao.services.staff.throttle.take_attempt`): counted
   in the database before anything is hashed, or refused with 429 and ``Retry-After``
   when the account is locked for this address, the address is locked, or the account is
   slowed for addresses that already failed on it. A stranger's guesses lock only the
   stranger's address.
3. Password checks (argon2, ~0.1-0.2 s of CPU each) run on a limiter of their own
   (``login_hash_concurrency`` at a time per process), not on the request threads.
4. The check is audited (``login`` / ``login_failed``, with the address); a right password
   gives the attempt back.

The same gate checks the current password of a password change (audited as
``password_check``), so a stolen token cannot be used to guess it faster than a login.
"""

from __future__ import annotations

import anyio
import anyio.to_thread

from yibao.services.errors import TooManyRequests, Unauthorized, Unavailable
from yibao.services.staff.sessions import StaffState
from yibao.services.staff.throttle import (
    Refused,
    ThrottlePolicy,
    settle,
    take_attempt,
    throttle_keys,
)
from yibao.services.staff.users import authenticate
from yibao.settings import Settings
from yibao.store.db import Database

__all__ = ["LoginGate"]


def _locked(refused: Refused) -> TooManyRequests:
    seconds = refused.seconds
    if refused.why == "slowed":
        return TooManyRequests(
            "too_many_attempts",
            f"该账号近来密码错误次数过多,请 {seconds} 秒后再试",
            f"too many wrong passwords for this account lately: try again in {seconds} s",
            retry_after=seconds)
    return TooManyRequests(
        "too_many_attempts",
        f"密码错误次数过多，已暂时锁定，请 {seconds} 秒后再试",
        f"too many wrong passwords: locked for now, try again in {seconds} s",
        retry_after=seconds,
    )


class LoginGate:
    """Throttled, bounded password checks for one server process."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._policy = ThrottlePolicy(
            account_failures=settings.login_max_failures_account,
            address_failures=settings.login_max_failures_address,
            lock_seconds=settings.login_lock_seconds,
            lock_max_seconds=settings.login_lock_max_seconds,
            window_seconds=settings.login_failure_window_seconds,
            slow_after=settings.login_slow_after_failures,
            slow_seconds=settings.login_slow_seconds,
        )
        self._hashing = anyio.CapacityLimiter(max(1, settings.login_hash_concurrency))
        self._queue_limit = settings.login_queue_limit
        self._waiting = 0

    @property
    def hashing(self) -> anyio.CapacityLimiter:
        """The limiter password hashing runs on (a new password's hash too)."""
        return self._hashing

    async def login(self, username: str, password: str, address: str, *,
                    action: str = "login") -> StaffState:
        """The account, or TooManyRequests (429), Unavailable (503), Unauthorized (401)."""
        if self._waiting >= self._queue_limit:
            raise Unavailable("login_busy", "登录请求过多，请稍后再试",
                              "too many logins at once; try again shortly", retry_after=1)
        keys = throttle_keys(username, address)
        self._waiting += 1  # counted before the first await: the check above stays true
        try:
            taken = await anyio.to_thread.run_sync(take_attempt, self._db, keys, self._policy)
            if isinstance(taken, Refused):
                raise _locked(taken)
            state = await anyio.to_thread.run_sync(
                authenticate, self._db, username, password, limiter=self._hashing
            )
        finally:
            self._waiting -= 1
        await anyio.to_thread.run_sync(
            lambda: settle(self._db, keys, ok=state is not None,
                           uid=None if state is None else state.uid, action=action))
        if state is None:
            raise Unauthorized("invalid_credentials", "用户名或密码错误",
                               "wrong username or password", field="password")
        return state
