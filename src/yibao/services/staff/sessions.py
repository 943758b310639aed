"""Bearer tokens that can be taken back.

    token = issue_token(state, key=key, minutes=480)
    checker = TokenChecker(db, ttl=2.0)
    actor = await checker.actor(token, key=key)   # None: invalid, expired or revoked

A token (JWT, HS256) names the user by name and row id and carries the user's *token
version*. Logging out and disabling an account raise the version, so every token issued
before stops working. Each request checks the token against the account as stored
(exists, active, same row id, same version; the role and the region are taken from the
account, so a change applies at once). The account is read at most once per ``ttl`` seconds per
process: a revocation applies at once in the process that made it and within ``ttl``
seconds in every other.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

import anyio.to_thread
import jwt
from sqlalchemy import select

from yibao.services.common import ROLES, Actor, Role
from yibao.store.db import Database
from yibao.store.models import StaffUser

__all__ = ["StaffState", "TokenChecker", "actor_of", "issue_token", "read_claims", "staff_state"]


@dataclass(frozen=True, slots=True)
class StaffState:
    """What a token is checked against: the account as stored."""

    uid: int
    username: str
    role: Role
    active: bool
    version: int
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Claims:
    """The checked claims of a token."""

    username: str
    uid: int
    version: int
    expires: float  # the token's ``exp`` (POSIX seconds): valid while now < expires


def staff_state(db: Database, username: str) -> StaffState | None:
    """The stored account of ``username`` (None when there is none)."""
    with db.read() as s:
        row = s.execute(
            select(StaffUser.id, StaffUser.role, StaffUser.active, StaffUser.token_version,
                   StaffUser.region)
            .where(StaffUser.username == username)
        ).first()
    if row is None or row.role not in ROLES:
        return None
    return StaffState(row.id, username, cast(Role, row.role), bool(row.active),
                      int(row.token_version), row.region)


def actor_of(state: StaffState) -> Actor:
    """The acting user of an account as stored: its role and its region (read from the
    account on every check, never from the token, so a change applies at once)."""
    return Actor(state.username, state.role, state.region)


def issue_token(state: StaffState, *, key: str, minutes: int) -> str:
    """A signed bearer token naming the user, its row id and its token version."""
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": state.username,
        "uid": state.uid,
        "ver": state.version,
        "role": state.role,
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def read_claims(token: str, *, key: str) -> Claims | None:
    """The claims of a validly signed, unexpired token of this version of yibao, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"],
                            options={"require": ["exp", "sub", "uid", "ver"]})
    except jwt.PyJWTError:
        return None
    sub, uid, ver = claims.get("sub"), claims.get("uid"), claims.get("ver")
    if not isinstance(sub, str) or type(uid) is not int or type(ver) is not int:
        return None
    return Claims(sub, uid, ver, float(claims["exp"]))


class TokenChecker:
    """Checks tokens against the stored accounts, each account read at most every ``ttl`` s."""

    def __init__(self, db: Database, *, ttl: float = 2.0) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[str, tuple[float, StaffState | None]] = {}
        self._verified: dict[tuple[str, str], Claims] = {}

    def forget(self, username: str) -> None:
        """Drop the cached account (after this process changed it)."""
        self._cache.pop(username, None)

    def remember(self, state: StaffState) -> None:
        """Cache the account as a login just read it (an account enabled again a moment ago
        is not refused from a stale copy)."""
        self._cache[state.username] = (time.monotonic(), state)

    async def state(self, username: str) -> StaffState | None:
        """The account, from the cache while fresh, else read in a worker thread."""
        now = time.monotonic()
        hit = self._cache.get(username)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        state = await anyio.to_thread.run_sync(staff_state, self._db, username)
        if len(self._cache) > 10_000:  # bounded: unknown names must not grow it forever
            self._cache.clear()
        self._cache[username] = (now, state)
        return state

    def claims(self, token: str, *, key: str) -> Claims | None:
        """:func:`read_claims`, the signature checked once per token (a tenth of a payment's
        time in the event loop): the same token again is the same signed bytes, and its
        expiry is checked on every use, as ``jwt.decode`` checks it (valid while now < exp)."""
        hit = self._verified.get((token, key))
        if hit is not None:
            return hit if time.time() < hit.expires else None
        claims = read_claims(token, key=key)
        if claims is not None:
            if len(self._verified) > 10_000:  # bounded, like the accounts' cache
                self._verified.clear()
            self._verified[token, key] = claims
        return claims

    async def actor(self, token: str, *, key: str) -> Actor | None:
        """The acting user, or None for a bad, expired or revoked token."""
        claims = self.claims(token, key=key)
        if claims is None:
            return None
        state = await self.state(claims.username)
        if state is not None and state.uid == claims.uid and state.version < claims.version:
            # A token newer than the cached account: another worker process changed the
            # account a moment ago (enabled it again, changed a password); read it afresh.
            self.forget(claims.username)
            state = await self.state(claims.username)
        if (state is None or not state.active or state.uid != claims.uid
                or state.version != claims.version):
            return None
        return actor_of(state)
