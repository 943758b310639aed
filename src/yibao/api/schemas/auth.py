"""Login answers."""

from __future__ import annotations

from typing import Literal

from yibao.api.schemas.common import Out

__all__ = ["Health", "Me", "TokenOut"]

Role = Literal["clerk", "auditor", "admin"]


class TokenOut(Out):
    """A bearer token for ``Authorization: Bearer ...``."""

    access_token: str
    token_type: Literal["bearer"]
    role: Role
    expires_in: int


class Me(Out):
    """Who a token names."""

    username: str
    role: Role
    sees_full_ids: bool


class Health(Out):
    """The service is up; which database it uses."""

    status: Literal["ok"]
    database: str
