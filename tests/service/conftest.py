"""A real uvicorn server per database backend (SQLite file, fresh PostgreSQL database).

PostgreSQL missing: skipped with a reason, or a failure when ``CI=true``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import typer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from yibao.local_server import running_server

PG_ADMIN_URL = os.environ.get(
    "YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "test-secret-" + "k" * 40
PASSWORDS = {"clerk": "clerk-pass-1", "auditor": "auditor-pass-1", "admin": "admin-pass-1"}
TABLES = (
    "staff_users",
    "households",
    "persons",
    "special_group_memberships",
    "enrollments",
    "payments",
    "preregistrations",
    "back_payment_applications",
    "audit_log",
)


def _postgres_database() -> tuple[str, Engine]:
    """CREATE DATABASE yibao_t_<random>; returns its URL and an admin engine to drop it."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"yibao_t_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", admin


@dataclass
class Server:
    """A running yibao server and the database behind it."""

    backend: str
    base_url: str
    db_url: str
    engine: Engine
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def counts(self) -> dict[str, int]:
        """Rows per table (to check that a refused request wrote nothing)."""
        with self.engine.connect() as conn:
            return {
                t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
            }


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Migrate a fresh database, add one user per role, start uvicorn, log everyone in."""
    from yibao.services.users import create_user
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    admin: Engine | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yibao.sqlite3'}"
    else:
        url, admin = _postgres_database()
    upgrade(url)
    db = Database(url)
    for role, password in PASSWORDS.items():
        create_user(db, f"t-{role}", role, password)
    db.dispose()
    env = {**os.environ, "YIBAO_DATABASE_URL": url, "YIBAO_SECRET_KEY": SECRET}
    args = ["-m", "uvicorn", "yibao.api.main:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--log-level", "warning"]
    with ExitStack() as stack:
        try:
            base = stack.enter_context(
                running_server(args, env=env, cwd=Path(tmp_path_factory.mktemp("cwd")))
            )
        except RuntimeError as exc:
            pytest.fail(f"{exc} ({request.param})")
        yield from _logged_in(request.param, base, url, admin)


def _logged_in(backend: str, base: str, url: str, admin: Engine | None) -> Iterator[Server]:
    engine = create_engine(url)
    srv = Server(backend, base, url, engine)
    for role, password in PASSWORDS.items():
        r = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": f"t-{role}", "password": password}
        )
        srv.tokens[role] = r.json()["access_token"]
    try:
        yield srv
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                name = url.rsplit("/", 1)[1]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def clerk(server: Server) -> Iterator[httpx.Client]:
    with server.client("clerk") as c:
        yield c


@pytest.fixture
def auditor(server: Server) -> Iterator[httpx.Client]:
    with server.client("auditor") as c:
        yield c


@pytest.fixture
def admin(server: Server) -> Iterator[httpx.Client]:
    with server.client("admin") as c:
        yield c


@pytest.fixture
def anon(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture
def cli(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    """The service's CLI commands (as `yibao` has them) against this server's database."""
    from yibao.cli_service import register as register_commands
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_DATABASE_URL", server.db_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register_commands(app)
    yield app
    get_settings.cache_clear()
