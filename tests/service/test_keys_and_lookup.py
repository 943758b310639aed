"""Keys that cannot be guessed, client addresses that cannot be forged, and a public
look-up that tells a household only what it needs and cannot be used to lock a person out.
Each test starts ``yibao serve`` (as a bureau runs it) on the session's database.

Issue 16, failures 5 and 9: 6 of 9 guessable keys were accepted (a forged HS256 token for
``demo-admin`` worked against one of them); the look-up listed every household member's
paid status and amount (a 特困 member's ¥0.00); five look-ups of someone's number from
anywhere locked that person out for an hour; behind a loopback proxy, rotating
``X-Forwarded-For`` bypassed the per-address limits.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from yibao.errors import ConfigurationError
from yibao.local_server import running_server
from yibao.settings import check_secret_key

from ..conftest import LOG_DIR
from .conftest import SECRET, Server
from .helpers import new_id
from .staff import PASSWORD, account, api

GUESSABLE = [
    "please-change-this-secret-key-before-deploy",
    "YIBAO_SECRET_KEY_CHANGE_ME_IN_PRODUCTION",
    "0123456789" * 4,
    "changeme" * 5,
    "secretsecretsecretsecretsecretsecret",
    "yibao-production-signing-key-2025-guangxi",
    "qwertyuiopasdfghjklzxcvbnm1234567890",
    "correct horse battery staple is my key ok then",
    "P@ssw0rdP@ssw0rdP@ssw0rdP@ssw0rd12",
    "a" * 64,
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "short-but-random-Zq8v",
]


@pytest.mark.parametrize("key", GUESSABLE)
def test_guessable_keys_are_refused_with_the_way_to_make_one(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_secret_key(key)
    assert caught.value.code == "weak_secret_key"
    assert "yibao secret init" in caught.value.message_en
    assert "yibao secret init" in caught.value.message


def test_random_keys_pass() -> None:
    for make in (lambda: secrets.token_urlsafe(32), lambda: secrets.token_urlsafe(48),
                 lambda: secrets.token_hex(16), lambda: secrets.token_hex(32)):
        for _ in range(50):
            key = make()
            assert check_secret_key(key) == key


def _env(server: Server, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIBAO_")}
    return {**env, "YIBAO_DATABASE_URL": server.db_url, "YIBAO_SECRET_KEY": SECRET, **extra}


@contextmanager
def _serving(server: Server, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """``yibao serve`` on a free port of 127.0.0.1 (its log with the suite's logs)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    args = ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}", "--access-log"]
    with (LOG_DIR / f"serve-{server.backend}-{os.getpid()}.log").open("a") as log, \
            running_server(args, env=env, cwd=cwd, log=log) as base:
        yield base


def test_yibao_secret_init_and_rotation_revokes_every_token(
        server: Server, tmp_path: Path) -> None:
    from ..cli_runner import yibao

    key_file = tmp_path / "var" / "secret.key"
    env = {k: v for k, v in _env(server, YIBAO_SECRET_KEY_FILE=str(key_file)).items()
           if k != "YIBAO_SECRET_KEY"}
    cli_env = {"YIBAO_SECRET_KEY": "", "YIBAO_SECRET_KEY_FILE": str(key_file),
               "YIBAO_DATABASE_URL": server.db_url}
    made = yibao("secret", "init", env=cli_env)
    assert made.exit_code == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first_key = key_file.read_text().strip()
    assert check_secret_key(first_key) == first_key
    again = yibao("secret", "init", env=cli_env)
    assert again.exit_code == 2 and "--rotate" in again.stderr
    name = account(server, "clerk")
    with _serving(server, tmp_path, env) as base:
        token = httpx.post(f"{base}/api/v1/auth/token", data={
            "username": name, "password": PASSWORD}).json()["access_token"]
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    rotated = yibao("secret", "init", "--rotate", env=cli_env)
    assert rotated.exit_code == 0 and "every token" in rotated.stdout
    assert key_file.read_text().strip() != first_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with _serving(server, tmp_path, env) as base:
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401


def test_serve_refuses_a_guessable_key(server: Server, tmp_path: Path) -> None:
    import subprocess

    env = _env(server, YIBAO_SECRET_KEY="please-change-this-secret-key-before-deploy")
    run = subprocess.run([sys.executable, "-m", "yibao", "serve", "--port", "1"], env=env,
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "yibao secret init" in run.stderr


def _resident(server: Server) -> tuple[str, str]:
    with api(server, account(server, "clerk")) as clerk:
        number, name = new_id("450802"), "覃" + secrets.choice("一二三四五") + "军"
        made = clerk.post("/api/v1/persons", json={"id_number": number, "name": name,
                                                   "region": "450802",
                                                   "covered_years": [2023, 2024]})
        assert made.status_code == 201, made.text
    return number, name


def _look(base: str, number: str, name: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.post(f"{base}/lookup", data={"id_number": number, "name": name},
                      headers=headers, timeout=60)


def test_forwarded_for_is_believed_only_from_named_proxies(server: Server,
                                                           tmp_path: Path) -> None:
    number, name = _resident(server)
    env = _env(server, YIBAO_LOOKUP_PER_CLIENT="3/600", YIBAO_LOOKUP_PER_NUMBER="100/600")
    with _serving(server, tmp_path, env) as base:
        answers = [_look(base, number, name, f"198.18.{n}.1").status_code for n in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429], answers
    trusted = {**env, "YIBAO_TRUSTED_PROXIES": "127.0.0.1"}
    with _serving(server, tmp_path, trusted) as base:
        answers = [_look(base, number, name, f"198.19.{n}.1").status_code for n in range(5)]
    assert answers == [200] * 5, answers


def test_others_cannot_spend_a_persons_look_ups(server: Server, tmp_path: Path) -> None:
    number, name = _resident(server)
    env = _env(server, YIBAO_LOOKUP_PER_CLIENT="100/600", YIBAO_LOOKUP_PER_NUMBER="3/3600",
               YIBAO_TRUSTED_PROXIES="127.0.0.1")
    with _serving(server, tmp_path, env) as base:
        for _ in range(3):  # a stranger tries names for the number
            assert _look(base, number, "某某", "198.20.0.1").status_code == 200
        refused = _look(base, number, "某某", "198.20.0.1")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "北京时间" in refused.text and "分钟后" in refused.text
        own = _look(base, number, name, "198.20.9.9")  # the person, from their phone
        assert own.status_code == 200 and "lookup-none" not in own.text


def test_limits_are_shared_by_every_server(server: Server, tmp_path: Path) -> None:
    number, name = _resident(server)
    env = _env(server, YIBAO_LOOKUP_PER_CLIENT="100/600", YIBAO_LOOKUP_PER_NUMBER="4/3600",
               YIBAO_TRUSTED_PROXIES="127.0.0.1")
    with _serving(server, tmp_path, env) as one, _serving(server, tmp_path, env) as two:
        answers = [_look(base, number, name, "198.21.0.1").status_code
                   for base in (one, two, one, two, one, two)]
    assert answers == [200, 200, 200, 200, 429, 429], answers


def test_the_household_part_says_paid_or_not_only(server: Server, tmp_path: Path) -> None:
    from yibao.services.common import today_beijing

    year = today_beijing().year
    with api(server, account(server, "clerk")) as clerk:
        head, member = new_id("450802"), new_id("450802", birth=dt.date(1950, 3, 3))
        for number, name in ((head, "覃秀英"), (member, "覃老伯")):
            made = clerk.post("/api/v1/persons", json={
                "id_number": number, "name": name, "region": "450802",
                "covered_years": list(range(2018, year))})
            assert made.status_code == 201, made.text
        group = clerk.post(f"/api/v1/persons/{member}/special-groups", json={
            "group": "tekun", "valid_from": f"{year - 1}-01-01", "source": "民政部门认定"})
        assert group.status_code == 201, group.text
        house = clerk.post("/api/v1/households", json={"region": "450802", "head_id_number": head,
                                                       "member_id_numbers": [head, member]})
        assert house.status_code == 201, house.text
    env = _env(server, YIBAO_LOOKUP_PER_CLIENT="100/600", YIBAO_LOOKUP_PER_NUMBER="100/600")
    with _serving(server, tmp_path, env) as base:
        page = _look(base, head, "覃秀英").text
    household = page[page.index('id="household"'):]
    household = household[:household.index("</table>")]
    assert "覃*伯" in household
    assert "已缴费" in household or "未缴费" in household
    for hidden in ("¥", "医疗救助", "资助", "特困", member[:6], member[-4:]):
        assert hidden not in household, hidden
