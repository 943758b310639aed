"""``yibao serve``: the API and the pages (contract §4).

    yibao serve --host 127.0.0.1 --port 8000 [--workers 2] [--access-log]
"""

from __future__ import annotations

from typing import Annotated

import typer

from yibao.cli._output import Command, handled, note

__all__ = ["register"]


@handled
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(
        help="One line per request on stderr (ID numbers masked, no query strings).")] = False,
) -> None:
    """提供接口(/api/v1)和网页。Serve the API (/api/v1, OpenAPI at /docs) and the pages.

    Refuses to start (exit 2) with a short or guessable YIBAO_SECRET_KEY or a published
    policy folder with a problem (named by file, line and field). X-Forwarded-For is
    believed only from YIBAO_TRUSTED_PROXIES (default: nobody).
    """
    import os

    import uvicorn

    from yibao.policy.files import reload_policy
    from yibao.settings import get_settings

    settings = get_settings()
    settings.signing_key()
    reload_policy()
    # X-Forwarded-For / -Proto are believed only from the proxies named in the settings
    # (uvicorn itself would trust 127.0.0.1, i.e. anyone on this host, by default).
    trusted = ",".join(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
    if access_log:
        os.environ["YIBAO_ACCESS_LOG"] = "1"
        get_settings.cache_clear()
    note(f"yibao 服务地址 http://{host}:{port}/ (接口 /api/v1,文档 /docs)",
         f"yibao: serving on http://{host}:{port}/ (API /api/v1, docs /docs)")
    uvicorn.run(
        "yibao.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


def register(app: typer.Typer) -> None:
    """Add ``serve``."""
    app.command("serve", cls=Command)(serve)
