"""Payments from the command line: a channel's file, and settling pending years.

    yibao payments import channel-2025-01-15.csv     # or .jsonl; exactly once
    yibao payments settle                            # after a year's figures are published
    yibao payments settle --balances owed.csv        # and the list of who still owes what
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yibao.cli._output import (
    Command,
    JsonFlag,
    as_dict,
    bars,
    database,
    emit,
    figures,
    handled,
    say,
)
from yibao.cli.users import By, account_actor

if TYPE_CHECKING:
    from yibao.services.common import Actor
    from yibao.store.db import Database

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


#: Columns of the balance list (Chinese headers; amounts in yuan).
BALANCE_HEADERS = ("地区代码", "地区", "登记编号", "姓名", "身份证号(已隐去中间)", "参保年度",
                   "应缴金额(元)", "已缴金额(元)", "尚欠金额(元)")


def _balances_path(given: Path | None) -> Path:
    from yibao.settings import get_settings

    if given is not None:
        return given
    base = get_settings().output_dir  # else beside the default database, under ./var/
    return Path(base) / "balances.csv" if base else Path("var") / "balances.csv"


def write_balances(db: Database, path: Path, actor: Actor) -> tuple[int, int]:
    """Every enrollment with a balance due as a CSV (UTF-8 with a byte-order mark, so that
    a spreadsheet opens it in Chinese; amounts in yuan, exact); written to a temporary
    name and renamed into place. Returns (rows, fen owed in all)."""
    import csv
    import os

    from yibao.idcard import mask_id_number
    from yibao.policy.reference_data import load_regions
    from yibao.rules.money import fen_to_yuan
    from yibao.services.payments.settling import balances_due

    regions = load_regions()
    rows = owed = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(BALANCE_HEADERS)
            for b in balances_due(db, actor):
                region = regions.get(b.region)
                out.writerow([b.region, region.name if region else "", b.person_id, b.name,
                              mask_id_number(b.id_number) if b.id_number else "",
                              b.coverage_year, fen_to_yuan(b.amount_due_fen),
                              fen_to_yuan(b.amount_paid_fen), fen_to_yuan(b.balance_due_fen)])
                rows += 1
                owed += b.balance_due_fen
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return rows, owed


@payments_app.command("settle", cls=Command)
@handled
def payments_settle(
    balances: Annotated[Path | None, typer.Option(
        "--balances", metavar="FILE",
        help="Where to write the list of who owes what (CSV; default OUTPUT_DIR/balances.csv, "
             "else ./var/balances.csv).")] = None,
    by: By = None,
    as_json: JsonFlag = False,
) -> None:
    """为数额已公布的待核定缴费补算待遇(可重复执行),并列出少缴者的欠费名单。Settle the
    payments recorded while a year's figures were unpublished, now that they are
    (idempotent), and write the list of who still owes what (CSV)."""
    from rich.progress import TaskID

    from yibao.rules.money import fen_to_yuan
    from yibao.services.payments import settle_pending

    path = _balances_path(balances)
    db = database()
    actor = account_actor(by)
    try:
        with bars() as shown:
            task: list[TaskID] = []

            def progress(done: int, total: int) -> None:
                if not task:
                    task.append(shown.add_task("核定 settling", total=total))
                shown.update(task[0], completed=done, total=total)

            result = as_dict(settle_pending(db, actor, progress=progress))
        listed, owed = write_balances(db, path, actor)
    finally:
        db.dispose()
    if as_json:
        emit({**result, "balances_file": str(path), "balances_listed": listed,
              "balances_owed": fen_to_yuan(owed)})
        return
    zh, en = figures()
    errors = len(result["errors"])
    say(f"已核定 {result['settled']} 笔参保({result['payments']} 笔缴费),其中少缴 "
        f"{result['underpaid']} 笔共 {result['balance_due']} 元;仍待核定 "
        f"{result['still_pending']} 笔(数额未公布),出错 {errors} 笔;欠费名单 {listed} 人次共 "
        f"{fen_to_yuan(owed)} 元 → {path};{zh}",
        f"{result['settled']} enrollments settled ({result['payments']} payments), "
        f"{result['underpaid']} of them underpaid by {result['balance_due']} in all; "
        f"{result['still_pending']} still pending (figures not published), {errors} errors; "
        f"balance list: {listed} rows owing {fen_to_yuan(owed)} → {path}; {en}")


def register(app: typer.Typer) -> None:
    """Add ``payments import|settle``."""
    app.add_typer(payments_app, name="payments")
