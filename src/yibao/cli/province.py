"""The province's year on the command line: a synthetic registry and the renewal run.

    yibao demo generate --persons 100000 [--seed 1] [--year 2025]
    yibao renewal 2025 -o out/ [--region 450802] [--notices] [--resume] [--as-of 2024-10-01]

Bad input (unknown region, a year without published figures, an unwritable folder, a
registry that already holds generated residents) exits 2 with a Chinese and an English
message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from yibao.errors import YibaoError

__all__ = ["register"]

err = Console(stderr=True)
Opt = typer.Option


def _fail(exc: YibaoError) -> NoReturn:
    err.print(f"[red]错误[/red] {exc.message}\n[dim]error: {exc.message_en}[/dim]")
    raise typer.Exit(2)


def _database() -> object:
    from yibao.settings import get_settings
    from yibao.store.db import Database

    return Database(get_settings().database_url)


@contextmanager
def _bars() -> Iterator[Progress]:
    """Progress bars on stderr (drawn on a terminal only)."""
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=False) as bars:
        yield bars


def demo_generate(
    persons: Annotated[int, Opt("--persons", help="How many residents to generate.")],
    seed: Annotated[int, Opt(help="Random seed (same seed, same residents).")] = 1,
    year: Annotated[int | None, Opt(help="Coverage year being collected (default: the latest "
                                         "with a published Guangxi share).")] = None,
    no_payments: Annotated[bool, Opt("--no-payments", help="Residents and history only: "
                                     "no payments through the ledger.")] = False,
) -> None:
    """Fill the registry with synthetic Guangxi residents, households, history and payments."""
    from yibao.demo.generate import generate
    from yibao.store.db import Database

    db = _database()
    assert isinstance(db, Database)
    with _bars() as bars:
        tasks: dict[str, TaskID] = {}

        def progress(part: str, done: int, total: int) -> None:
            label = {"registry": "登记 registry", "payments": "缴费 payments"}[part]
            if part not in tasks:
                tasks[part] = bars.add_task(label, total=total)
            bars.update(tasks[part], completed=done, total=total)

        try:
            summary = generate(db, persons=persons, seed=seed, year=year, progress=progress,
                               payments=not no_payments)
        except YibaoError as exc:
            bars.stop()
            _fail(exc)
        finally:
            db.dispose()
    rate = summary.persons / max(summary.seconds_registry + summary.seconds_payments, 1e-9)
    typer.echo(
        f"generated {summary.persons} residents in {summary.households} households, "
        f"{summary.history_rows} declared years, {summary.payments} payments "
        f"({summary.payment_errors} refused by the ledger); registry "
        f"{summary.seconds_registry:.1f} s, payments {summary.seconds_payments:.1f} s, "
        f"{rate:,.0f} residents/s")


def _iso_day(text: str | None) -> dt.date | None:
    from yibao.errors import InputError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(InputError("invalid_date", f"日期无效: {text}(格式 YYYY-MM-DD)",
                         f"invalid date: {text} (YYYY-MM-DD)", field="as_of"))


def renewal(
    year: Annotated[int, typer.Argument(help="Coverage year to collect, e.g. 2025.")],
    output: Annotated[Path, Opt("-o", "--output", help="Output folder.")] = Path("renewal"),
    region: Annotated[str | None, Opt(help="Only this region (a city or county code).")] = None,
    notices: Annotated[bool, Opt("--notices", help="Also write a PDF notice per household.")]
    = False,
    resume: Annotated[bool, Opt("--resume", help="Skip the regions a previous run finished.")]
    = False,
    as_of: Annotated[str | None, Opt(help="Quote as if paid on this day (default: today, "
                                          "Beijing; never before the period opens).")] = None,
) -> None:
    """What every registered resident owes for YEAR, by when, and who has not paid yet."""
    from yibao.operations.renewal import RenewalOptions, run_renewal
    from yibao.store.db import Database

    options = RenewalOptions(year=year, out=output, region=region, notices=notices,
                             resume=resume, as_of=_iso_day(as_of))
    db = _database()
    assert isinstance(db, Database)
    with _bars() as bars:
        task: list[TaskID] = []

        def progress(_part: str, done: int, total: int) -> None:
            if not task:
                task.append(bars.add_task("续保 regions", total=total))
            bars.update(task[0], completed=done, total=total)

        try:
            summary = run_renewal(db, options, progress=progress)
        except YibaoError as exc:
            bars.stop()
            _fail(exc)
        finally:
            db.dispose()
    rate = summary.persons / max(summary.seconds, 1e-9)
    typer.echo(
        f"{summary.persons} residents in {summary.regions} regions ({summary.skipped} resumed), "
        f"{summary.unpaid} unpaid, {summary.unpublished} with unpublished figures, "
        f"{summary.households_noticed} household notices; {summary.seconds:.1f} s "
        f"({rate:,.0f} residents/s) -> {summary.output}")


def register(app: typer.Typer) -> None:
    """Add ``demo generate`` (to the service's ``demo`` group) and ``renewal``."""
    from yibao.cli import service as cli_service

    cli_service.demo_app.command("generate")(demo_generate)
    app.command("renewal")(renewal)
