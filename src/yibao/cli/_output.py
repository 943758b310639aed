"""How every ``yibao`` command speaks: one place for errors, summaries, JSON and exit codes.

    @handled                                  # errors → one message, the right exit code
    def settle(as_json: JsonFlag = False) -> None:
        result = ...
        if as_json:
            emit(result)                      # one JSON object on stdout
            return
        say("已结算 3 笔", "3 settled")         # Chinese first, then English

Exit codes: 0 done; 2 the command must change (bad input, a path that does not exist, a
bad policy folder, an unknown user); 1 the environment failed (database unreachable,
permission denied, disk full): fix it and run the same command again. Errors are one
message in Chinese and one in English on stderr, with the next step where there is one;
with ``--json`` stdout also holds ``{"error": {"code", "message", "message_en", "field"}}``
and nothing else. No traceback for a database or file failure.
"""

from __future__ import annotations

import errno
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from typer.core import TyperCommand, TyperGroup

from yibao.errors import InputError, YibaoError

if TYPE_CHECKING:
    from yibao.store.db import Database

__all__ = ["Bars", "Command", "Failure", "Group", "JsonFlag", "as_dict", "bars", "database",
           "emit", "err", "exit_code", "fail", "figures", "handled", "next_step", "note", "out",
           "refuse", "say", "translate", "wide"]

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonFlag = Annotated[bool, typer.Option(
    "--json", help="Machine output: one JSON object on stdout (errors in the error shape).")]

P = ParamSpec("P")
R = TypeVar("R")
_NEXT_STEP: ContextVar[tuple[str, str] | None] = ContextVar("yibao_next_step", default=None)


class Command(TyperCommand):
    """A command whose usage line names its arguments plainly (``yibao renewal YEAR``, not
    Typer's ``{year}``, which reads like a placeholder left unfilled)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p
                for p in super().collect_usage_pieces(ctx)]


class Group(TyperGroup):
    """The ``yibao`` app: a mistyped command line (unknown option, missing argument, a word
    where a number goes) is answered like any bad input, in Chinese and English, exit 2,
    and as the JSON error with ``--json``."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        import sys

        from typer._click.exceptions import ClickException, UsageError  # Typer's own click

        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        try:
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # ``yibao policy``: its help
                err.print(exc.format_message(), markup=False, highlight=False)
                sys.exit(2)
            param = getattr(exc, "param", None)
            where = exc.ctx.command_path if exc.ctx is not None else "yibao"
            problem = InputError(
                "usage", f"命令用法有误: {exc.format_message()}(用法见 {where} --help)",
                f"wrong usage: {exc.format_message()} (see {where} --help)",
                field=getattr(param, "name", None))
            try:
                fail(problem, as_json="--json" in argv)
            except typer.Exit as done:
                sys.exit(done.exit_code)
        except ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("已中止 / aborted", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class Failure(YibaoError):
    """The environment failed (database unreachable, file unwritable): exit 1."""


def exit_code(exc: YibaoError) -> int:
    """1 when the environment failed (run the same command again later), else 2."""
    from yibao.services.errors import Unavailable

    return 1 if isinstance(exc, Failure | Unavailable) else 2


def emit(payload: Any) -> None:
    """One JSON object on stdout (machine output)."""
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def say(zh: str, en: str) -> None:
    """A summary on stdout: the Chinese line, then the English one."""
    out.print(zh, markup=False, highlight=False)
    out.print(en, style="dim", markup=False, highlight=False)


def note(zh: str, en: str) -> None:
    """A side remark on stderr (timings, files written next to machine output)."""
    err.print(f"{zh} / {en}", style="dim", markup=False, highlight=False)


def figures() -> tuple[str, str]:
    """Which figures a command used: the shipped ones, and the published folder if any (a
    cron log then shows whether ``policy_dir`` was in force)."""
    from yibao.policy.locations import configured_dir

    folder = configured_dir()
    if folder is None:
        return ("政策数据: 仅随软件发布的数额(未设置发布目录 policy_dir)",
                "figures: shipped only (no policy_dir set)")
    return (f"政策数据: 随软件发布的数额 + 发布目录 {folder}",
            f"figures: shipped + published folder {folder}")


def as_dict(value: Any) -> dict[str, Any]:
    """A service's answer as a dict (a typed model or a dict)."""
    dump = getattr(value, "model_dump", None)
    return dict(dump(mode="json")) if callable(dump) else dict(value)


def wide() -> Console:
    """The console for a wide table: the terminal's width, or 160 columns in a file or pipe."""
    return out if out.is_terminal else Console(width=160)


def fail(exc: YibaoError, *, as_json: bool = False) -> NoReturn:
    """Print ``exc`` (Chinese, then English; as JSON on stdout too with ``--json``); exit."""
    if as_json:
        print(json.dumps(exc.to_dict(), ensure_ascii=False))
    field = f" (field: {exc.field})" if exc.field else ""
    err.print("错误 ", style="bold red", end="", markup=False, highlight=False)
    err.print(exc.message, markup=False, highlight=False)
    err.print(f"error: {exc.message_en}{field}", style="dim", markup=False, highlight=False)
    raise typer.Exit(exit_code(exc))


def refuse(problems: Sequence[YibaoError], *, as_json: bool = False) -> None:
    """Exit 2 naming each problem (of a policy folder), if there is any."""
    if not problems:
        return
    if as_json:
        emit({"ok": False, "problems": [_problem_dict(p) for p in problems]})
    for p in problems:
        err.print("错误 ", style="bold red", end="", markup=False, highlight=False)
        err.print(p.message, markup=False, highlight=False)
        err.print(f"error: {p.message_en}", style="dim", markup=False, highlight=False)
    raise typer.Exit(2)


def _problem_dict(p: YibaoError) -> dict[str, Any]:
    shape: dict[str, Any] = dict(p.to_dict()["error"])
    for extra in ("file", "line"):
        if getattr(p, extra, None) is not None:
            shape[extra] = getattr(p, extra)
    return shape


class Bars:
    """Progress bars on stderr (live on a terminal; the final state once in a log), started
    with the first bar: a run that stops before it leaves nothing behind."""

    def __init__(self) -> None:
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                                  transient=False)
        self._started = False

    def add_task(self, description: str, total: float | None) -> TaskID:
        if not self._started:
            self._progress.start()
            self._started = True
        return self._progress.add_task(description, total=total)

    def update(self, task: TaskID, *, completed: float, total: float | None) -> None:
        self._progress.update(task, completed=completed, total=total)

    def stop(self) -> None:
        if self._started:
            self._progress.stop()
            self._started = False


