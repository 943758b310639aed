"""A generated registry per database backend (SQLite file, fresh PostgreSQL database), and
the ``yibao`` command against it (in process, through Typer's runner; the real entry point
in a process of its own where a run is killed: ``YIBAO``, tests/province/killing.py).

PostgreSQL missing: skipped with a reason, or a failure when ``CI=true`` (as tests/service).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from yibao.store.db import Database
from yibao.store.migrate import upgrade

from ..service.conftest import _postgres_database

YIBAO = str(Path(sys.executable).parent / "yibao")
PERSONS = 300
SEED = 11
YEAR = 2025
AS_OF = "2024-10-15"


@dataclass
class Registry:
    """A migrated database filled by ``yibao demo generate``."""

    backend: str
    url: str

    def run(self, *args: str) -> Any:
        """``yibao ARGS`` in process against this registry (``exit_code``, ``stdout``,
        ``stderr``)."""
        from ..cli_runner import yibao

        return yibao(*args, env={"YIBAO_DATABASE_URL": self.url})

    def database(self) -> Database:
        return Database(self.url)


def fresh_database(backend: str, tmp: Path) -> tuple[str, object | None]:
    """A migrated, empty database: its URL and (PostgreSQL) the admin engine to drop it."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'yibao.sqlite3'}"
        upgrade(url)
        return url, None
    url, admin = _postgres_database()
    upgrade(url)
    return url, admin


def drop(url: str, admin: object | None) -> None:
    if admin is None:
        return
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()  # type: ignore[attr-defined]


@pytest.fixture(scope="session",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """300 generated residents (seed 11, collecting 2025)."""
    url, admin = fresh_database(request.param, tmp_path_factory.mktemp("db"))
    reg = Registry(request.param, url)
    proc = reg.run("demo", "generate", "--persons", str(PERSONS), "--seed", str(SEED),
                   "--year", str(YEAR))
    assert proc.exit_code == 0, proc.output
    try:
        yield reg
    finally:
        drop(url, admin)
