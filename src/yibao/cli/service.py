"""Service commands of the ``yibao`` CLI: db, user, serve, demo, jobs.

yibao db upgrade                                 # as the schema owner (YIBAO_MIGRATION_DATABASE_URL)
yibao user add alice --role clerk --password-stdin
yibao user disable alice                         # and revokes her tokens; enable undoes it
yibao demo load                                  # prints random demo passwords once
yibao serve --host 127.0.0.1 --port 8000
yibao jobs expire-preregistrations [--today 2025-04-01]
yibao jobs open-year 2026 [--today 2025-09-01] [--force]
yibao payments import channel-2025-01-15.csv     # or .jsonl
yibao payments settle                            # after a year's figures are published
yibao history import covered.csv                 # or .parquet: years covered before the registry
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yibao.errors import YibaoError

if TYPE_CHECKING:
    from yibao.store.db import Database

__all__ = ["register"]

db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
jobs_app = typer.Typer(help="Lifecycle jobs.", no_args_is_help=True)
payments_app = typer.Typer(help="Payments: channel files, settling pending years.",
                           no_args_is_help=True)
history_app = typer.Typer(help="Coverage history before the registry.", no_args_is_help=True)


def _fail(exc: YibaoError) -> None:
    typer.echo(json.dumps(exc.to_dict(), ensure_ascii=False))
    typer.echo(f"{exc.message} / {exc.message_en}", err=True)
    raise typer.Exit(2)


def _database() -> Database:
    from yibao.settings import get_settings
    from yibao.store.db import Database

    return Database(get_settings().database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (idempotent) and grant the service role its rights.

    Connects with YIBAO_MIGRATION_DATABASE_URL (the schema owner) when set, else with
    YIBAO_DATABASE_URL; on PostgreSQL grants YIBAO_DB_SERVICE_ROLE (default yibao_service)
    read/write on the tables and only INSERT/SELECT on the audit log.
    """
    from yibao.settings import get_settings
    from yibao.store.migrate import current_revision, upgrade

    settings = get_settings()
    url = settings.owner_url()
    granted = upgrade(url, service_role=settings.db_service_role)
    typer.echo(f"database at revision {current_revision(url)}")
    if not granted:
        typer.echo(f"could not create role {settings.db_service_role}: create it as a "
                   "superuser and run yibao db upgrade again (docs/security.md)", err=True)
        raise typer.Exit(1)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="clerk | auditor | admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Create a staff account; the password is read from stdin."""
    from yibao.services.staff.users import create_user

    if not password_stdin:
        typer.echo("use --password-stdin and pipe the password in", err=True)
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        create_user(_database(), username, role, password)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(f"created {role} {username}")


def _set_active(username: str, active: bool) -> None:
    from yibao.services.staff.users import set_active

    try:
        changed = set_active(_database(), username, active)
    except YibaoError as exc:
        _fail(exc)
    word = "enabled" if active else "disabled"
    typer.echo(f"{word} {username}" if changed else f"{username} was already {word}")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a staff account: it can no longer log in, and its tokens stop working
    (within YIBAO_TOKEN_CHECK_SECONDS, 2 s by default, in running servers)."""
    _set_active(username, False)


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled staff account again (tokens issued before stay revoked)."""
    _set_active(username, True)


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo residents, payments and logins (idempotent); prints the logins."""
    from yibao.demo import load_demo

    typer.echo(load_demo(_database()))


@jobs_app.command("expire-preregistrations")
def jobs_expire(
    today: Annotated[str | None, typer.Option(help="run as of this date (YYYY-MM-DD)")] = None,
) -> None:
    """Lapse newborn pre-registrations unpaid 3 months after birth."""
    from yibao.services.common import parse_date
    from yibao.services.registry.jobs import expire_preregistrations
    from yibao.services.staff.users import SYSTEM

    try:
        day = parse_date(today, field="today") if today else dt.date.today()
        lapsed = expire_preregistrations(_database(), SYSTEM, today=day)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(json.dumps({"lapsed": lapsed, "today": day.isoformat()}))


@jobs_app.command("open-year")
def jobs_open_year(
    year: int,
    today: Annotated[str | None, typer.Option(help="run as of this date (YYYY-MM-DD)")] = None,
    force: Annotated[bool, typer.Option(help="run outside the concentrated period")] = False,
) -> None:
    """Open YEAR's enrollments for everyone covered the year before (concentrated period)."""
    from yibao.services.common import parse_date
    from yibao.services.registry.jobs import open_year
    from yibao.services.staff.users import SYSTEM

    try:
        day = parse_date(today, field="today") if today else dt.date.today()
        result = open_year(_database(), SYSTEM, year, today=day, force=force)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, ensure_ascii=False))


