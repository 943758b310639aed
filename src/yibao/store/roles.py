"""PostgreSQL roles: the schema's owner migrates, the service only reads and writes rows.

    grant_service_role(conn, "yibao_service")     # after every upgrade, as the owner
    service_owns_audit_log(conn)                  # at start: warn if the service is the owner

The service's role (a group role; the service logs in as a member of it) may read and
write the registry's tables, and only INSERT and SELECT the audit log: no UPDATE, DELETE
or TRUNCATE, no DDL, and since it owns nothing it cannot drop or disable the audit log's
triggers. On SQLite these are no-ops (the triggers of migration 0001 are the guard there).
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from yibao.errors import ConfigurationError

__all__ = ["grant_service_role", "service_owns_audit_log"]

log = logging.getLogger(__name__)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Tables whose rows the service never changes once written: the audit log, reconciliation runs.
_APPEND_ONLY = ("audit_log", "reconciliation_runs", "reconciliation_lines")
_READ_ONLY = ("alembic_version",)


def _checked(role: str) -> str:
    if not _ROLE.match(role):
        raise ConfigurationError(
            "invalid_role_name",
            f"数据库角色名无效:{role!r}(小写字母、数字、下划线)",
            f"invalid database role name {role!r} (lower-case letters, digits, _)",
            field="db_service_role",
        )
    return role


def grant_service_role(conn: Connection, role: str) -> bool:
    """Create the group role if missing and grant it what the service needs (idempotent).

    Returns False (with a logged explanation) when the role does not exist and the
    migrating user may not create it; the schema is migrated all the same.
    """
    if conn.dialect.name != "postgresql":
        return True
    role = _checked(role)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        try:
            with conn.begin_nested():
                conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        except Exception as exc:  # no CREATEROLE, or created concurrently
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                            {"r": role}).first() is None:
                log.warning("cannot create role %s (%s); create it as a superuser: "
                            "CREATE ROLE %s NOLOGIN; then run yibao db upgrade again",
                            role, type(exc).__name__, role)
                return False
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    q = f'"{schema}"'
    for sql in (
        f'GRANT USAGE ON SCHEMA {q} TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {q} TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q} TO "{role}"',
        *(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM "{role}"'
          for t in _APPEND_ONLY),
        *(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {t} FROM "{role}"' for t in _READ_ONLY),
    ):
        conn.execute(text(sql))
    return True


def service_owns_audit_log(conn: Connection) -> bool:
    """Whether the connected user owns the audit log (or is a superuser) on PostgreSQL:
    then nothing stops it from dropping the table's triggers."""
    if conn.dialect.name != "postgresql":
        return False
    row = conn.execute(text(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') OR r.rolsuper "
        "FROM pg_class c, pg_roles r WHERE c.relname = 'audit_log' "
        "AND c.relkind = 'r' AND r.rolname = current_user"
    )).first()
    return bool(row and row[0])
