"""``yibao db upgrade``: the schema, as its owner (contract §4).

    yibao db upgrade              # YIBAO_MIGRATION_DATABASE_URL when set, else database_url
"""

from __future__ import annotations

import typer

from yibao.cli._output import Command, Failure, JsonFlag, emit, handled, say

__all__ = ["register"]

db_app = typer.Typer(help="数据库:建表与升级。Database: migrations.", no_args_is_help=True,
                     rich_markup_mode=None)


@db_app.command("upgrade", cls=Command)
@handled
def db_upgrade(as_json: JsonFlag = False) -> None:
    """执行全部迁移(可重复执行)并授予服务角色权限。Apply all migrations (idempotent) and
    grant the service role its rights.

    Connects with YIBAO_MIGRATION_DATABASE_URL (the schema owner) when set, else with the
    database URL; on PostgreSQL grants YIBAO_DB_SERVICE_ROLE (default yibao_service)
    read and write on the tables and only INSERT and SELECT on the audit log.
    """
    from yibao.settings import get_settings
    from yibao.store.migrate import current_revision, upgrade

    settings = get_settings()
    url = settings.owner_url()
    granted = upgrade(url, service_role=settings.db_service_role)
    revision = current_revision(url)
    if not granted:
        raise Failure("role_missing",
                      f"数据库已升级到 {revision},但无法创建角色 {settings.db_service_role};"
                      "请以超级用户创建该角色后再运行 yibao db upgrade(见 docs/security.md)",
                      f"the database is at revision {revision} but role "
                      f"{settings.db_service_role} could not be created: create it as a superuser "
                      "and run yibao db upgrade again (docs/security.md)", field="db_service_role")
    if as_json:
        emit({"revision": revision})
        return
    say(f"数据库已是最新版本 {revision}", f"database at revision {revision}")


def register(app: typer.Typer) -> None:
    """Add ``db upgrade``."""
    app.add_typer(db_app, name="db")
