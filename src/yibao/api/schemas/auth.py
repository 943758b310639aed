"""Login answers and health: shapes of the API's own (no service returns them)."""

from __future__ import annotations

from typing import Literal

from yibao.services.common import Role
from yibao.services.shapes import Shape

__all__ = ["Health", "Me", "TokenOut"]


class TokenOut(Shape):
    """A bearer token for ``Authorization: Bearer ...``."""

    access_token: str
    token_type: Literal["bearer"]
    role: Role
    expires_in: int


class Me(Shape):
    """Who a token names."""

    username: str
    role: Role
    sees_full_ids: bool
    #: The GB/T 2260 code the account is limited to (with the regions under it); null:
    #: province-wide.
    region: str | None


class Health(Shape):
    """The service is up; which database it uses."""

    status: Literal["ok"]
    database: str
