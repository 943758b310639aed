"""``yibao secret init``: the random key that signs staff tokens, in a file only its owner
reads (docs/security.md).

    yibao secret init              # writes ./var/secret.key (secret_key_file), mode 0600
    yibao secret init --rotate     # a new key: every token issued so far stops working
    yibao secret check             # is the key in force (environment or file) strong?
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibao.cli._output import Command, JsonFlag, emit, handled, say
from yibao.errors import InputError

__all__ = ["register"]

secret_app = typer.Typer(help="令牌签名密钥。The key that signs staff tokens.",
                         no_args_is_help=True, rich_markup_mode=None)


@secret_app.command("init", cls=Command)
@handled
def secret_init(
    rotate: Annotated[bool, typer.Option(
        "--rotate", help="Replace an existing key: every token issued so far stops working "
                         "(restart the servers).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """写入随机密钥文件(仅所有者可读)。Write a random key file (mode 0600) that the server
    uses when YIBAO_SECRET_KEY is not set."""
    from yibao.settings import get_settings, write_key_file

    settings = get_settings()
    path = Path(settings.secret_key_file)
    if path.exists() and not rotate:
        raise InputError(
            "secret_key_exists",
            f"密钥文件 {path} 已存在;如需更换请加 --rotate(所有已发出的令牌都将失效)",
            f"the key file {path} exists; add --rotate to replace it (every token issued so "
            "far then stops working)", field="secret_key_file")
    write_key_file(path, replace=rotate)
    shadowed = bool(settings.secret_key)
    if as_json:
        emit({"path": str(path), "rotated": rotate, "mode": "0600",
              "overridden_by_environment": shadowed})
        return
    if rotate:
        say(f"已更换密钥 {path}(权限 0600);重启服务后,所有已发出的令牌失效,工作人员需重新登录",
            f"replaced the key in {path} (mode 0600); once the servers restart, every token "
            "issued so far stops working and staff log in again")
    else:
        say(f"已写入密钥 {path}(权限 0600),服务默认使用它",
            f"wrote a random key to {path} (mode 0600); the server uses it by default")
    if shadowed:
        say("注意:设置了 YIBAO_SECRET_KEY,它优先于密钥文件",
            "note: YIBAO_SECRET_KEY is set and wins over the key file")


@secret_app.command("check", cls=Command)
@handled
def secret_check(as_json: JsonFlag = False) -> None:
    """检查正在使用的密钥是否足够随机。Check that the key in force is long and random
    (exit 2 naming the problem)."""
    from yibao.settings import get_settings

    settings = get_settings()
    if not settings.secret_key and not Path(settings.secret_key_file).exists():
        raise InputError("secret_key_missing",
                         f"还没有密钥:请运行 yibao secret init(写入 {settings.secret_key_file})",
                         f"no key yet: run yibao secret init (writes {settings.secret_key_file})",
                         field="secret_key_file")
    settings.signing_key()
    source = "YIBAO_SECRET_KEY" if settings.secret_key else settings.secret_key_file
    if as_json:
        emit({"source": source, "ok": True})
        return
    say(f"密钥可用({source})", f"the key is strong enough ({source})")


def register(app: typer.Typer) -> None:
    """Add ``secret init|check``."""
    app.add_typer(secret_app, name="secret")
