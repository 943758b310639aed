"""Tokens can be taken back; wrong passwords are throttled; a burst of logins starves no one.

Each test uses accounts of its own and client addresses of its own (``X-Forwarded-For``,
which uvicorn honours from 127.0.0.1), so the throttle never touches other tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
from sqlalchemy import text

from yibao.services.staff.users import create_user
from yibao.store.db import Database

from .conftest import SECRET, Server
from .helpers import assert_error

PASSWORD = "right-pass-123"
_addresses = itertools.count(1)


def _address() -> str:
    """A client address no other test uses (TEST-NET-2, 198.51.100.0/24 and beyond)."""
    n = next(_addresses) + os.getpid() % 1000 * 64
    return f"198.51.{100 + n // 250 % 100}.{n % 250 + 1}"


def _user(server: Server, role: str = "clerk", *, production_cost: bool = False) -> str:
    """A new account; ``production_cost``: its password hashed at argon2's default cost
    (the suite's are cheap, and a password check costs what the stored hash says)."""
    from yibao.settings import get_settings

    name = f"u-{secrets.token_hex(4)}"
    db = Database(server.owner_url)
    saved = os.environ["YIBAO_PASSWORD_HASH_COST"]
    try:
        if production_cost:
            os.environ["YIBAO_PASSWORD_HASH_COST"] = "default"
            get_settings.cache_clear()
        create_user(db, name, role, PASSWORD)
    finally:
        os.environ["YIBAO_PASSWORD_HASH_COST"] = saved
        get_settings.cache_clear()
        db.dispose()
    return name


def _login(server: Server, name: str, password: str = PASSWORD,
           address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address or _address()}
    return httpx.post(f"{server.base_url}/api/v1/auth/token", headers=headers, timeout=60,
                      data={"username": name, "password": password})


def _me(server: Server, token: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {token}"})


#: How long a server keeps a token's account (``token_check_seconds``, the default).
TOKEN_CHECK_SECONDS = 2.0


def _once_the_cache_expires(changed_at: float) -> None:
    """Wait until every account a server read before ``changed_at`` (when a change to it
    was committed) has left its cache: a request sent then sees the change, however
    loaded the machine (no wall-clock bound on how fast the server answers)."""
    time.sleep(max(0.0, changed_at + TOKEN_CHECK_SECONDS + 0.1 - time.monotonic()))


def _cli(server: Server, *args: str) -> Any:
    """``yibao ARGS`` in process against the server's database."""
    from ..cli_runner import yibao

    return yibao(*args, env={"YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET})


def test_logout_revokes_every_token_of_the_account(server: Server) -> None:
    name = _user(server)
    first = _login(server, name).json()["access_token"]
    second = _login(server, name).json()["access_token"]
    assert _me(server, first).status_code == 200 and _me(server, second).status_code == 200
    r = httpx.post(f"{server.base_url}/api/v1/auth/logout",
                   headers={"Authorization": f"Bearer {first}"})
    assert r.status_code == 204, r.text
    assert_error(_me(server, first), 401)
    assert_error(_me(server, second), 401)
    assert _me(server, _login(server, name).json()["access_token"]).status_code == 200


def test_disable_and_enable_from_the_command_line(server: Server) -> None:
    name = _user(server)
    token = _login(server, name).json()["access_token"]
    done = _cli(server, "user", "disable", name)
    assert done.exit_code == 0 and f"disabled {name}" in done.stdout, done.output
    assert f"已停用账号 {name}" in done.stdout
    _once_the_cache_expires(time.monotonic())
    assert_error(_me(server, token), 401)
    assert_error(_login(server, name), 401, "invalid_credentials")
    assert "already disabled" in _cli(server, "user", "disable", name).stdout
    assert _cli(server, "user", "enable", name).exit_code == 0
    fresh = _login(server, name)
    assert fresh.status_code == 200 and _me(server, fresh.json()["access_token"]).status_code == 200
    assert_error(_me(server, token), 401)  # tokens from before the disable stay revoked
    missing = _cli(server, "user", "disable", "nobody-here", "--json")
    assert missing.exit_code == 2 and '"user_not_found"' in missing.stdout


def test_deleted_user_and_changed_role(server: Server) -> None:
    gone, demoted = _user(server), _user(server)
    gone_token = _login(server, gone).json()["access_token"]
    demoted_token = _login(server, demoted).json()["access_token"]
    with server.engine.begin() as conn:
        conn.execute(text("DELETE FROM staff_users WHERE username = :u"), {"u": gone})
        conn.execute(text("UPDATE staff_users SET role = 'auditor' WHERE username = :u"),
                     {"u": demoted})
    _once_the_cache_expires(time.monotonic())
    assert_error(_me(server, gone_token), 401)
    assert _me(server, demoted_token).json()["role"] == "auditor"
    r = httpx.post(f"{server.base_url}/api/v1/persons", json={},
                   headers={"Authorization": f"Bearer {demoted_token}"})
    assert_error(r, 403)


def test_tokens_without_version_or_with_another_key_are_refused(server: Server) -> None:
    name = _user(server)
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": name, "role": "admin", "iat": now, "exp": now + dt.timedelta(hours=1)}
    old_style = jwt.encode(claims, SECRET, algorithm="HS256")  # as issued before versions
    assert_error(_me(server, old_style), 401)
    good = jwt.decode(_login(server, name).json()["access_token"], options={
        "verify_signature": False})
    forged = jwt.encode({**good, "role": "admin"}, "another-key-" + "x" * 40, algorithm="HS256")
    assert_error(_me(server, forged), 401)
    none_alg = jwt.encode({**good}, key=None, algorithm="none")
    assert_error(_me(server, none_alg), 401)


def test_wrong_passwords_lock_the_account_for_that_address(server: Server) -> None:
    name, guesser = _user(server), _address()
    for _ in range(5):  # five wrong passwords from one address
        assert_error(_login(server, name, "wrong-pass", guesser), 401, "invalid_credentials")
    locked = _login(server, name, "wrong-pass", guesser)
    err = assert_error(locked, 429, "too_many_attempts")
    assert 1 <= int(locked.headers["retry-after"]) <= 15 and err["message"] and err["message_en"]
    assert_error(_login(server, name, PASSWORD, guesser), 429, "too_many_attempts")
    # the owner, from an address that has not failed, is not locked out by the stranger
    assert _login(server, name).status_code == 200
    other = _user(server)
    assert _login(server, other, PASSWORD, guesser).status_code == 200  # nobody else is


def test_wrong_passwords_lock_the_client_address(server: Server) -> None:
    address = _address()
    names = [f"nobody-{n}" for n in range(30)]
    for name in names:  # 30 accounts once each: no account lock, but the address's
        assert_error(_login(server, name, "x", address), 401)
    r = _login(server, _user(server), PASSWORD, address)
    assert_error(r, 429, "too_many_attempts")
    assert int(r.headers["retry-after"]) >= 1
    assert _login(server, _user(server), PASSWORD).status_code == 200  # another address


def test_a_burst_of_logins_is_bounded_and_starves_no_one(server: Server) -> None:
    """24 logins at once: at most 16 wait for a password check (the rest: 503 with
    Retry-After at once), and staff reads meanwhile are not queued behind them."""
    names = [_user(server, production_cost=True) for _ in range(3)]  # checks that take time
    token = _login(server, names[0]).json()["access_token"]
    reads: list[float] = []

    def login(n: int) -> httpx.Response:
        return _login(server, names[n % 3], "wrong-but-not-locking" if n % 2 else PASSWORD)

    def read() -> None:
        for _ in range(8):
            start = time.perf_counter()
            r = httpx.get(f"{server.base_url}/api/v1/regions", timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
            reads.append(time.perf_counter() - start)

    with ThreadPoolExecutor(max_workers=25) as pool:
        started = time.perf_counter()
        logins = [pool.submit(login, n) for n in range(24)]
        reader = pool.submit(read)
        answers = [f.result() for f in logins]
        reader.result()
        burst = time.perf_counter() - started
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {200, 401, 429, 503}, statuses
    busy = [r for r in answers if r.status_code == 503]
    assert busy, statuses  # the queue is bounded
    for r in busy:
        assert_error(r, 503, "login_busy")
        assert r.headers["retry-after"] == "1"
    assert statistics.median(reads) < burst / 4, (reads, burst)


def test_a_token_accepted_before_is_refused_once_it_expires(server: Server) -> None:
    """The server checks a token's signature once and keeps it; its expiry still counts on
    every request."""
    name = _user(server)
    good = jwt.decode(_login(server, name).json()["access_token"], options={
        "verify_signature": False})
    expires = int(time.time()) + 2
    short = jwt.encode({**good, "exp": expires}, SECRET, algorithm="HS256")
    for _ in range(3):  # accepted, and kept, in whichever server process answers
        assert _me(server, short).status_code == 200
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    for _ in range(3):
        assert_error(_me(server, short), 401)
