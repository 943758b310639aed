"""Alembic environment: runs on the connection handed in by ``yibao.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from yibao.store.db import make_engine
from yibao.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the given connection, or open one from ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


run_migrations_online()
