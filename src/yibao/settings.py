"""Configuration: one settings file ``yibao.toml``, environment variables (prefix
``YIBAO_``) over it.

The file is ``$YIBAO_CONFIG`` when set (it must exist), else ``./yibao.toml`` in the working
folder when there is one. Its keys are the setting names below in lower case without the
prefix (``database_url = "…"`` is ``YIBAO_DATABASE_URL``); an unknown key or a TOML syntax
error stops every command with the file, line and key. Relative paths in the file
(``policy_dir``, ``output_dir``, ``secret_key_file``, a SQLite URL) are taken from the
file's folder, so a cron job in another folder reads the same database and figures.
A variable set in the environment wins over the file.

    YIBAO_DATABASE_URL   default sqlite:///./var/yibao.sqlite3
    YIBAO_SECRET_KEY     JWT signing key (>= 32 characters, not guessable); default: a random
                         key kept in ./var/secret.key
    YIBAO_TOKEN_MINUTES  lifetime of a bearer token (default 480)
    YIBAO_MAX_BODY_BYTES largest accepted request body (default 65536)
    YIBAO_POLICY_DIR     a folder of published parameter files laid over the shipped ones
                         (contract §5; checked at start: a bad folder stops the server)
    YIBAO_OUTPUT_DIR     where ``yibao renewal`` and ``yibao report`` write without ``-o``

Every key of the file is described in docs/bureau-it.md (a test checks).

Every setting is listed in docs/service.md and docs/security.md (a test checks).
"""

from __future__ import annotations

import difflib
import math
import os
import secrets
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from yibao.errors import ConfigurationError

__all__ = ["CONFIG_VARIABLE", "Settings", "check_secret_key", "config_file", "get_settings"]

DEFAULT_SQLITE_URL = "sqlite:///./var/yibao.sqlite3"
CONFIG_VARIABLE = "YIBAO_CONFIG"
CONFIG_NAME = "yibao.toml"
#: Keys of the file whose relative paths are taken from the file's folder.
PATH_KEYS = ("policy_dir", "output_dir", "secret_key_file")
#: A signing key shorter than this, or with less estimated entropy, is refused.
MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128


def check_secret_key(key: str, *, source: str = "YIBAO_SECRET_KEY") -> str:
    """``key`` if it is long and varied enough to sign tokens, else ConfigurationError."""
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    if len(key) < MIN_SECRET_CHARS or len(counts) < 10 or bits < MIN_SECRET_BITS:
        raise ConfigurationError(
            "weak_secret_key",
            f"{source} 太短或太容易猜到(需至少 {MIN_SECRET_CHARS} 个字符、约 {MIN_SECRET_BITS} "
            "位熵);可用 python -c 'import secrets; print(secrets.token_urlsafe(48))' 生成",
            f"{source} is too short or too guessable (needs {MIN_SECRET_CHARS}+ characters and "
            f"about {MIN_SECRET_BITS} bits of entropy; this one has {len(key)} characters, "
            f"~{bits:.0f} bits); make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'",
            field="secret_key",
        )
    return key


def config_file() -> Path | None:
    """The settings file in use: ``$YIBAO_CONFIG``, else ``./yibao.toml`` if it exists."""
    named = os.environ.get(CONFIG_VARIABLE, "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigurationError(
                "config_missing", f"找不到设置文件 {path}(由 {CONFIG_VARIABLE} 指定)",
                f"settings file {path} not found (named by {CONFIG_VARIABLE})", field="config")
        return path
    here = Path(CONFIG_NAME)
    return here if here.is_file() else None


def _absolute(value: Any, folder: Path) -> Any:
    if isinstance(value, str) and value and not Path(value).is_absolute():
        return os.path.normpath(folder / value)
    return value


def _sqlite_absolute(url: Any, folder: Path) -> Any:
    prefix = "sqlite:///"
    if isinstance(url, str) and url.startswith(prefix) and not url.startswith(prefix + "/") \
            and url[len(prefix):] not in ("", ":memory:"):
        return prefix + os.path.normpath(folder / url[len(prefix):])
    return url


