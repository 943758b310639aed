"""Server-rendered pages (resident self-service and clerk console)."""

from __future__ import annotations

from typing import Any


def mount_web(app: Any) -> None:
    """Attach the pages and static files to the FastAPI ``app`` (filled in by the web layer)."""
