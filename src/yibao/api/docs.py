"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) served from the service itself.

The script and style files come from the pinned ``fastapi-offline`` package (Swagger UI
and ReDoc builds) and are served under ``/docs/assets/``; Swagger UI starts from our own
``swagger-init.js``, so the pages hold no inline script and work without the internet.
ReDoc's build would fetch its logo from a CDN: it is served with our favicon instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

__all__ = ["ASSETS", "install_docs"]

#: Swagger UI and ReDoc builds shipped by the pinned package.
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
_OURS = Path(__file__).resolve().parent / "docs_static"

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>yibao API · Swagger UI</title>
<link rel="icon" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init/swagger-init.js"></script>
</body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>yibao API · ReDoc</title>
<link rel="icon" href="/docs/assets/favicon.png">
</head><body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/docs/redoc.standalone.js"></script>
</body></html>
"""


@cache
def _redoc_script() -> bytes:
    script = (ASSETS / "redoc.standalone.js").read_bytes()
    return script.replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/docs/assets/favicon.png")


def install_docs(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their assets (create the app with ``docs_url=None``)."""

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return HTMLResponse(_SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC)

    @app.get("/docs/redoc.standalone.js", include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(_redoc_script(), media_type="application/javascript")

    app.mount("/docs/assets", StaticFiles(directory=str(ASSETS)), name="docs-assets")
    app.mount("/docs/init", StaticFiles(directory=str(_OURS)), name="docs-init")
