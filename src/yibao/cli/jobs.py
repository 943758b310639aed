"""Lifecycle jobs for cron: ``yibao jobs expire-preregistrations`` and ``open-year``.

    yibao jobs expire-preregistrations [--today 2025-04-01]
    yibao jobs open-year 2026 [--today 2025-09-01] [--force]
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from yibao.cli._output import Command, JsonFlag, database, emit, handled, say

__all__ = ["register"]

jobs_app = typer.Typer(help="定时任务。Lifecycle jobs (for cron).", no_args_is_help=True,
                       rich_markup_mode=None)
Today = Annotated[str | None, typer.Option(help="Run as of this date (YYYY-MM-DD).")]


def _day(today: str | None) -> dt.date:
    from yibao.services.common import parse_date, today_beijing

    return parse_date(today, field="today") if today else today_beijing()


@jobs_app.command("expire-preregistrations", cls=Command)
@handled
def jobs_expire(today: Today = None, as_json: JsonFlag = False) -> None:
    """新生儿预登记出生3个月仍未缴费的,标为失效。Lapse newborn pre-registrations unpaid
    3 months after birth."""
    from yibao.services.registry.jobs import expire_preregistrations
    from yibao.services.staff.users import SYSTEM

    day = _day(today)
    lapsed = expire_preregistrations(database(), SYSTEM, today=day)
    if as_json:
        emit({"lapsed": lapsed, "today": day.isoformat()})
        return
    say(f"{day}: {len(lapsed)} 条新生儿预登记已失效", f"{day}: {len(lapsed)} newborn "
        f"pre-registration{'s' if len(lapsed) != 1 else ''} lapsed")


@jobs_app.command("open-year", cls=Command)
@handled
def jobs_open_year(
    year: Annotated[int, typer.Argument(metavar="YEAR", help="Coverage year to open, e.g. 2026.")],
    today: Today = None,
    force: Annotated[bool, typer.Option(help="Run outside the concentrated period.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """为上一年度参保的人开立 YEAR 年度的参保记录(集中缴费期内)。Open YEAR's enrollments
    for everyone covered the year before (in the concentrated period)."""
    from yibao.services.registry.jobs import open_year
    from yibao.services.staff.users import SYSTEM

    result: dict[str, Any] = dict(open_year(database(), SYSTEM, year, today=_day(today),
                                            force=force))
    if as_json:
        emit(result)
        return
    opened, skipped = result.get("opened", 0), len(result.get("skipped", ()))
    say(f"{year}年度: 开立 {opened} 条参保记录,{skipped} 人未开立(不在集中缴费期或无法报价;"
        "明细见 --json)",
        f"{year}: {opened} enrollment{'s' if opened != 1 else ''} opened, {skipped} not "
        "(outside the concentrated period or not quotable; --json lists them)")


def register(app: typer.Typer) -> None:
    """Add ``jobs expire-preregistrations|open-year``."""
    app.add_typer(jobs_app, name="jobs")
