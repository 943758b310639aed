"""Browser tests of the pages: a real ``yibao serve`` on a free 127.0.0.1 port with a
temporary SQLite database, driven by Playwright through Debian's Chromium.

Without /usr/bin/chromium the tests skip, except under ``CI=true`` where they fail.
Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from yibao.local_server import running_server

from ..conftest import LOG_DIR

CHROMIUM = Path(os.environ.get("YIBAO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "correct-horse-battery"

def _cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    """``yibao ARGS`` in process with the server's settings (``YIBAO_*`` of ``env``)."""
    from ..cli_runner import yibao

    done = yibao(*args, input=stdin, cwd=Path(env["YIBAO_TEST_CWD"]),
                 env={k: v for k, v in env.items() if k.startswith("YIBAO_")})
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="session")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium not found at {CHROMIUM} (CI=true: browser tests must run)")
    pytest.skip(f"Chromium not found at {CHROMIUM}")


@pytest.fixture(scope="session")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running ``yibao serve`` with a clerk, an admin and an auditor."""
    work = tmp_path_factory.mktemp("yibao-web")
    env = {
        **os.environ,
        "YIBAO_DATABASE_URL": f"sqlite:///{work / 'yibao.db'}",
        "YIBAO_SECRET_KEY": "web-" + secrets.token_urlsafe(40),  # random: guessable keys are refused
        "YIBAO_SECRET_KEY_FILE": str(work / "secret.key"),
        "YIBAO_TEST_CWD": str(work),
        # the whole suite comes from one address: only the per-number limit is tested
        "YIBAO_LOOKUP_PER_CLIENT": "1000/600",
        "YIBAO_LOOKUP_PER_NUMBER": "3/3600",
    }
    _cli(["db", "upgrade"], env)
    for user, role in (("clerk1", "clerk"), ("admin1", "admin"), ("auditor1", "auditor")):
        _cli(["user", "add", user, "--role", role, "--password-stdin"], env, PASSWORD + "\n")
    args = ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}", "--access-log"]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"web-{os.getpid()}.log"
    with log_path.open("a") as log:
        try:
            with running_server(args, env=env, cwd=work, log=log) as base:
                yield base
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n" + log_path.read_text()) from None


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """A fresh context (no cookies) whose page may reach nothing but 127.0.0.1."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a phone-sized (412x915) context."""
    yield from _page(browser, PHONE)


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A page in a desktop-sized (1366x900) context."""
    yield from _page(browser, DESKTOP)


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shoot() -> Any:
    """``shoot(page, name)`` saves a screenshot; returns its path."""
    return shot


@pytest.fixture
def login() -> Any:
    """``login(page, base, user)`` logs a staff user into the clerk console."""

    def do(page: Any, base: str, user: str = "clerk1") -> None:
        page.goto(base + "/clerk/login")
        page.fill("#f-username", user)
        page.fill("#f-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(base + "/clerk")

    return do


@pytest.fixture(scope="session")
def staff_api(server: str) -> Any:
    """``staff_api(user)`` → an httpx client with that staff member's bearer token."""
    import httpx

    clients: dict[str, Any] = {}

    def client(user: str = "clerk1") -> Any:
        if user not in clients:
            token = httpx.post(server + "/api/v1/auth/token",
                               data={"username": user, "password": PASSWORD}).json()
            clients[user] = httpx.Client(base_url=server, timeout=30, headers={
                "Authorization": f"Bearer {token['access_token']}"})
        return clients[user]

    yield client
    for c in clients.values():
        c.close()