class _SettingsFile(TomlConfigSettingsSource):
    """``yibao.toml``: checked keys, paths relative to the file's folder."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        self.path = path
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            with open(file_path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(
                "config_invalid", f"设置文件 {self.path} 格式错误: {exc}",
                f"settings file {self.path} is not valid TOML: {exc}", field="config") from None
        except OSError as exc:
            raise ConfigurationError(
                "config_unreadable", f"无法读取设置文件 {self.path}: {exc.strerror}",
                f"cannot read settings file {self.path}: {exc.strerror}", field="config") from None
        known = set(Settings.model_fields)
        for key in data:
            if key not in known:
                text = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
                line = next((n for n, t in enumerate(text, 1)
                             if t.split("=")[0].strip().strip('"') == key), None)
                where = f"{self.path}" + (f" 第{line}行" if line else "")
                where_en = f"{self.path}" + (f" line {line}" if line else "")
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = (f"是否应为 {close[0]}?", f"did you mean {close[0]}? ") if close else ("", "")
                raise ConfigurationError(
                    "config_unknown_key",
                    f"{where}: 未知的设置 {key};{hint[0]}(全部设置见 docs/bureau-it.md)",
                    f"{where_en}: unknown setting {key!r}; {hint[1]}(the settings are listed in "
                    "docs/bureau-it.md)", field=key)
        folder = self.path.resolve().parent
        for key in PATH_KEYS:
            if key in data:
                data[key] = _absolute(data[key], folder)
        if "database_url" in data:
            data["database_url"] = _sqlite_absolute(data["database_url"], folder)
        return data


class Settings(BaseSettings):
    """All settings: the environment (``YIBAO_*``) over the settings file (``yibao.toml``)."""

    model_config = SettingsConfigDict(env_prefix="YIBAO_", extra="ignore")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            where = config_file()
            source = f"{where} 或环境变量 YIBAO_{key.upper()}" if where else f"YIBAO_{key.upper()}"
            source_en = (f"{where} or YIBAO_{key.upper()}" if where else f"YIBAO_{key.upper()}")
            raise ConfigurationError("config_invalid", f"设置 {key} 无效({source}): {first['msg']}",
                                     f"setting {key} is invalid ({source_en}): {first['msg']}",
                                     field=key) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then ``yibao.toml``."""
        path = config_file()
        found = (_SettingsFile(settings_cls, path),) if path is not None else ()
        return (init_settings, env_settings, *found)

    database_url: str = DEFAULT_SQLITE_URL
    #: Owner of the schema, for ``yibao db upgrade`` (default: ``database_url``).
    migration_database_url: str = ""
    #: PostgreSQL group role the service connects as a member of (granted by ``db upgrade``).
    db_service_role: str = "yibao_service"
    secret_key: str = ""
    secret_key_file: str = "./var/secret.key"
    token_minutes: int = 480
    #: How long a token's user (active, role, token version) is cached per process.
    token_check_seconds: float = 2.0
    max_body_bytes: int = 65536
    max_bulk_body_bytes: int = 1_048_576  # POST /api/v1/payments/bulk: up to 1,000 items
    worker_threads: int = 8  # request-handler threads per server process
    default_page_size: int = 50
    max_page_size: int = 500
    policy_dir: str = ""  # published figures (docs/publishing.md); "" = the shipped files only
    #: Where ``yibao renewal`` (``renewal-YEAR/``) and ``yibao report`` (``report-YEAR/``)
    #: write when no ``-o`` is given; "" = ``./renewal`` and no report files.
    output_dir: str = ""
    #: One line per request on stderr (method, masked path, status, time).
    access_log: bool = False
    #: Wrong passwords for one account before it is locked; for one client address.
    login_max_failures_account: int = 5
    login_max_failures_address: int = 30
    #: First lock in seconds (doubling with each further failure) and its ceiling.
    login_lock_seconds: int = 15
    login_lock_max_seconds: int = 900
    #: Failures older than this are forgotten.
    login_failure_window_seconds: int = 900
    #: Password checks running at once per process, and how many may wait for one.
    login_hash_concurrency: int = 1
    login_queue_limit: int = 16

    def signing_key(self) -> str:
        """The JWT key: ``YIBAO_SECRET_KEY`` or a random key persisted under ``./var``.

        Raises ConfigurationError for a weak key, so the service refuses to start.
        """
        if self.secret_key:
            return check_secret_key(self.secret_key)
        path = Path(self.secret_key_file)
        if path.exists():
            return check_secret_key(path.read_text(encoding="ascii").strip(), source=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
        return key

    def owner_url(self) -> str:
        """The URL migrations run with (the schema owner)."""
        return self.migration_database_url or self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
