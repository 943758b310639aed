"""Payments from the command line: a channel's file, and settling pending years.

    yibao payments import channel-2025-01-15.csv     # or .jsonl; exactly once
    yibao payments settle                            # after a year's figures are published
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibao.cli._output import Command, JsonFlag, as_dict, database, emit, figures, handled, say

__all__ = ["register"]

payments_app = typer.Typer(help="缴费:渠道文件入账、补核定。Payments: channel files, settling "
                                "pending years.", no_args_is_help=True, rich_markup_mode=None)


@payments_app.command("import", cls=Command)
@handled
def payments_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .csv or .jsonl file, one payment per row/line.")],
    as_json: JsonFlag = False,
) -> None:
    """按渠道文件逐笔入账(每笔只入一次)。Record a channel file's payments exactly once.

    Exit 0 when the file was read (problems of single items are listed), 2 when it could
    not be read (missing, not .csv or .jsonl, unknown columns).
    """
    from yibao.services.payments import import_payments
    from yibao.services.staff.users import SYSTEM

    summary = as_dict(import_payments(database(), SYSTEM, file))
    if as_json:
        emit(summary)
        return
    zh, en = figures()
    say(f"{summary['items']} 笔: 新入账 {summary['created']},重复提交 {summary['replayed']},"
        f"冲突 {summary['conflicts']},错误 {summary['errors']}(明细见 --json);{zh}",
        f"{summary['items']} items: {summary['created']} created, {summary['replayed']} "
        f"replayed, {summary['conflicts']} conflicts, {summary['errors']} errors (--json lists "
        f"them); {en}")
    for problem in summary.get("problems", [])[:20]:
        say(f"  第{problem['line']}行: {problem.get('message', '')}",
            f"  line {problem['line']}: {problem.get('message_en', '')}")


@payments_app.command("settle", cls=Command)
@handled
def payments_settle(as_json: JsonFlag = False) -> None:
    """为数额已公布的待核定缴费补算待遇(可重复执行)。Settle the payments recorded while
    a year's figures were unpublished, now that they are (idempotent)."""
    from yibao.services.payments import settle_pending
    from yibao.services.staff.users import SYSTEM

    result = as_dict(settle_pending(database(), SYSTEM))
    if as_json:
        emit(result)
        return
    zh, en = figures()
    errors = len(result["errors"])
    say(f"已核定 {result['settled']} 笔,仍待核定 {result['still_pending']} 笔(数额未公布),"
        f"出错 {errors} 笔;{zh}",
        f"{result['settled']} settled, {result['still_pending']} still pending (figures not "
        f"published), {errors} errors; {en}")


def register(app: typer.Typer) -> None:
    """Add ``payments import|settle``."""
    app.add_typer(payments_app, name="payments")
