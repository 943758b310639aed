"""Persistence: SQLAlchemy models, migrations and repositories (which never commit)."""

from __future__ import annotations

from yibao.store.db import Database

__all__ = ["Database"]
