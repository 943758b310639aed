"""Staff accounts: ``yibao user add|disable|enable|reset-password`` (contract §4, §6).

    yibao user add alice --role clerk --region 450802 --password-stdin  # password on stdin
    yibao user add bob --role admin --password-stdin       # no --region: province-wide
    yibao user disable alice                               # and revokes her tokens
    yibao user reset-password alice --password-stdin       # and revokes her tokens
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from yibao.cli._output import Command, JsonFlag, database, emit, handled, say
from yibao.errors import InputError

__all__ = ["By", "account_actor", "register"]

#: ``--by USERNAME`` of the yearly runs and imports: the run is that account's (its scope).
By = Annotated[str | None, typer.Option(
    "--by", metavar="USERNAME",
    help="Run as this staff account: only the residents of its region (recorded as it).")]


def account_actor(by: str | None, *, default: str = "system") -> Any:
    """Who a command runs as: the staff account ``by`` names (its role and region: the run
    covers the residents the account may see), else the operator, province-wide."""
    from yibao.errors import InputError
    from yibao.services.common import Actor
    from yibao.services.staff.sessions import actor_of, staff_state

    if by is None:
        return Actor(default, "admin")
    state = staff_state(database(), by)
    if state is None:  # a misspelt account must never run province-wide
        raise InputError("unknown_user", f"没有这个工作人员账号: {by}",
                         f"no staff account named {by}", field="by")
    return actor_of(state)

Username = Annotated[str, typer.Argument(metavar="USERNAME", help="Login name.")]
user_app = typer.Typer(help="工作人员账号。Staff accounts.", no_args_is_help=True,
                       rich_markup_mode=None)


@user_app.command("add", cls=Command)
@handled
def user_add(
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="Login name (2-64 letters, digits, _ . -).")],
    role: Annotated[str, typer.Option(help="clerk | auditor | admin")],
    region: Annotated[str | None, typer.Option(
        metavar="CODE", help="GB/T 2260 code (county, city or 450000) the account sees and "
                             "acts on, with the regions under it; without it: province-wide."
    )] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """新建工作人员账号,密码从标准输入读取。Create a staff account; the password is read
    from stdin. --region limits what it sees and acts on."""
    from yibao.services.scope import scope_words
    from yibao.services.staff.users import create_user

    password = _password(password_stdin)
    create_user(database(), username, role, password, region=region)
    zh, en = scope_words(region)
    if as_json:
        emit({"username": username, "role": role, "region": region, "scope": en,
              "created": True})
        return
    say(f"已创建{role}账号 {username},范围:{zh}", f"created {role} {username}, scope: {en}")
    if region is None:
        say("未指定 --region:该账号可查看和办理全省所有参保人",
            "no --region given: this account sees and acts on every resident, province-wide")


def _password(password_stdin: bool) -> str:
    if not password_stdin:
        raise InputError("password_stdin_required",
                         "请使用 --password-stdin 并从标准输入传入密码(密码不出现在命令行中)",
                         "use --password-stdin and pipe the password in (never on the command "
                         "line)", field="password")
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("reset-password", cls=Command)
@handled
def user_reset_password(
    username: Username,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
    ] = False,
    by: Annotated[str, typer.Option(help="Who resets it (recorded in the audit log).")
                  ] = "system",
    as_json: JsonFlag = False,
) -> None:
    """管理员重设密码:之前的令牌全部失效。An admin sets a new password: every token of
    the account issued before stops working, and its login locks are lifted."""
    from yibao.services.common import Actor
    from yibao.services.staff.throttle import clear_account
    from yibao.services.staff.users import set_password

    password = _password(password_stdin)
    db = database()
    set_password(db, username, password, actor=Actor(by, "admin"), reason="reset_password")
    clear_account(db, username)
    if as_json:
        emit({"username": username, "reset": True, "tokens_revoked": True})
        return
    say(f"已重设 {username} 的密码;之前发出的令牌全部失效",
        f"reset the password of {username}; every token issued before stops working")


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
    """Add ``user add|disable|enable|reset-password``."""
    app.add_typer(user_app, name="user")
