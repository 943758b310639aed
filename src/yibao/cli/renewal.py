"""``yibao renewal YEAR``: what every registered resident owes for YEAR, by when, and who
has not paid yet (reminders per region, PDF notices per household), resumable.

    yibao renewal 2025 -o out/ [--region 450802] [--notices] [--resume] [--as-of 2024-10-01]

Without ``-o`` the run goes to ``OUTPUT_DIR/renewal-YEAR`` (``output_dir`` in yibao.toml),
else ``./renewal``. A database or file failure midway says to rerun with ``--resume``.
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID

from yibao.cli._output import (
    Command,
    JsonFlag,
    bars,
    database,
    emit,
    figures,
    handled,
    next_step,
    say,
)
from yibao.cli.users import By, account_actor
from yibao.errors import InputError

__all__ = ["register"]

Opt = typer.Option


def _iso_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("invalid_date", f"日期无效: {text}(格式 YYYY-MM-DD)",
                         f"invalid date: {text} (YYYY-MM-DD)", field="as_of") from None


def _folder(output: Path | None, year: int) -> Path:
    from yibao.settings import get_settings

    if output is not None:
        return output
    base = get_settings().output_dir
    return Path(base) / f"renewal-{year}" if base else Path("renewal")


def _resume_command(year: int, folder: Path, region: str | None, notices: bool,
                    as_of: dt.date | None) -> str:
    """The command that resumes this run (same settings, so the folder's manifest fits)."""
    from yibao.services.common import today_beijing

    args = ["yibao", "renewal", str(year), "-o", str(folder)]
    args += ["--region", region] if region else []
    args += ["--notices"] if notices else []
    args += ["--as-of", (as_of or today_beijing()).isoformat(), "--resume"]
    return shlex.join(args)


@handled
def renewal(
    year: Annotated[int, typer.Argument(metavar="YEAR", help="Coverage year to collect, e.g. 2025.")],
    output: Annotated[Path | None, Opt("-o", "--output", help="Output folder (default: "
                                       "OUTPUT_DIR/renewal-YEAR, else ./renewal).")] = None,
    region: Annotated[str | None, Opt(help="Only this region (a city or county code).")] = None,
    notices: Annotated[bool, Opt("--notices", help="Also write a PDF notice per household.")]
    = False,
    resume: Annotated[bool, Opt("--resume", help="Skip the regions a previous run finished.")]
    = False,
    as_of: Annotated[str | None, Opt(help="Quote as if paid on this day (default: today, "
                                          "Beijing; never before the period opens).")] = None,
    by: By = None,
    as_json: JsonFlag = False,
) -> None:
    """续保:每位登记居民 YEAR 年度应缴多少、何时截止、谁还没缴。What every registered
    resident owes for YEAR, by when, and who has not paid yet (resumable with --resume)."""
    from yibao.operations.renewal import RenewalOptions, run_renewal
    from yibao.services.scope import narrow_region

    region = narrow_region(account_actor(by), region)  # an account renews its own region
    folder = _folder(output, year)
    options = RenewalOptions(year=year, out=folder, region=region, notices=notices,
                             resume=resume, as_of=_iso_day(as_of))
    again = _resume_command(year, folder, region, notices, options.as_of)
    db = database()
    try:
        with next_step(f"修复后用 --resume 续跑,已完成的地区不会重算: {again}",
                       f"once fixed, rerun with --resume to skip the regions already done: "
                       f"{again}"), \
                bars() as progress_bars:
            task: list[TaskID] = []

            def progress(_part: str, done: int, total: int) -> None:
                if not task:
                    task.append(progress_bars.add_task("续保 regions", total=total))
                progress_bars.update(task[0], completed=done, total=total)

            s = run_renewal(db, options, progress=progress)
    finally:
        db.dispose()
    if as_json:
        emit({"persons": s.persons, "regions": s.regions, "resumed": s.skipped,
              "unpaid": s.unpaid, "underpaid": s.underpaid, "unpublished": s.unpublished,
              "households_noticed": s.households_noticed, "output": str(s.output),
              "seconds": round(s.seconds, 2)})
        return
    rate = s.persons / max(s.seconds, 1e-9)
    zh, en = figures()
    say(f"{year}年度续保: {s.regions} 个地区 {s.persons} 人(续跑跳过 {s.skipped} 个地区),未缴 "
        f"{s.unpaid} 人(其中少缴 {s.underpaid} 人),数额未公布 {s.unpublished} 人,缴费通知 {s.households_noticed} 户;"
        f"用时 {s.seconds:.1f} 秒(每秒 {rate:,.0f} 人) → {s.output};{zh}",
        f"renewal {year}: {s.persons} residents in {s.regions} regions ({s.skipped} resumed), "
        f"{s.unpaid} unpaid ({s.underpaid} of them underpaid), {s.unpublished} with unpublished "
        f"figures, {s.households_noticed} household notices; {s.seconds:.1f} s "
        f"({rate:,.0f} residents/s) → {s.output}; {en}")


def register(app: typer.Typer) -> None:
    """Add ``renewal``."""
    app.command("renewal", cls=Command)(renewal)