@contextmanager
def bars() -> Iterator[Bars]:
    """Progress bars for a block (see :class:`Bars`)."""
    shown = Bars()
    try:
        yield shown
    finally:
        shown.stop()


@contextmanager
def next_step(zh: str, en: str) -> Iterator[None]:
    """Name what to do after a database or file failure inside this block (e.g. --resume)."""
    token = _NEXT_STEP.set((zh, en))
    try:
        yield
    except (YibaoError, typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # translated here, while the next step is known
        shown = translate(exc)
        if shown is None:
            raise
        raise shown from None
    finally:
        _NEXT_STEP.reset(token)


def _with_step(zh: str, en: str, default: tuple[str, str], *, both: bool = False
               ) -> tuple[str, str]:
    """The message with what to do next: the block's next step (``--resume``) in place of
    ``default``, or after it (``both``: fix the settings first)."""
    step = _NEXT_STEP.get()
    if step is None:
        return f"{zh};{default[0]}", f"{en}; {default[1]}"
    if both:
        return f"{zh};{default[0]},然后{step[0]}", f"{en}; {default[1]}, then {step[1]}"
    return f"{zh};{step[0]}", f"{en}; {step[1]}"


def _database_where(exc: BaseException) -> str:
    from yibao.settings import get_settings

    try:
        from sqlalchemy.engine import make_url

        url = make_url(get_settings().database_url)
        if url.get_backend_name() == "sqlite":
            return f"SQLite {url.database}"
        return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    except Exception:
        return type(exc).__name__


def _database_failure(exc: BaseException) -> YibaoError:
    """A database error in words, with what to do next."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    first = text.splitlines()[0] if text else type(orig).__name__
    where = _database_where(exc)
    config = ("检查 yibao.toml 的 database_url 或环境变量 YIBAO_DATABASE_URL",
              "check database_url in yibao.toml or YIBAO_DATABASE_URL")
    again = ("数据库恢复后重新运行同一命令", "run the same command again once the database is back")
    if "does not exist" in text and "database" in text and "relation" not in text:
        zh, en = _with_step(f"数据库不存在({where})", f"the database does not exist ({where})",
                            config, both=True)
        return Failure("database_missing", zh, en, field="database_url")
    if "password authentication failed" in text or "no password supplied" in text \
            or ("role" in text and "does not exist" in text):
        zh, en = _with_step(f"数据库拒绝登录({where})", f"the database refused the login ({where})",
                            config, both=True)
        return Failure("database_login", zh, en, field="database_url")
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return Failure("database_not_migrated", f"数据库尚未建表({where});请先运行 yibao db upgrade",
                       f"the database has no tables yet ({where}); run yibao db upgrade first",
                       field="database_url")
    if "unable to open database file" in text:
        zh, en = _with_step(f"无法打开数据库文件({where})", f"cannot open the database file ({where})",
                            ("确认其所在目录存在且可写", "make sure its folder exists and is writable"))
        return Failure("database_unreachable", zh, en, field="database_url")
    if "database is locked" in text:
        zh, en = _with_step(f"数据库正被占用({where})", f"the database is locked ({where})", again)
        return Failure("database_busy", zh, en, field="database_url")
    if "administrator command" in text or "server closed the connection" in text \
            or "connection refused" in text.lower() or "connection failed" in text \
            or "could not connect" in text or "consuming input failed" in text:
        zh, en = _with_step(f"数据库连接中断或无法连接({where})",
                            f"the database connection failed or was cut ({where}): {first}", again)
        return Failure("database_unreachable", zh, en, field="database_url")
    zh, en = _with_step(f"数据库出错({where})", f"database error ({where}): {first}", again)
    return Failure("database_error", zh, en, field="database_url")


def _file_failure(exc: OSError) -> YibaoError:
    """A file error in words: a path that does not exist is bad input, the rest a failure."""
    name = exc.filename or ""
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return InputError("file_not_found", f"找不到文件或目录: {name}(请检查路径;输出目录须先创建)",
                          f"no such file or folder: {name} (check the path; create an output "
                          "folder first)", field="path")
    if isinstance(exc, NotADirectoryError | IsADirectoryError):
        return InputError("wrong_path", f"路径不对: {name}({reason})",
                          f"wrong path: {name} ({reason})", field="path")
    if isinstance(exc, PermissionError):
        zh, en = _with_step(f"没有权限: {name}", f"permission denied: {name}",
                            ("请检查该文件或目录的权限后重新运行",
                             "fix the permissions and run the same command again"))
        return Failure("permission_denied", zh, en, field="path")
    if exc.errno == errno.ENOSPC:
        zh, en = _with_step(f"磁盘已满: {name}", f"no space left on the device: {name}",
                            ("腾出空间后重新运行", "free some space and run the same command again"))
        return Failure("disk_full", zh, en, field="path")
    zh, en = _with_step(f"无法读写 {name}: {reason}", f"cannot read or write {name}: {reason}",
                        ("检查该路径后重新运行", "check the path and run the same command again"))
    return Failure("file_error", zh, en, field="path")


def translate(exc: BaseException) -> YibaoError | None:
    """The error to show for ``exc``, or None for a bug (which keeps its traceback)."""
    if isinstance(exc, YibaoError):
        return exc
    try:
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.exc import TimeoutError as PoolTimeout
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return None
    if isinstance(exc, DBAPIError | PoolTimeout):
        return _database_failure(exc)
    if type(exc).__module__.split(".")[0] in ("psycopg", "sqlite3") \
            and type(exc).__name__.endswith(("OperationalError", "InterfaceError", "AdminShutdown")):
        return _database_failure(exc)
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError):
        return _file_failure(exc)
    if isinstance(exc, ConnectionError):
        return _database_failure(exc)
    return None


def handled(func: Callable[P, R]) -> Callable[P, R]:
    """The command with its errors shown as one message and the right exit code (a bug keeps
    its traceback). ``as_json`` among the command's options decides the JSON error."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            shown = translate(exc)
            if shown is None:
                raise
            fail(shown, as_json=bool(kwargs.get("as_json") or kwargs.get("json_path")))

    return run


def database() -> Database:
    """The registry named by the settings (``database_url`` in yibao.toml or
    ``YIBAO_DATABASE_URL``)."""
    from yibao.settings import get_settings
    from yibao.store.db import Database

    return Database(get_settings().database_url)
