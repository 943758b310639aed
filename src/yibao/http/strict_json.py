"""JSON bodies read strictly: a key given twice is refused (422 ``duplicate_key``), never
"the last one wins" (a check that reads the first and a use that reads the last would
disagree about the same body).

    router = APIRouter(prefix="/api/v1/persons", route_class=StrictJSONRoute)

Every API router is built with this route class (a test checks every route of the app).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

__all__ = ["DUPLICATE_KEY", "StrictJSONRoute"]

#: How a duplicate key is reported inside FastAPI's ``json_invalid`` validation error.
DUPLICATE_KEY = "duplicate key: "


class _Duplicate(json.JSONDecodeError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(DUPLICATE_KEY + key, "", 0)
        out[key] = value
    return out


class _StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), object_pairs_hook=_pairs)
        return self._json


class StrictJSONRoute(APIRoute):
    """An API route whose JSON body refuses duplicate keys."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictRequest(request.scope, request.receive))

        return strict
