"""Logins a stranger cannot race, cannot turn against an account's owner, and that leave a
trail; passwords changed by their owner and reset by an admin, both ending every earlier
session (contract §6).

Issue 16, failure 6: 20 concurrent wrong passwords → 17 checked (the lock was read before
the attempt queued for hashing); five wrong guesses from anywhere locked the named account
(429 for the right password from every address, up to 15 minutes); logins were not
audited; there was no password change or reset.

Each test uses accounts and client addresses of its own (``X-Forwarded-For``, which the
test server believes from 127.0.0.1).
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import httpx
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from .conftest import Server
from .helpers import assert_error
from .staff import PASSWORD, account, address, console


def _login(server: Server, name: str, password: str, where: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/v1/auth/token", timeout=120,
                      headers={"X-Forwarded-For": where},
                      data={"username": name, "password": password})


def _me(server: Server, token: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/api/v1/auth/me", timeout=30,
                     headers={"Authorization": f"Bearer {token}"})


def _logins(server: Server, name: str) -> list[tuple[str, str]]:
    """(action, address) of the audited logins of ``name``, oldest first."""
    with server.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, after FROM audit_log WHERE actor = :u AND "
                                 "(action LIKE 'login%' OR action LIKE 'password%') ORDER BY id"),
                            {"u": name}).all()
    out = []
    for action, after in rows:
        data = after if isinstance(after, dict) else json.loads(after)
        out.append((action, data["address"]))
    return out


def test_twenty_concurrent_guesses_get_at_most_five_checks(server: Server) -> None:
    name, where = account(server, "admin"), address()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: _login(server, name, "wrong-guess-1", where),
                                range(20)))
    statuses = [r.status_code for r in answers]
    checked = [r for r in answers if r.status_code == 401]
    assert 1 <= len(checked) <= 5, statuses
    assert set(statuses) <= {401, 429, 503}, statuses
    for r in answers:
        if r.status_code == 429:
            assert_error(r, 429, "too_many_attempts")
            assert int(r.headers["retry-after"]) >= 1
    failed = [a for a in _logins(server, name) if a[0] == "login_failed"]
    assert len(failed) == len(checked) <= 5  # each password check audited, nothing more


def test_a_stranger_cannot_lock_the_owner_out(server: Server) -> None:
    name, stranger, owner = account(server, "admin"), address(), address()
    for _ in range(5):
        assert_error(_login(server, name, "guess-guess-9", stranger), 401, "invalid_credentials")
    assert_error(_login(server, name, PASSWORD, stranger), 429, "too_many_attempts")
    welcome = _login(server, name, PASSWORD, owner)
    assert welcome.status_code == 200, welcome.text
    trail = _logins(server, name)
    assert trail.count(("login_failed", stranger)) == 5
    assert ("login_locked", stranger) in trail and trail[-1] == ("login", owner)


def test_guesses_from_many_addresses_are_slowed_not_a_lock(server: Server) -> None:
    name = account(server, "clerk")
    guessers = [address() for _ in range(11)]
    for where in guessers:  # one guess each: no address is locked
        assert_error(_login(server, name, "guess-guess-9", where), 401)
    assert_error(_login(server, name, "guess-guess-9", guessers[0]), 401)  # checked, then...
    slowed = _login(server, name, "guess-guess-9", guessers[1])  # ...one check per 5 s
    assert_error(slowed, 429, "too_many_attempts")
    assert 1 <= int(slowed.headers["retry-after"]) <= 5
    assert _login(server, name, PASSWORD, address()).status_code == 200  # a clean address


def test_password_change_ends_every_earlier_session(server: Server) -> None:
    name = account(server, "clerk")
    first = _login(server, name, PASSWORD, address()).json()["access_token"]
    second = _login(server, name, PASSWORD, address()).json()["access_token"]
    auth = {"Authorization": f"Bearer {first}", "X-Forwarded-For": address()}
    url = f"{server.base_url}/api/v1/auth/password"
    wrong = httpx.post(url, headers=auth, json={"current_password": "not-it-at-all",
                                                "new_password": "fresh-start-pass-77"})
    assert_error(wrong, 403, "wrong_password")
    weak = httpx.post(url, headers=auth, json={"current_password": PASSWORD,
                                               "new_password": "password1"})
    assert_error(weak, 422, "weak_password")
    twice = httpx.post(url, headers={**auth, "Content-Type": "application/json"},
                       content=b'{"current_password": "x", "current_password": "y", '
                               b'"new_password": "fresh-start-pass-77"}')
    assert_error(twice, 422, "duplicate_key")
    done = httpx.post(url, headers=auth, json={"current_password": PASSWORD,
                                               "new_password": "fresh-start-pass-77"})
    assert done.status_code == 204, done.text
    assert_error(_me(server, first), 401)
    assert_error(_me(server, second), 401)
    assert_error(_login(server, name, PASSWORD, address()), 401)
    assert _login(server, name, "fresh-start-pass-77", address()).status_code == 200
    actions = [a for a, _ in _logins(server, name)]
    assert "password_check_failed" in actions and "password_check" in actions


def test_an_admin_resets_a_password(server: Server, cli: typer.Typer) -> None:
    name, where = account(server, "clerk"), address()
    token = _login(server, name, PASSWORD, address()).json()["access_token"]
    for _ in range(5):
        _login(server, name, "guess-guess-9", where)
    runner = CliRunner()
    done = runner.invoke(cli, ["user", "reset-password", name, "--password-stdin", "--by",
                               "t-admin"], input="reset-by-admin-42\n")
    assert done.exit_code == 0, done.output
    assert "reset" in done.output and "重设" in done.output
    started = time.monotonic()  # another process: within the token check's 2 s
    while _me(server, token).status_code != 401:
        assert time.monotonic() - started < 10
        time.sleep(0.2)
    assert _login(server, name, "reset-by-admin-42", where).status_code == 200  # unlocked
    weak = runner.invoke(cli, ["user", "reset-password", name, "--password-stdin"],
                         input="12345678\n")
    assert weak.exit_code == 2 and "too easy to guess" in weak.output
    missing = runner.invoke(cli, ["user", "reset-password", "nobody-at-all", "--password-stdin"],
                            input="reset-by-admin-42\n")
    assert missing.exit_code == 2
    with server.engine.connect() as conn:
        who = conn.execute(text("SELECT actor FROM audit_log WHERE action = 'reset_password' "
                                "ORDER BY id DESC")).first()
    assert who is not None and who.actor == "t-admin"


def test_the_console_changes_the_password(server: Server) -> None:
    name = account(server, "clerk")
    api_token = _login(server, name, PASSWORD, address()).json()["access_token"]
    c, _ = console(server, name)
    with closing(c):
        page = c.get("/clerk/password")
        assert page.status_code == 200 and "当前密码" in page.text
        token = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
        differ = c.post("/clerk/password", data={
            "csrf_token": token, "current_password": PASSWORD,
            "new_password": "console-new-pass-58", "repeat_password": "console-new-pass-59"})
        assert differ.status_code == 422 and "不一致" in differ.text
        done = c.post("/clerk/password", data={
            "csrf_token": token, "current_password": PASSWORD,
            "new_password": "console-new-pass-58", "repeat_password": "console-new-pass-58"})
        assert done.status_code == 303, done.text
        assert c.get("/clerk/password?done=1").status_code == 200  # the fresh cookie works
    assert_error(_me(server, api_token), 401)
    assert _login(server, name, "console-new-pass-58", address()).status_code == 200
