"""The docs keep up with the settings and commands; no password in them logs in; a weak
signing key stops the service before it serves anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from yibao.errors import ConfigurationError
from yibao.settings import Settings, check_secret_key

ROOT = Path(__file__).resolve().parents[1]
DOCS = {name: (ROOT / name).read_text(encoding="utf-8")
        for name in ("README.md", "docs/service.md", "docs/security.md", "docs/web.md",
                     "docs/bureau-it.md")}


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    variable = f"YIBAO_{name.upper()}"
    assert variable in DOCS["docs/service.md"] + DOCS["docs/security.md"] \
        + DOCS["docs/bureau-it.md"], variable


def test_security_commands_are_documented() -> None:
    service = DOCS["docs/service.md"]
    for command in ("yibao user disable", "yibao user enable", "POST /auth/logout",
                    "--access-log"):
        assert command in service, command
    assert "docs/security.md" in DOCS["README.md"]


def test_no_fixed_demo_password_in_the_docs() -> None:
    for name, text in DOCS.items():
        assert not re.search(r"demo-20\d\d|password[:=]\s*[`'\"]?[a-z]+-demo", text), name
        assert "password: " not in text.replace("password: {", ""), name


@pytest.mark.parametrize("key", ["", "short", "x" * 64, "test-secret-" + "k" * 40,
                                 "changemechangemechangemechangeme"])
def test_weak_keys_are_refused(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_secret_key(key)
    assert caught.value.code == "weak_secret_key" and "secrets.token_urlsafe" in caught.value.message_en


def test_a_strong_key_passes() -> None:
    assert check_secret_key("Zq8v-Jk2pW_r7Tn5Xs0cLb3Hm9Gd4Fy6") == "Zq8v-Jk2pW_r7Tn5Xs0cLb3Hm9Gd4Fy6"


def _start(args: list[str], tmp_path: Path, key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YIBAO_SECRET_KEY": key,
           "YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'y.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", *args], env=env, cwd=tmp_path, text=True,
                          capture_output=True, timeout=60)


def test_serve_refuses_a_weak_key(tmp_path: Path) -> None:
    from .cli_runner import yibao

    run = yibao("serve", "--port", "1", env={
        "YIBAO_SECRET_KEY": "secret-secret",
        "YIBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'y.sqlite3'}"})
    assert run.exit_code == 2
    assert "太短或太容易猜到" in run.stderr and "too short or too guessable" in run.stderr


def test_the_app_factory_refuses_a_weak_key(tmp_path: Path) -> None:
    run = _start(["uvicorn", "yibao.server:create_app", "--factory", "--port", "1"],
                 tmp_path, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert run.returncode != 0 and "YIBAO_SECRET_KEY is too short or too guessable" in run.stderr


def test_passwords_are_hashed_at_argon2s_default_cost_unless_the_suite_says_test(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite hashes cheaply (``YIBAO_PASSWORD_HASH_COST=test``, set by tests/conftest.py);
    a service started without the setting hashes at argon2-cffi's cost (RFC 9106 low-memory:
    3 passes over 64 MiB in 4 lanes), and the hashes of either verify under the other."""
    from argon2 import PasswordHasher, extract_parameters

    from yibao.services.staff.users import password_hasher
    from yibao.settings import get_settings

    assert os.environ["YIBAO_PASSWORD_HASH_COST"] == "test"
    monkeypatch.delenv("YIBAO_PASSWORD_HASH_COST")
    get_settings.cache_clear()
    try:
        assert Settings().password_hash_cost == "default"
        strong = password_hasher().hash("correct-horse-battery")
        params = extract_parameters(strong)
        assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
        assert params == extract_parameters(PasswordHasher().hash("x"))
        assert not PasswordHasher().check_needs_rehash(strong)
        monkeypatch.setenv("YIBAO_PASSWORD_HASH_COST", "test")
        get_settings.cache_clear()
        cheap = password_hasher().hash("correct-horse-battery")
        assert extract_parameters(cheap).memory_cost == 1024
        assert password_hasher().verify(strong, "correct-horse-battery")
    finally:
        get_settings.cache_clear()
