"""Demo data: ``yibao demo load`` (a few residents per situation, demo logins), ``demo
generate`` (a synthetic Guangxi of many residents, payments through the ledger) and ``demo
statement`` (a channel's statement with planted differences).

    yibao demo load
    yibao demo generate --persons 100000 [--seed 1] [--year 2025]
    yibao demo statement --channel bank_counter --year 2021 -o statement.xlsx
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID

from yibao.cli._output import Command, JsonFlag, bars, database, emit, figures, handled, say

__all__ = ["demo_app", "register"]

demo_app = typer.Typer(help="演示数据。Demo data.", no_args_is_help=True, rich_markup_mode=None)
Opt = typer.Option


@demo_app.command("load", cls=Command)
@handled
def demo_load(as_json: JsonFlag = False) -> None:
    """载入演示居民、缴费和账号(可重复执行),打印账号。Load the demo residents, payments
    and logins (idempotent); prints the logins (passwords only when first created)."""
    from yibao.demo import load_demo

    text = load_demo(database())
    if as_json:
        emit({"message": text})
        return
    say("演示数据已就绪;演示账号如下(密码只在首次创建时显示一次):", text)


@demo_app.command("generate", cls=Command)
@handled
def demo_generate(
    persons: Annotated[int, Opt("--persons", help="How many residents to generate.")],
    seed: Annotated[int, Opt(help="Random seed (same seed, same residents).")] = 1,
    year: Annotated[int | None, Opt(help="Coverage year being collected (default: the latest "
                                         "with a published Guangxi share).")] = None,
    no_payments: Annotated[bool, Opt("--no-payments", help="Residents and history only: "
                                     "no payments through the ledger.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """生成合成的广西居民、家庭、参保历史和缴费。Fill the registry with synthetic Guangxi
    residents, households, history and payments (a year whose figures are unpublished is
    paid at the latest published share and recorded pending, as the ledger does)."""
    from yibao.demo.generate import generate

    db = database()
    try:
        with bars() as progress_bars:
            tasks: dict[str, TaskID] = {}

            def progress(part: str, done: int, total: int) -> None:
                label = {"registry": "登记 registry", "payments": "缴费 payments"}[part]
                if part not in tasks:
                    tasks[part] = progress_bars.add_task(label, total=total)
                progress_bars.update(tasks[part], completed=done, total=total)

            s = generate(db, persons=persons, seed=seed, year=year, progress=progress,
                         payments=not no_payments)
    finally:
        db.dispose()
    if as_json:
        emit({"persons": s.persons, "households": s.households, "history_rows": s.history_rows,
              "payments_planned": s.planned, "payments_recorded": s.payments,
              "payments_pending": s.pending, "payments_refused": s.payment_errors,
              "seconds_registry": round(s.seconds_registry, 2),
              "seconds_payments": round(s.seconds_payments, 2)})
        return
    rate = s.persons / max(s.seconds_registry + s.seconds_payments, 1e-9)
    zh, en = figures()
    say(f"已生成 {s.persons} 名居民、{s.households} 户、{s.history_rows} 个已申报参保年度;"
        f"计划缴费 {s.planned} 笔: 入账 {s.payments} 笔(其中待核定 {s.pending} 笔,该年度数额"
        f"未公布),被拒 {s.payment_errors} 笔;登记 {s.seconds_registry:.1f} 秒,缴费 "
        f"{s.seconds_payments:.1f} 秒,每秒 {rate:,.0f} 人;{zh}",
        f"generated {s.persons} residents in {s.households} households, {s.history_rows} "
        f"declared years; {s.planned} payments planned: {s.payments} recorded ({s.pending} "
        f"pending: the year's figures are unpublished), {s.payment_errors} refused by the "
        f"ledger; registry {s.seconds_registry:.1f} s, payments {s.seconds_payments:.1f} s, "
        f"{rate:,.0f} residents/s; {en}")


@demo_app.command("statement", cls=Command)
@handled
def demo_statement(
    channel: Annotated[str, Opt(help="Channel code (see yibao reconcile --help).")],
    output: Annotated[Path, Opt("-o", "--output", help="Statement file (.csv or .xlsx).")],
    year: Annotated[int | None, Opt(help="Coverage year (default: every year).")] = None,
    seed: Annotated[int, Opt(help="Random seed of the planted differences.")] = 1,
    rate: Annotated[float, Opt(help="Share of lines of each planted kind.")] = 0.02,
    as_json: JsonFlag = False,
) -> None:
    """按账上缴费写出渠道对账单,并故意埋入差异(写入 FILE.planted.json)。Write a channel's
    statement from the ledger with planted differences; what was planted goes to
    FILE.planted.json."""
    from yibao.demo.statement import write_demo_statement

    planted = write_demo_statement(database(), channel, output, year=year, seed=seed, rate=rate)
    counts = {k: len(v) for k, v in planted["planted"].items()}
    if as_json:
        emit(counts | {"lines": planted["lines"], "planted_file": planted["planted_file"]})
        return
    kinds = ", ".join(f"{k} {v}" for k, v in counts.items())
    say(f"对账单 {output}: {planted['lines']} 行,埋入差异 {sum(counts.values())} 处 ({kinds});"
        f"明细 {planted['planted_file']}",
        f"statement {output}: {planted['lines']} lines, {sum(counts.values())} planted "
        f"differences ({kinds}); listed in {planted['planted_file']}")


def register(app: typer.Typer) -> None:
    """Add ``demo load|generate|statement``."""
    app.add_typer(demo_app, name="demo")

