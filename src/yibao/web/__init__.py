"""Server-rendered pages: resident self-service (``/``, ``/plan``, ``/pay``) and the
clerk console (``/clerk/...``).

    from yibao.web import mount_web
    mount_web(app)   # at the end of the FastAPI app factory

Pages are Jinja2 templates with inline SVG charts and one small script; nothing is
fetched from a CDN, no script is inline (the Content-Security-Policy forbids it). Console
forms carry CSRF tokens (``csrf.py``). See docs/web.md and docs/security.md.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["mount_web"]


def mount_web(app: FastAPI) -> None:
    """Attach the pages and their static files (under ``/static``) to ``app``."""
    from yibao.web.console import install_login_redirect
    from yibao.web.csrf import install_csrf
    from yibao.web.routes_clerk import router as clerk_router
    from yibao.web.routes_clerk_account import router as clerk_account_router
    from yibao.web.routes_clerk_ops import router as clerk_ops_router
    from yibao.web.routes_clerk_person import router as clerk_person_router
    from yibao.web.routes_clerk_reconcile import router as clerk_reconcile_router
    from yibao.web.routes_clerk_reconcile import uploads as clerk_upload_router
    from yibao.web.routes_clerk_registry import router as clerk_registry_router
    from yibao.web.routes_clerk_reports import router as clerk_reports_router
    from yibao.web.routes_lookup import router as lookup_router
    from yibao.web.routes_public import router as public_router
    from yibao.web.site import install_site
    from yibao.web.templating import STATIC_DIR

    app.include_router(public_router)
    app.include_router(lookup_router)
    app.include_router(clerk_ops_router)
    app.include_router(clerk_person_router)
    app.include_router(clerk_registry_router)
    app.include_router(clerk_reconcile_router)
    app.include_router(clerk_upload_router)
    app.include_router(clerk_reports_router)
    app.include_router(clerk_account_router)
    app.include_router(clerk_router)
    install_login_redirect(app)
    install_site(app)
    install_csrf(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
