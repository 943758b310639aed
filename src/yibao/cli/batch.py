"""``yibao batch quote IN -o OUT``: quotes for many people at once (contract §3).

    yibao batch quote people.csv -o quotes.parquet          # CSV in UTF-8 or GB 18030
    yibao batch quote people.parquet -o quotes.csv --engine spark --master 'local[*]'
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yibao.cli._output import Command, JsonFlag, bars, emit, handled, note, say
from yibao.errors import InputError

__all__ = ["register"]

batch_app = typer.Typer(help="批量报价(Parquet 或 CSV)。Quotes for many people at once "
                             "(Parquet or CSV).", no_args_is_help=True, rich_markup_mode=None)
Opt = typer.Option


@batch_app.command("quote", cls=Command)
@handled
def batch_quote(
    src: Annotated[Path, typer.Argument(metavar="IN", help="Input .parquet or .csv (UTF-8 or GB 18030), one "
                                             "row per person.")],
    output: Annotated[Path, Opt("-o", "--output", help="Output .parquet or .csv.")],
    keep: Annotated[list[str] | None, Opt(help="Input column to carry into the output.")] = None,
    chunk_rows: Annotated[int, Opt(help="Rows per record batch.")] = 131_072,
    engine: Annotated[str, Opt(help="local (this machine's cores) or spark.")] = "local",
    master: Annotated[str, Opt(help="Spark master URL (--engine spark).")] = "local[*]",
    conf: Annotated[list[str] | None, Opt(
        help="Spark setting KEY=VALUE (--engine spark), e.g. spark.executor.memory=4g.")] = None,
    workers: Annotated[int | None, Opt(
        help="Worker processes (--engine local; default one per core).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """逐行报价;校验不通过的行写明错误,整批照常完成。Quote every row of a file; rows that
    fail validation get an error, the run goes on."""
    from yibao.batch.files import ENCODINGS, check_output, csv_encoding, file_format, input_columns

    if engine not in ("local", "spark"):
        raise InputError("invalid_value", f"未知引擎: {engine}(local 或 spark)",
                         f"unknown engine: {engine} (local or spark)", field="engine")
    check_output(output)
    input_columns(src, tuple(keep or ()))
    encoding = csv_encoding(src) if file_format(src) == "csv" else None
    if encoding is not None and not as_json:
        note(f"读取 {src.name}: {ENCODINGS[encoding]} 编码", f"read {src.name} as "
             f"{ENCODINGS[encoding].replace('带 BOM / ', '')}")
    settings = dict(item.partition("=")[::2] for item in conf or ())
    with bars() as bar:
        task = bar.add_task("报价 quotes", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        if engine == "spark":
            from yibao.batch.spark_run import run_spark

            summary = run_spark(src, output, master=master, keep=tuple(keep or ()),
                                conf=settings, chunk_rows=chunk_rows, progress=progress)
        else:
            from yibao.batch.runner import run_batch

            summary = run_batch(src, output, chunk_rows=chunk_rows, keep=tuple(keep or ()),
                                progress=progress, workers=workers)
    if as_json:
        emit({"rows": summary.rows, "errors": summary.errors, "output": str(output),
              "encoding": encoding, "seconds": round(summary.seconds, 3)})
        return
    rows = f"{summary.rows} row{'s' if summary.rows != 1 else ''}"
    say(f"报价 {summary.rows} 行,其中 {summary.errors} 行有错误(见 error 列),用时 "
        f"{summary.seconds:.2f} 秒 → {output}",
        f"{rows} quoted, {summary.errors} with an error (see the error column), "
        f"{summary.seconds:.2f} s → {output}")


def register(app: typer.Typer) -> None:
    """Add ``batch quote``."""
    app.add_typer(batch_app, name="batch")
