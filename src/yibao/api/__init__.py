"""The JSON API under ``/api/v1``: one router per resource (``routers/``), their declared
shapes (``schemas/``), the acting user and roles (``deps.py``), throttled logins
(``login.py``), offline docs and OpenAPI links. ``yibao.server`` installs it.
"""

from __future__ import annotations

from yibao.api.routes import install_api

__all__ = ["install_api"]
