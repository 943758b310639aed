"""Staff accounts: ``yibao user add|disable|enable`` (contract §4).

    yibao user add alice --role clerk --password-stdin     # the password on stdin
    yibao user disable alice                               # and revokes her tokens
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from yibao.cli._output import Command, JsonFlag, database, emit, handled, say
from yibao.errors import InputError

__all__ = ["register"]

Username = Annotated[str, typer.Argument(metavar="USERNAME", help="Login name.")]
user_app = typer.Typer(help="工作人员账号。Staff accounts.", no_args_is_help=True,
                       rich_markup_mode=None)


@user_app.command("add", cls=Command)
@handled
def user_add(
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="Login name (2-64 letters, digits, _ . -).")],
    role: Annotated[str, typer.Option(help="clerk | auditor | admin")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """新建工作人员账号,密码从标准输入读取。Create a staff account; the password is read
    from stdin."""
    from yibao.services.staff.users import create_user

    if not password_stdin:
        raise InputError("password_stdin_required",
                         "请使用 --password-stdin 并从标准输入传入密码(密码不出现在命令行中)",
                         "use --password-stdin and pipe the password in (never on the command "
                         "line)", field="password")
    password = sys.stdin.readline().rstrip("\r\n")
    create_user(database(), username, role, password)
    if as_json:
        emit({"username": username, "role": role, "created": True})
        return
    say(f"已创建{role}账号 {username}", f"created {role} {username}")


def _set_active(username: str, active: bool, as_json: bool) -> None:
    from yibao.services.staff.users import set_active

    changed = set_active(database(), username, active)
    if as_json:
        emit({"username": username, "active": active, "changed": changed})
        return
    zh, en = ("启用", "enabled") if active else ("停用", "disabled")
    if changed:
        say(f"已{zh}账号 {username}", f"{en} {username}")
    else:
        say(f"账号 {username} 原已{zh}", f"{username} was already {en}")


@user_app.command("disable", cls=Command)
@handled
def user_disable(username: Username, as_json: JsonFlag = False) -> None:
    """停用账号:不能再登录,已发的令牌失效。Disable a staff account: it can no longer log
    in, and its tokens stop working (within YIBAO_TOKEN_CHECK_SECONDS in running servers)."""
    _set_active(username, False, as_json)


@user_app.command("enable", cls=Command)
@handled
def user_enable(username: Username, as_json: JsonFlag = False) -> None:
    """重新启用账号(之前的令牌仍然无效)。Enable a disabled staff account again (tokens
    issued before stay revoked)."""
    _set_active(username, True, as_json)


def register(app: typer.Typer) -> None:
    """Add ``user add|disable|enable``."""
    app.add_typer(user_app, name="user")
