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
    YIBAO_SECRET_KEY     JWT signing key (>= 32 random characters, checked with zxcvbn);
                         default: the key file ./var/secret.key (``yibao secret init``)
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
import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from yibao.errors import ConfigurationError

__all__ = ["CONFIG_VARIABLE", "Settings", "check_secret_key", "config_file", "get_settings",
           "secret_key_problem", "write_key_file"]

DEFAULT_SQLITE_URL = "sqlite:///./var/yibao.sqlite3"
CONFIG_VARIABLE = "YIBAO_CONFIG"
CONFIG_NAME = "yibao.toml"
#: Keys of the file whose relative paths are taken from the file's folder.
PATH_KEYS = ("policy_dir", "output_dir", "secret_key_file")
#: A signing key shorter than this is refused; so is one a guesser would try early.
MIN_SECRET_CHARS = 32
#: zxcvbn's estimate of the guesses the first 100 characters need, as a power of ten
#: (25: ~83 bits by its conservative count; a random 32-character key scores 30 or more).
MIN_SECRET_GUESSES_LOG10 = 25.0
#: Patterns a key may hold only a little of: words, repeats, counting, keyboard rows.
_GUESSABLE_PATTERNS = frozenset({"dictionary", "repeat", "sequence", "spatial"})
#: Words an operator might put in a key, which a guesser tries first.
_KEY_WORDS = ("yibao", "secret", "key", "change", "changeme", "production", "deploy",
              "test", "demo", "signing", "token", "jwt", "password", "admin", "please")
MAKE_A_KEY = "yibao secret init"
MAKE_A_KEY_PY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign tokens (in English, for the message), or None.

    Long and random: 32 characters or more; zxcvbn (a kept guess estimator with
    dictionaries of common passwords, words and names, and detectors of repeats, counting
    and keyboard patterns) must estimate at least 10^25 guesses, and such patterns of 4+
    characters may cover at most half of the key (a third refused about 1 random 32-hex key
    in 750: “a9da9d” and “ca13b” are 11 of its 32 characters). Random keys pass (``yibao secret
    init``, ``secrets.token_urlsafe(48)``, ``openssl rand -hex 32``); phrases do not.
    """
    if len(key) < MIN_SECRET_CHARS:
        return f"it has {len(key)} characters (at least {MIN_SECRET_CHARS} are needed)"
    from zxcvbn import zxcvbn

    head = key[:100]
    guess = zxcvbn(head, user_inputs=list(_KEY_WORDS))
    found = [m for m in guess["sequence"]
             if m["pattern"] in _GUESSABLE_PATTERNS and len(m["token"]) >= 4]
    covered = sum(len(m["token"]) for m in found)
    if float(guess["guesses_log10"]) < MIN_SECRET_GUESSES_LOG10 or covered * 2 > len(head):
        kinds = sorted({str(m["pattern"]) for m in found}) or ["too little randomness"]
        return ("it is guessable (" + ", ".join(kinds) + f"; about 10^{guess['guesses_log10']:.0f}"
                " guesses)")
    return None


def check_secret_key(key: str, *, source: str = "YIBAO_SECRET_KEY") -> str:
    """``key`` if it is long and random enough to sign tokens, else ConfigurationError."""
    problem = secret_key_problem(key)
    if problem is not None:
        raise ConfigurationError(
            "weak_secret_key",
            f"{source} 太短或太容易猜到(需至少 {MIN_SECRET_CHARS} 个随机字符,不能是单词、"
            f"重复或连续的字符);请运行 {MAKE_A_KEY} 生成密钥文件,或用 {MAKE_A_KEY_PY} 生成",
            f"{source} is too short or too guessable: {problem}. Keys must be random, not "
            f"words, repeats or counting; run {MAKE_A_KEY} to write a key file, or make one "
            f"with {MAKE_A_KEY_PY}",
            field="secret_key",
        )
    return key


def write_key_file(path: Path, *, replace: bool = False) -> str:
    """A new random key in ``path`` (mode 0600 from the start); returns it.

    Without ``replace`` an existing file is kept and its key returned (two server workers
    starting at once end up with the same key). With ``replace`` the new key takes the
    old one's place atomically: every token signed with the old key stops working.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # atomic, and fails when the file exists
            except FileExistsError:
                return path.read_text(encoding="ascii").strip()
    finally:
        if temp.exists():
            temp.unlink()
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
    #: Failures of one account (from any address) after which addresses that failed on it
    #: get one password check per ``login_slow_seconds``.
    login_slow_after_failures: int = 10
    login_slow_seconds: int = 5
    #: Proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed (comma-separated
    #: addresses or networks, e.g. "127.0.0.1" for nginx on the same host); "" = none: the
    #: client is the connection's peer.
    trusted_proxies: str = ""
    #: Public look-ups (/lookup): per client address, and per ID number from one client,
    #: as "COUNT/SECONDS"; kept in the database, shared by every worker and host.
    lookup_per_client: str = "20/600"
    lookup_per_number: str = "5/3600"
    #: Cost of the argon2 password hashes: "default" (argon2-cffi's, RFC 9106 low-memory:
    #: 3 passes over 64 MiB, 4 lanes); "test" (1 pass over 1 MiB) only for the test suite,
    #: which sets ``YIBAO_PASSWORD_HASH_COST=test`` for itself and the servers it starts.
    #: A stored hash carries its own cost, so either setting verifies the other's hashes.
    password_hash_cost: Literal["default", "test"] = "default"

    def signing_key(self) -> str:
        """The JWT key: ``YIBAO_SECRET_KEY``, else the key file (``yibao secret init``
        writes it; the first start writes one when it is missing).

        Raises ConfigurationError for a weak key, so the service refuses to start.
        """
        if self.secret_key:
            return check_secret_key(self.secret_key)
        path = Path(self.secret_key_file)
        if path.exists():
            try:
                key = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigurationError(
                    "secret_key_unreadable", f"无法读取密钥文件 {path}",
                    f"cannot read the key file {path}: {type(exc).__name__}",
                    field="secret_key_file") from None
            return check_secret_key(key, source=str(path))
        return write_key_file(path)

    def owner_url(self) -> str:
        """The URL migrations run with (the schema owner)."""
        return self.migration_database_url or self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
