"""SQLite keeps an acknowledged payment through a power loss: WAL with synchronous=FULL on
every connection the service opens (NORMAL survives a process kill, not a power cut)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from yibao.store.db import Database

from .conftest import Server


def test_sqlite_ledger_is_synchronous_full(server: Server) -> None:
    if server.backend != "sqlite":
        pytest.skip("a SQLite setting")
    db = Database(server.db_url)
    try:
        with db.write() as s:
            assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
            assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        db.dispose()
