"""Persistence: the tables (``models/``, one module per concept), Alembic migrations, the
database and its transactions (``db``), and the service role of PostgreSQL (``roles``)."""

from __future__ import annotations

from yibao.store.db import Database

__all__ = ["Database"]
