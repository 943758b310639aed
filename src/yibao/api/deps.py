"""Dependencies as named ``Annotated`` types: database, settings, acting user, page.

The acting user comes from the bearer token through :mod:`yibao.http.auth`, the same
check (and the same role requirements) the console uses with its cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer

from yibao.http.auth import ADMIN, AUDIT, CLERK, actor_for, require
from yibao.services.common import Actor, Role
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
    return await actor_for(request, token)


def _role(roles: tuple[Role, ...]) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    async def check(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
        return require(actor, roles)

    return check


AnyStaff = Annotated[Actor, Depends(_actor)]
Clerk = Annotated[Actor, Depends(_role(CLERK))]
AuditStaff = Annotated[Actor, Depends(_role(AUDIT))]
AdminOnly = Annotated[Actor, Depends(_role(ADMIN))]


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
