"""``POST /api/v1/auth/token`` (OAuth2 password form) and ``GET /api/v1/auth/me``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from yibao.api.deps import AnyStaff, Config, Db
from yibao.services.errors import Unauthorized
from yibao.services.users import authenticate, issue_token

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token")
def token(
    request: Request,
    db: Db,
    settings: Config,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> dict[str, Any]:
    """Exchange username and password for a bearer token."""
    actor = authenticate(db, username, password)
    if actor is None:
        raise Unauthorized(
            "invalid_credentials",
            "用户名或密码错误",
            "wrong username or password",
            field="password",
        )
    key: str = request.app.state.signing_key
    return {
        "access_token": issue_token(actor, key=key, minutes=settings.token_minutes),
        "token_type": "bearer",
        "role": actor.role,
        "expires_in": settings.token_minutes * 60,
    }


@router.get("/me")
def me(actor: AnyStaff) -> dict[str, Any]:
    """Who the token belongs to."""
    return {"username": actor.username, "role": actor.role, "sees_full_ids": actor.sees_full_ids}
