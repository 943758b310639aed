"""``POST /api/v1/auth/token`` (OAuth2 password form), ``POST /api/v1/auth/logout`` and
``GET /api/v1/auth/me``."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Form, Request, Response

from yibao.api.deps import AnyStaff, Config, Db
from yibao.api.login import LoginGate
from yibao.api.schemas import ERRORS, Me, TokenOut, errors
from yibao.services.staff.sessions import TokenChecker, issue_token
from yibao.services.staff.users import revoke_tokens

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

#: Staff user names as ``yibao user add`` accepts them (anything else cannot log in).
USERNAME = r"^[A-Za-z0-9_.\-]{1,64}$"


@router.post("/token", responses=errors(401, 422, 429, 503))
async def token(
    request: Request,
    settings: Config,
    username: Annotated[str, Form(max_length=64, pattern=USERNAME)],
    password: Annotated[str, Form(min_length=1, max_length=256)],
) -> TokenOut:
    """Exchange username and password for a bearer token.

    Wrong passwords lock the account (and the client address) for a while: 429 with
    ``Retry-After``. Logging out or disabling the account revokes the token.
    """
    gate: LoginGate = request.app.state.login_gate
    address = request.client.host if request.client else "unknown"
    state = await gate.login(username, password, address)
    key: str = request.app.state.signing_key
    return TokenOut(
        access_token=issue_token(state, key=key, minutes=settings.token_minutes),
        token_type="bearer",
        role=state.role,
        expires_in=settings.token_minutes * 60,
    )


@router.post("/logout", status_code=204, response_class=Response, responses=errors(401))
async def logout(request: Request, db: Db, actor: AnyStaff) -> Response:
    """Revoke every token of the calling account (this one included)."""
    await anyio.to_thread.run_sync(lambda: revoke_tokens(db, actor.username, actor=actor))
    checker: TokenChecker = request.app.state.token_checker
    checker.forget(actor.username)
    return Response(status_code=204)


@router.get("/me", responses=ERRORS)
async def me(actor: AnyStaff) -> Me:
    """Who the token belongs to."""
    return Me(username=actor.username, role=actor.role, sees_full_ids=actor.sees_full_ids)
