"""Service configuration from the environment (prefix ``YIBAO_``).

    YIBAO_DATABASE_URL   default sqlite:///./var/yibao.sqlite3
    YIBAO_SECRET_KEY     JWT signing key (>= 32 characters, not guessable); default: a random
                         key kept in ./var/secret.key
    YIBAO_TOKEN_MINUTES  lifetime of a bearer token (default 480)
    YIBAO_MAX_BODY_BYTES largest accepted request body (default 65536)
    YIBAO_POLICY_DIR     a folder of published parameter files laid over the shipped ones
                         (contract §5; checked at start: a bad folder stops the server)

Every setting is listed in docs/service.md and docs/security.md (a test checks).
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from yibao.errors import ConfigurationError

__all__ = ["Settings", "check_secret_key", "get_settings"]

DEFAULT_SQLITE_URL = "sqlite:///./var/yibao.sqlite3"
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


class Settings(BaseSettings):
    """All settings of the registry and payments service."""

    model_config = SettingsConfigDict(env_prefix="YIBAO_", extra="ignore")

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
