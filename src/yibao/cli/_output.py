"""How every ``yibao`` command speaks: errors in Chinese first with English, exit codes.

    fail(exc)                 # exit 2, the error on stderr (and as JSON on stdout with as_json)
    refuse(problems)          # exit 2 naming each problem of a policy folder
"""

from __future__ import annotations

import json
from typing import NoReturn

import typer
from rich.console import Console

from yibao.errors import PolicyDataError, YibaoError

__all__ = ["err", "fail", "refuse"]

err = Console(stderr=True, soft_wrap=True)


def fail(exc: YibaoError, *, as_json: bool = False) -> NoReturn:
    """Exit 2 with the error in Chinese and English (and as JSON on stdout if asked)."""
    if as_json:
        print(json.dumps(exc.to_dict(), ensure_ascii=False))
    err.print(f"[red]错误[/red] {exc.message}\n[dim]error: {exc.message_en}"
              + (f" (field: {exc.field})" if exc.field else "") + "[/dim]")
    raise typer.Exit(2)


def refuse(problems: list[PolicyDataError]) -> None:
    """Exit 2 naming each problem of a policy folder, if there is any."""
    for p in problems:
        err.print(f"[red]错误[/red] {p.message}\n[dim]error: {p.message_en}[/dim]")
    if problems:
        raise typer.Exit(2)
