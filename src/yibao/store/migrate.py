"""Alembic configured in code, so an installed package can migrate its own database.

    upgrade("sqlite:///./var/yibao.sqlite3")   # idempotent

On PostgreSQL, ``upgrade`` runs as the schema's owner and then grants the service's role
(default ``yibao_service``) what it needs (:mod:`yibao.store.roles`).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from yibao.store.db import make_engine
from yibao.store.roles import grant_service_role

__all__ = ["alembic_config", "current_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the package's migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head", *, service_role: str | None = "yibao_service",
            ) -> bool:
    """Apply every migration up to ``revision`` (idempotent), then grant ``service_role``.

    Returns False when the role could not be granted (see ``grant_service_role``).
    """
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
            granted = True
            if service_role:
                granted = grant_service_role(conn, service_role)
                conn.commit()
            return granted
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
