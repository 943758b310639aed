"""``POST /api/v1/auth/token`` (OAuth2 password form), ``POST /api/v1/auth/logout`` and
``GET /api/v1/auth/me`` (logging in and out: :mod:`yibao.http.auth`, shared with the
console)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from yibao.api.deps import AnyStaff
from yibao.api.schemas import ERRORS, Me, TokenOut, errors
from yibao.http.auth import Credentials, log_in, log_out

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", responses=errors(401, 422, 429, 503))
async def token(request: Request, credentials: Annotated[Credentials, Form()]) -> TokenOut:
    """Exchange username and password for a bearer token.

    Wrong passwords lock the account (and the client address) for a while: 429 with
    ``Retry-After``. Logging out or disabling the account revokes the token.
    """
    issued = await log_in(request, credentials)
    return TokenOut(access_token=issued.token, token_type="bearer", role=issued.role,
                    expires_in=issued.expires_in)


@router.post("/logout", status_code=204, response_class=Response, responses=errors(401))
async def logout(request: Request, actor: AnyStaff) -> Response:
    """Revoke every token of the calling account (this one included)."""
    await log_out(request, actor)
    return Response(status_code=204)


@router.get("/me", responses=ERRORS)
async def me(actor: AnyStaff) -> Me:
    """Who the token belongs to."""
    return Me(username=actor.username, role=actor.role, sees_full_ids=actor.sees_full_ids)
