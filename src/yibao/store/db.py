"""Engine and sessions for SQLite (WAL, ``synchronous=FULL``, write transactions ``BEGIN
IMMEDIATE``) and PostgreSQL. Statement parameters never appear in error messages or logs
(``hide_parameters``): they hold ID numbers and names.

    db = Database("sqlite:///./var/yibao.sqlite3")
    with db.write() as session:   # commits on success, rolls back on error
        ...
    with db.read() as session:
        ...
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "make_engine"]


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def _owner_only(path: Path) -> None:
    """The SQLite file, its WAL and shared-memory files readable by their owner only (0600):
    they hold every resident's ID number. SQLite creates the WAL and SHM files with the
    database file's mode, so the file is created 0600 before SQLite opens it."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for yibao (SQLite pragmas and immediate write transactions;
    the database files 0600)."""
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _owner_only(path)
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", 40)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", False)
        return create_engine(url, **kwargs)
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged payment survives a power loss, not only a process kill.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        if path is not None:
            _owner_only(path)  # an older database, or files another tool created

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("yibao_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One engine and its session factory; services open transactions through it."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A read-write transaction: committed on success, rolled back on any error."""
        with self._sessions() as session:
            session.connection(execution_options={"yibao_write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (ended by closing the session; loaded objects stay usable)."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
