"""``yibao reconcile``: a channel's statement against the ledger.

    yibao reconcile STATEMENT --channel CODE [-o REPORT.csv|.xlsx] [--import-missing] [--year Y]

Statement layouts per channel are the shipped ``statements.yaml`` with the published
folder's ``statements.yaml`` laid over it (docs/reconciliation.md, docs/bureau-it.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from yibao.cli._output import Command, JsonFlag, database, emit, handled, say, wide

__all__ = ["register"]

Opt = typer.Option


@handled
def reconcile(
    statement: Annotated[Path, typer.Argument(metavar="STATEMENT", help="The channel's statement (.csv or .xlsx).")],
    channel: Annotated[str, Opt(help="Channel code, e.g. wechat_city_service (the channels "
                                     "of policy/reference/channels.yaml).")],
    output: Annotated[Path | None, Opt("-o", "--output", help="Report file (.csv or .xlsx).")]
    = None,
    import_missing: Annotated[bool, Opt(
        "--import-missing", help="Record the lines missing from the ledger (exactly once).")]
    = False,
    year: Annotated[int | None, Opt(help="Compare this coverage year only.")] = None,
    by: Annotated[str | None, Opt(help="Who runs it (stored with the run); a staff account's "
                                       "name limits the import to the residents of its region "
                                       "(default: the operator, province-wide, as system).")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """对账:渠道对账单与账上缴费逐笔比对。Reconcile a channel's statement with the ledger:
    matched, missing from the ledger, missing from the statement, amount differences,
    duplicates.

    Exit 0 when the statement was read and the run stored (differences or not), 2 when
    the file, the channel, the year or the report name is wrong (nothing is written then).
    """
    from yibao.cli.users import account_actor
    from yibao.operations.reconcile import reconcile as run
    from yibao.operations.reconcile.words import COUNT_WORDS

    summary = run(database(), account_actor(by), statement, channel, year=year,
                  import_missing=import_missing, report=output)
    if as_json:
        emit(summary)
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
    wide().print(table)
    differences = sum(summary.get("categories", {}).values())
    say(f"对账第 {summary['run_id']} 次已保存: 差异 {differences} 条"
        + (f",报告 {summary['report']}" if summary["report"] else ""),
        f"reconciliation #{summary['run_id']} stored: {differences} differences"
        + (f", report {summary['report']}" if summary["report"] else ""))


def register(app: typer.Typer) -> None:
    """Add ``reconcile``."""
    app.command("reconcile", cls=Command)(reconcile)
