"""``yibao history import FILE``: years covered before the registry (idempotent).

    yibao history import covered.csv        # or .parquet
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibao.cli._output import Command, JsonFlag, as_dict, database, emit, handled, say

__all__ = ["register"]

history_app = typer.Typer(help="登记系统之前的参保历史。Coverage history before the registry.",
                          no_args_is_help=True, rich_markup_mode=None)


@history_app.command("import", cls=Command)
@handled
def history_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .csv or .parquet file: id_number and "
                                              "coverage_year (one row a year) or covered_years.")],
    by: Annotated[str, typer.Option(help="Who runs the import (recorded with every row).")]
    = "system",
    as_json: JsonFlag = False,
) -> None:
    """导入登记系统之前的参保年度(可重复执行)。Import years covered before the registry
    (idempotent).

    The summary lists the enrollments computed while the history was unknown that the
    imported history would change (review, with --json); correct them with
    POST /api/v1/enrollments/ID/corrections. Exit 2 when the file cannot be read.
    """
    from yibao.services.common import Actor
    from yibao.services.registry.history_entries import import_history

    summary = as_dict(import_history(database(), Actor(by, "admin"), file))
    if as_json:
        emit(summary)
        return
    say(f"{summary['rows']} 行,{summary['persons']} 人: 新增 {summary['added']} 个年度,"
        f"已有 {summary['already']} 个,查无此人 {summary['unknown_persons']} 人,问题 "
        f"{len(summary['problems'])} 处,需复核的参保记录 {len(summary['review'])} 条",
        f"{summary['rows']} rows, {summary['persons']} persons: {summary['added']} years added, "
        f"{summary['already']} already known, {summary['unknown_persons']} unknown persons, "
        f"{len(summary['problems'])} problems, {len(summary['review'])} enrollments to review")


def register(app: typer.Typer) -> None:
    """Add ``history import``."""
    app.add_typer(history_app, name="history")
