"""Who is acting, for the API and the console alike: a token → the staff member
(:class:`~yibao.services.common.Actor`), role requirements, logging in and out.

    actor = await actor_for(request, token)     # Unauthorized without a valid token
    require(actor, CLERK)                        # Forbidden for another role
    issued = await log_in(request, Credentials(username="alice", password="..."))
    await change_password(request, actor, PasswordChange(current_password=..., new_password=...))

The API reads the token from ``Authorization: Bearer``, the console from its HttpOnly
cookie; both then go through :func:`actor_for` (one check per request, revocable
versioned tokens: :mod:`yibao.services.staff.sessions`) and :func:`require`, so roles,
refusals and their words are the same on both surfaces.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.requests import Request

from yibao.http.login import LoginGate
from yibao.services.common import Actor, Role, start_view
from yibao.services.errors import Forbidden, Unauthorized
from yibao.services.staff.sessions import TokenChecker, issue_token
from yibao.services.staff.users import revoke_tokens, set_password
from yibao.settings import Settings

__all__ = [
    "ADMIN",
    "ANY_STAFF",
    "AUDIT",
    "CLERK",
    "USERNAME",
    "Credentials",
    "Issued",
    "PasswordChange",
    "actor_for",
    "change_password",
    "client_address",
    "log_in",
    "log_out",
    "require",
]

#: Staff user names as ``yibao user add`` accepts them (anything else cannot log in).
USERNAME = r"^[A-Za-z0-9_.\-]{1,64}$"

#: Who may do what: register, record and change; read the audit log; administer.
ANY_STAFF: tuple[Role, ...] = ("clerk", "auditor", "admin")
CLERK: tuple[Role, ...] = ("clerk", "admin")
AUDIT: tuple[Role, ...] = ("auditor", "admin")
ADMIN: tuple[Role, ...] = ("admin",)


class Credentials(BaseModel):
    """A staff login (the OAuth2 password form's ``username`` and ``password``)."""

    username: Annotated[str, StringConstraints(max_length=64, pattern=USERNAME)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class PasswordChange(BaseModel):
    """``POST /api/v1/auth/password``: the current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


@dataclass(frozen=True, slots=True)
class Issued:
    """A bearer token just issued, the account's role and the token's lifetime."""

    token: str
    role: Role
    expires_in: int


async def actor_for(request: Request, token: str | None) -> Actor:
    """The staff member a token names; :class:`Unauthorized` when it is missing, expired,
    revoked or of a disabled account."""
    key: str = request.app.state.signing_key
    checker: TokenChecker = request.app.state.token_checker
    actor = await checker.actor(token, key=key) if token else None
    if actor is None:
        raise Unauthorized(
            "unauthorized",
            "需要有效的登录令牌(Authorization: Bearer ...)",
            "a valid bearer token is required (Authorization: Bearer ...)",
        )
    start_view()  # one request is one view: a full ID number shown is audited once
    return actor


def require(actor: Actor, roles: tuple[Role, ...]) -> Actor:
    """The actor, if its role is one of ``roles``; else :class:`Forbidden`."""
    if actor.role not in roles:
        raise Forbidden(
            "forbidden",
            f"角色“{actor.role}”无权执行此操作(需要:{'、'.join(roles)})",
            f"role {actor.role!r} may not do this (needs: {', '.join(roles)})",
        )
    return actor


async def log_in(request: Request, credentials: Credentials) -> Issued:
    """Check a password through the throttled gate (429, 503 or 401 as
    :class:`~yibao.http.login.LoginGate` decides) and issue a token. The client address is
    the request's: wrong passwords lock it, whichever surface they came through."""
    gate: LoginGate = request.app.state.login_gate
    settings: Settings = request.app.state.settings
    state = await gate.login(credentials.username, credentials.password,
                             client_address(request))
    checker: TokenChecker = request.app.state.token_checker
    checker.remember(state)
    key: str = request.app.state.signing_key
    return Issued(issue_token(state, key=key, minutes=settings.token_minutes), state.role,
                  settings.token_minutes * 60)


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or what a proxy named in
    ``trusted_proxies`` says (``yibao serve`` passes that list to uvicorn)."""
    return request.client.host if request.client else "unknown"


async def change_password(request: Request, actor: Actor, change: PasswordChange) -> Issued:
    """Check the current password through the throttled gate (as a login from this
    address), set the new one and revoke every earlier token; a fresh token for the
    console's cookie."""
    gate: LoginGate = request.app.state.login_gate
    state = await gate.login(actor.username, change.current_password, client_address(request),
                             action="password_check")
    db = request.app.state.db
    await anyio.to_thread.run_sync(
        functools.partial(set_password, db, actor.username, change.new_password, actor=actor,
                          reason="change_password"), limiter=gate.hashing)
    checker: TokenChecker = request.app.state.token_checker
    checker.forget(actor.username)
    settings: Settings = request.app.state.settings
    fresh = await checker.state(actor.username)
    key: str = request.app.state.signing_key
    assert fresh is not None and fresh.uid == state.uid
    return Issued(issue_token(fresh, key=key, minutes=settings.token_minutes), fresh.role,
                  settings.token_minutes * 60)


async def log_out(request: Request, actor: Actor) -> None:
    """Revoke every token of the actor's account (the one in use included)."""
    db = request.app.state.db
    await anyio.to_thread.run_sync(lambda: revoke_tokens(db, actor.username, actor=actor))
    checker: TokenChecker = request.app.state.token_checker
    checker.forget(actor.username)
