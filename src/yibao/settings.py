"""Service configuration from the environment (prefix ``YIBAO_``).

    YIBAO_DATABASE_URL   default sqlite:///./var/yibao.sqlite3
    YIBAO_SECRET_KEY     JWT signing key; default: a random key kept in ./var/secret.key
    YIBAO_TOKEN_MINUTES  lifetime of a bearer token (default 480)
    YIBAO_MAX_BODY_BYTES largest accepted request body (default 65536)
    YIBAO_POLICY_DIR     a folder of published parameter files laid over the shipped ones
                         (contract §5; checked at start: a bad folder stops the server)
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

DEFAULT_SQLITE_URL = "sqlite:///./var/yibao.sqlite3"


class Settings(BaseSettings):
    """All settings of the registry and payments service."""

    model_config = SettingsConfigDict(env_prefix="YIBAO_", extra="ignore")

    database_url: str = DEFAULT_SQLITE_URL
    secret_key: str = ""
    secret_key_file: str = "./var/secret.key"
    token_minutes: int = 480
    max_body_bytes: int = 65536
    max_bulk_body_bytes: int = 1_048_576  # POST /api/v1/payments/bulk: up to 1,000 items
    worker_threads: int = 8  # request-handler threads per server process
    default_page_size: int = 50
    max_page_size: int = 500
    policy_dir: str = ""  # published figures (docs/publishing.md); "" = the shipped files only

    def signing_key(self) -> str:
        """The JWT key: ``YIBAO_SECRET_KEY`` or a random key persisted under ``./var``."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.secret_key_file)
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
