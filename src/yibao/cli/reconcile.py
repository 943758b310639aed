"""Reconciliation commands of the ``yibao`` CLI.

yibao reconcile STATEMENT --channel CODE [-o REPORT.csv|.xlsx] [--import-missing] [--year Y]
yibao demo statement --channel CODE [--year Y] -o FILE.csv|.xlsx [--seed S]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import YibaoError

if TYPE_CHECKING:
    from yibao.store.db import Database

__all__ = ["register"]

out = Console()


def _fail(exc: YibaoError) -> NoReturn:
    typer.echo(json.dumps(exc.to_dict(), ensure_ascii=False))
    typer.echo(f"错误：{exc.message}\nerror: {exc.message_en}", err=True)
    raise typer.Exit(2)


def _database() -> Database:
    from yibao.settings import get_settings
    from yibao.store.db import Database

    return Database(get_settings().database_url)


def reconcile(
    statement: Annotated[Path, typer.Argument(help="the channel's statement (.csv or .xlsx)")],
    channel: Annotated[str, typer.Option(help="channel code (yibao/policy/reference/channels.yaml)")],
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="report file (.csv or .xlsx)")] = None,
    import_missing: Annotated[bool, typer.Option(
        "--import-missing", help="record the lines missing from the ledger (exactly once)")] = False,
    year: Annotated[int | None, typer.Option(help="compare this coverage year only")] = None,
    by: Annotated[str, typer.Option(help="who runs it (stored with the run)")] = "system",
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Reconcile a channel's statement with the ledger: matched, missing from the ledger,
    missing from the statement, amount differences, duplicates.

    Exit 0 when the statement was read and the run stored (differences or not), 2 when
    the file, the channel or the report name is wrong (nothing is written then).
    """
    from yibao.operations.reconcile import reconcile as run
    from yibao.operations.reconcile.words import COUNT_WORDS
    from yibao.services.common import Actor

    try:
        summary = run(_database(), Actor(by, "admin"), statement, channel, year=year,
                      import_missing=import_missing, report=output)
    except YibaoError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    counts = summary["counts"]
    years = summary["years"]
    span = "–".join(str(y) for y in sorted(set(years))) if years else "—"
    table = Table(title=f"对账 reconciliation #{summary['run_id']} · {channel} · {span}")
    table.add_column("项目 item")
    table.add_column("笔数 count", justify="right")
    for key, (zh, en) in COUNT_WORDS.items():
        if key in counts:
            table.add_row(f"{zh} {en}", str(counts[key]))
    table.add_row("对账单金额 statement total (元)", summary["statement_amount"])
    table.add_row("账上金额 ledger total (元)", summary["ledger_amount"])
    out.print(table)
    if summary["report"]:
        out.print(f"报告 report: {summary['report']}")


def demo_statement(
    channel: Annotated[str, typer.Option(help="channel code")],
    output: Annotated[Path, typer.Option("-o", "--output", help="statement file (.csv or .xlsx)")],
    year: Annotated[int | None, typer.Option(help="coverage year (default: every year)")] = None,
    seed: Annotated[int, typer.Option(help="random seed of the planted differences")] = 1,
    rate: Annotated[float, typer.Option(help="share of lines of each planted kind")] = 0.02,
) -> None:
    """Write a channel's statement from the ledger with planted differences; what was
    planted goes to FILE.planted.json."""
    from yibao.demo.statement import write_demo_statement

    try:
        planted = write_demo_statement(_database(), channel, output, year=year, seed=seed,
                                       rate=rate)
    except YibaoError as exc:
        _fail(exc)
    typer.echo(json.dumps({k: len(v) for k, v in planted["planted"].items()}
                          | {"lines": planted["lines"], "planted_file": planted["planted_file"]},
                          ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add ``reconcile`` and ``demo statement`` to the main ``yibao`` app."""
    from yibao.cli.service import demo_app

    app.command("reconcile")(reconcile)
    demo_app.command("statement")(demo_statement)