@payments_app.command("import")
def payments_import(
    file: Annotated[Path, typer.Argument(help="a .csv or .jsonl file, one payment per row/line")],
) -> None:
    """Record a reconciliation file's payments exactly once; prints a JSON summary.

    Exit 0 when the file was read (per-item problems are listed in the summary),
    2 when it could not be read (missing, not .csv/.jsonl, unknown columns).
    """
    from yibao.services.payments import import_payments
    from yibao.services.staff.users import SYSTEM

    try:
        summary = import_payments(_database(), SYSTEM, file)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(json.dumps(summary, ensure_ascii=False))
    typer.echo(
        f"{summary['items']} items: {summary['created']} created, {summary['replayed']} replayed, "
        f"{summary['conflicts']} conflicts, {summary['errors']} errors",
        err=True,
    )


@payments_app.command("settle")
def payments_settle() -> None:
    """Settle payments recorded as unquoted whose figures are now published (idempotent).

    Prints ``{"settled", "still_pending", "errors"}``.
    """
    from yibao.services.payments import settle_pending
    from yibao.services.staff.users import SYSTEM

    result = settle_pending(_database(), SYSTEM)
    typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    typer.echo(f"{result.settled} settled, {result.still_pending} still pending, "
               f"{len(result.errors)} errors", err=True)


@history_app.command("import")
def history_import(
    file: Annotated[Path, typer.Argument(help="a .csv or .parquet file: id_number and "
                                              "coverage_year (one row a year) or covered_years")],
    by: Annotated[str, typer.Option(help="who runs the import (recorded with every row)")] = "system",
) -> None:
    """Import years covered before the registry (idempotent); prints a JSON summary.

    The summary's ``review`` lists enrollments computed while the history was unknown that
    the imported history would change; correct them with
    ``POST /api/v1/enrollments/{id}/corrections``. Exit 2 when the file cannot be read.
    """
    from yibao.services.common import Actor
    from yibao.services.registry.history_entries import import_history

    try:
        summary = import_history(_database(), Actor(by, "admin"), file)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(json.dumps(summary, ensure_ascii=False))
    typer.echo(
        f"{summary['rows']} rows, {summary['persons']} persons: {summary['added']} years added, "
        f"{summary['already']} already known, {summary['unknown_persons']} unknown persons, "
        f"{len(summary['problems'])} problems, {len(summary['review'])} enrollments to review",
        err=True,
    )


def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    access_log: Annotated[bool, typer.Option(
        help="one line per request on stderr (ID numbers masked, no query strings)")] = False,
) -> None:
    """Serve the API (/api/v1, OpenAPI at /docs) and the pages.

    Refuses to start (exit 2) with a short or guessable YIBAO_SECRET_KEY.
    """
    import os

    import uvicorn

    from yibao.settings import get_settings

    try:
        get_settings().signing_key()
    except YibaoError as exc:
        _fail(exc)
    if access_log:
        os.environ["YIBAO_ACCESS_LOG"] = "1"
        get_settings.cache_clear()
    typer.echo(f"yibao: serving on http://{host}:{port}/  (API /api/v1, docs /docs)")
    uvicorn.run(
        "yibao.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    """Add the service's commands to the main ``yibao`` Typer app."""
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")
    app.add_typer(demo_app, name="demo")
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(payments_app, name="payments")
    app.add_typer(history_app, name="history")
    app.command("serve")(serve)
