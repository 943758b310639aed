"""A real uvicorn server per database backend (SQLite file, fresh PostgreSQL database).

On PostgreSQL the schema is migrated by the owner (``postgres``) and the server connects as
a login role of its own that is a member of the service role (``yibao_service``), as in
production (docs/security.md). Server logs go to ``test-output/logs/`` (scanned for ID
numbers at the end of the session, see tests/conftest.py).

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

from ..conftest import LOG_DIR

PG_ADMIN_URL = os.environ.get(
    "YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "test-" + secrets.token_urlsafe(40)
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
    """CREATE DATABASE yibao_t_<random>; returns its owner's URL and an admin engine."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
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


def _service_login(admin: Engine, owner_url: str) -> str:
    """A login role for the server, member of the service role; its URL."""
    name = owner_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}_app" LOGIN IN ROLE yibao_service'))
    return owner_url.replace("://postgres@", f"://{name}_app@")


@dataclass
class Server:
    """A running yibao server and the database behind it (``db_url``: the server's own
    login; ``owner_url``: the schema owner's, for tests that act as a careless operator)."""

    backend: str
    base_url: str
    db_url: str
    engine: Engine
    owner_url: str = ""
    log: Path | None = None
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
    from yibao.services.staff.users import create_user
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    admin: Engine | None = None
    if request.param == "sqlite":
        owner = url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yibao.sqlite3'}"
    else:
        owner, admin = _postgres_database()
    assert upgrade(owner), "the service role could not be granted"
    if admin is not None:
        url = _service_login(admin, owner)
    db = Database(owner)
    for role, password in PASSWORDS.items():
        create_user(db, f"t-{role}", role, password)
    db.dispose()
    env = {**os.environ, "YIBAO_DATABASE_URL": url, "YIBAO_SECRET_KEY": SECRET,
           "YIBAO_ACCESS_LOG": "1"}
    args = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--log-level", "info", "--no-access-log"]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"service-{request.param}-{os.getpid()}.log"
    with ExitStack() as stack:
        log = stack.enter_context(log_path.open("a", encoding="utf-8"))
        try:
            base = stack.enter_context(
                running_server(args, env=env, cwd=Path(tmp_path_factory.mktemp("cwd")), log=log)
            )
        except RuntimeError as exc:
            pytest.fail(f"{exc} ({request.param})")
        # pre-ping: the outage test restarts PostgreSQL under this engine's pooled connections
        srv = Server(request.param, base, url, create_engine(url, pool_pre_ping=True), owner,
                     log_path)
        yield from _logged_in(srv, admin)


def _logged_in(srv: Server, admin: Engine | None) -> Iterator[Server]:
    base, url, engine = srv.base_url, srv.db_url, srv.engine
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
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}_app"'))
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
    from yibao.cli.service import register as register_commands
    from yibao.settings import get_settings

    monkeypatch.setenv("YIBAO_DATABASE_URL", server.db_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register_commands(app)
    yield app
    get_settings.cache_clear()
