"""The composition root: one FastAPI application of the API and the web pages, with the
error shape, limits, guard and headers that both share (``yibao.http``).

    uvicorn --factory yibao.server:create_app      # what ``yibao serve`` runs
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from yibao.api import install_api
from yibao.http.errors import install_error_handlers
from yibao.http.guard import RequestGuard, install_log_masking
from yibao.http.headers import SecurityHeaders
from yibao.http.limits import BodySizeLimit
from yibao.http.login import LoginGate
from yibao.services.payments import PaymentBatcher
from yibao.services.staff.sessions import TokenChecker
from yibao.settings import Settings, get_settings
from yibao.store.db import Database
from yibao.store.roles import service_owns_audit_log
from yibao.web import mount_web
from yibao.web.routes_clerk_reconcile import MAX_STATEMENT_BYTES, UPLOAD_PATH, UPLOAD_SLACK

__all__ = ["create_app"]


def _thread_limit(threads: int) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Request handlers run in worker threads; beyond a few, Python threads only fight
        # over the GIL while the database round trips would overlap anyway.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await anyio.to_thread.run_sync(_warn_if_owner, app.state.db)
        await anyio.to_thread.run_sync(_warm_quotes)
        yield

    return lifespan


def _check_policy() -> None:
    """Read the policy in force (with ``YIBAO_POLICY_DIR``) before serving anything: a bad
    published folder stops the server with the file, region and problem."""
    import sys

    from yibao.errors import PolicyDataError
    from yibao.policy.files import reload_policy

    try:
        reload_policy()
    except PolicyDataError as exc:
        print(f"yibao: 发布的政策数据有误,服务未启动: {exc.message}\n"
              f"yibao: the published policy data is invalid, not serving: {exc.message_en}",
              file=sys.stderr)
        raise SystemExit(2) from None


def _warm_quotes() -> None:
    """Answer one quote before serving: the quote endpoint runs in the event loop, so its
    first request must not import the engine (half a second). Then everything loaded so far
    (modules, policy, caches: hundreds of thousands of objects that live as long as the
    process) is moved out of the garbage collector's reach, so that its full collections no
    longer walk them in the middle of a request."""
    import gc

    from yibao.errors import YibaoError
    from yibao.quoting.answers import quote

    with contextlib.suppress(YibaoError):  # a policy folder without this region: imports done
        quote({"region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
               "covered_years": [2018]})
    gc.collect()
    gc.freeze()


def _warn_if_owner(db: Database) -> None:
    try:
        with db.engine.connect() as conn:
            owner = service_owns_audit_log(conn)
    except Exception:  # the database may be down at start; requests will say 503
        return
    if owner:
        logging.getLogger("yibao").warning(
            "the service connects to PostgreSQL as the owner of audit_log (or a superuser): "
            "it could drop the audit log's triggers; connect as a member of the service role "
            "instead (docs/security.md)")


def _logging(settings: Settings) -> None:
    """yibao's own log lines (errors, the access log) on stderr, once per process."""
    logger = logging.getLogger("yibao")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    install_log_masking()  # ID numbers masked in every line, whatever their format


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    """The yibao app: error shape, limits and guards, the API (with its docs), the pages.

    Raises ConfigurationError for a weak ``YIBAO_SECRET_KEY``: the server does not start.
    """
    settings = settings or get_settings()
    _check_policy()
    _logging(settings)
    app = FastAPI(
        lifespan=_thread_limit(settings.worker_threads),
        title="yibao",
        summary="城乡居民基本医疗保险 registry, payments and quotes",
        version="1.0.0",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.signing_key = settings.signing_key()
    app.state.db = db or Database(settings.database_url)
    app.state.token_checker = TokenChecker(app.state.db, ttl=settings.token_check_seconds)
    app.state.login_gate = LoginGate(app.state.db, settings)
    app.state.payment_batcher = PaymentBatcher(app.state.db)
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        path_limits={"/api/v1/payments/bulk": settings.max_bulk_body_bytes,
                     # a channel's statement uploaded in the console (its page says the bound)
                     UPLOAD_PATH: MAX_STATEMENT_BYTES + UPLOAD_SLACK},
    )
    app.add_middleware(RequestGuard, access_log=settings.access_log)
    # outermost: the guard's own answers (422 for a hostile URL, 500, 503) get the headers too
    app.add_middleware(SecurityHeaders)
    install_api(app)
    mount_web(app)
    return app
