"""The API's routes under ``/api/v1``: one router per resource, health, the offline docs,
and the OpenAPI document with links between operations.

    install_api(app)   # from the composition root, yibao.server
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from yibao.api.docs import install_docs
from yibao.api.links import add_links
from yibao.api.routers import (
    applications,
    assistance,
    audit,
    auth,
    counts,
    enrollments,
    households,
    payments,
    person_records,
    persons,
    policy,
    preregistrations,
    public,
    reconciliations,
    reports,
    reversals,
    status_changes,
)
from yibao.api.schemas import Health

__all__ = ["install_api"]

#: In the order requests are matched (each is tried against every route of the routers
#: before it): the quote and the payments first, the busiest by far (a payment matched
#: tenth cost 0.07-0.17 ms more per request, in process).
ROUTERS = (
    public,
    payments,
    assistance,
    policy,
    auth,
    persons,
    status_changes,
    person_records,
    households,
    enrollments,
    preregistrations,
    applications,
    audit,
    counts,
    reconciliations,
    reports,
    reversals,
)


def _with_links(app: FastAPI) -> None:
    """The generated OpenAPI document, with links between operations (``links.py``)."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_api(app: FastAPI) -> None:
    """Every API router, ``/api/v1/health``, ``/docs`` and ``/redoc``."""
    for module in ROUTERS:
        app.include_router(module.router)

    @app.get("/api/v1/health", tags=["public"])
    def health() -> Health:
        """Liveness and the database backend in use."""
        return Health(status="ok", database=app.state.db.engine.dialect.name)

    install_docs(app)
    _with_links(app)
