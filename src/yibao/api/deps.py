"""Dependencies as named ``Annotated`` types: database, settings, acting user, page."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer

from yibao.services.common import Actor
from yibao.services.errors import Forbidden, Unauthorized
from yibao.services.staff.sessions import TokenChecker
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.validation import DB_INT_MAX

__all__ = [
    "AdminOnly",
    "AnyStaff",
    "AuditStaff",
    "Clerk",
    "Config",
    "Db",
    "Page",
    "PageParams",
    "QueryId",
    "QueryYear",
    "RowId",
]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies are ``async``: they do no blocking work, and FastAPI would otherwise run each
# in a worker thread (two thread hand-offs per request before the endpoint even starts).


async def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Db = Annotated[Database, Depends(_db)]
Config = Annotated[Settings, Depends(_settings)]


async def _actor(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    key: str = request.app.state.signing_key
    checker: TokenChecker = request.app.state.token_checker
    actor = await checker.actor(token, key=key) if token else None
    if actor is None:
        raise Unauthorized(
            "unauthorized",
            "需要有效的登录令牌(Authorization: Bearer ...)",
            "a valid bearer token is required (Authorization: Bearer ...)",
        )
    return actor


def _role(*roles: str) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    async def check(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
        if actor.role not in roles:
            raise Forbidden(
                "forbidden",
                f"角色“{actor.role}”无权执行此操作(需要:{'、'.join(roles)})",
                f"role {actor.role!r} may not do this (needs: {', '.join(roles)})",
            )
        return actor

    return check


AnyStaff = Annotated[Actor, Depends(_actor)]
Clerk = Annotated[Actor, Depends(_role("clerk", "admin"))]
AuditStaff = Annotated[Actor, Depends(_role("auditor", "admin"))]
AdminOnly = Annotated[Actor, Depends(_role("admin"))]


@dataclass(frozen=True, slots=True)
class PageParams:
    """Page number (from 1) and page size."""

    page: int
    per_page: int


async def _page(
    settings: Config,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
) -> PageParams:
    size = settings.default_page_size if per_page is None else min(per_page, settings.max_page_size)
    return PageParams(page, size)


Page = Annotated[PageParams, Depends(_page)]


#: A row id in a path: 1 .. 2^31-1 (a larger number is 422, not a database error).
RowId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
#: A row id in a query.
QueryId = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]
#: A coverage year in a query.
QueryYear = Annotated[int | None, Query(ge=1900, le=2200)]
