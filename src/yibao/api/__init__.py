"""The FastAPI application: ``yibao.api.main.create_app`` assembles it."""

from __future__ import annotations
