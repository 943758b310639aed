"""``POST /api/v1/auth/token`` (OAuth2 password form), ``POST /api/v1/auth/logout``,
``POST /api/v1/auth/password`` and ``GET /api/v1/auth/me`` (logging in and out, changing
the password: :mod:`yibao.http.auth`, shared with the console)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from yibao.api.deps import AnyStaff
from yibao.api.schemas import ERRORS, Me, TokenOut, errors
from yibao.http.auth import Credentials, PasswordChange, change_password, log_in, log_out
from yibao.http.strict_json import StrictJSONRoute
from yibao.services.errors import Forbidden, Unauthorized

router = APIRouter(prefix="/api/v1/auth", tags=["auth"],
                   route_class=StrictJSONRoute)


@router.post("/token", responses=errors(401, 422, 429, 503))
async def token(request: Request, credentials: Annotated[Credentials, Form()]) -> TokenOut:
    """Exchange username and password for a bearer token.

    Wrong passwords lock the account for the client address that sent them (and an
    address that fails on many accounts) for a while: 429 with ``Retry-After``; another
    address is not locked. Logging out, changing the password or disabling the account
    revokes the token.
    """
    issued = await log_in(request, credentials)
    return TokenOut(access_token=issued.token, token_type="bearer", role=issued.role,
                    expires_in=issued.expires_in)


@router.post("/logout", status_code=204, response_class=Response, responses=errors(401))
async def logout(request: Request, actor: AnyStaff) -> Response:
    """Revoke every token of the calling account (this one included)."""
    await log_out(request, actor)
    return Response(status_code=204)


@router.post("/password", status_code=204, response_class=Response,
             responses=errors(401, 403, 422, 429))
async def password(request: Request, actor: AnyStaff, change: PasswordChange) -> Response:
    """Change the calling account's password: 204, and every earlier token of the account
    (this one included) stops working. A wrong current password is 403
    ``wrong_password`` and counts as a failed login from this address."""
    try:
        await change_password(request, actor, change)
    except Unauthorized as exc:
        raise Forbidden("wrong_password", "当前密码不正确", "the current password is wrong",
                        field="current_password") from exc
    return Response(status_code=204)


@router.get("/me", responses=ERRORS)
async def me(actor: AnyStaff) -> Me:
    """Who the token belongs to, and the region it is limited to."""
    return Me(username=actor.username, role=actor.role, sees_full_ids=actor.sees_full_ids,
              region=actor.region)
