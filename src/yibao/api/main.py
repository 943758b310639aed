"""Assemble the FastAPI application (OpenAPI at /docs).

uvicorn --factory yibao.api.main:create_app
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from yibao.api.errors import install_error_handlers
from yibao.api.limits import BodySizeLimit
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
)
from yibao.settings import Settings, get_settings
from yibao.store.db import Database

__all__ = ["create_app"]


def _thread_limit(threads: int) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Request handlers run in worker threads; beyond a few, Python threads only fight
        # over the GIL while the database round trips would overlap anyway.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def _check_policy() -> None:
    """Read the policy in force (with ``YIBAO_POLICY_DIR``) before serving anything: a bad
    published folder stops the server with the file, region and problem."""
    import sys

    from yibao.errors import PolicyDataError
    from yibao.policy_files import reload_policy

    try:
        reload_policy()
    except PolicyDataError as exc:
        print(f"yibao: 发布的政策数据有误,服务未启动: {exc.message}\n"
              f"yibao: the published policy data is invalid, not serving: {exc.message_en}",
              file=sys.stderr)
        raise SystemExit(2) from None


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    """The yibao app: API routers, error shape, body limit, then the web pages."""
    settings = settings or get_settings()
    _check_policy()
    app = FastAPI(
        lifespan=_thread_limit(settings.worker_threads),
        title="yibao",
        summary="城乡居民基本医疗保险 registry, payments and quotes",
        version="1.0.0",
        docs_url="/docs",
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url)
    app.state.signing_key = settings.signing_key()
    from yibao.services.payments import PaymentBatcher

    app.state.payment_batcher = PaymentBatcher(app.state.db)
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        path_limits={"/api/v1/payments/bulk": settings.max_bulk_body_bytes},
    )
    for module in (
        public,
        assistance,
        policy,
        auth,
        persons,
        person_records,
        households,
        enrollments,
        payments,
        preregistrations,
        applications,
        audit,
        counts,
    ):
        app.include_router(module.router)

    @app.get("/api/v1/health", tags=["public"])
    def health() -> dict[str, str]:
        """Liveness and the database backend in use."""
        return {"status": "ok", "database": app.state.db.engine.dialect.name}

    from yibao.web import mount_web

    mount_web(app)
    return app
