"""The renewal's printable notices, in households per second on every core (issue 19).

    python -m bench.notices_bench [--persons 30000] [--processes 2] [--keep] [--spark]

A fresh PostgreSQL database (``YIBAO_BENCH_PG_URL``) gets a generated registry (``yibao
demo generate --no-payments``: every household has someone to remind) and one ``yibao
renewal`` run without notices; its reminders (``reminders/<region>.parquet``, the rows the
notices are made of) are then turned into one notices PDF per county by
``write_notices``, the counties shared over ``--processes`` worker processes (largest
first).  Timed: from the first county given to the workers to the last PDF written.  Also
fitted from each county's own time: the fixed cost per county and the cost per page on
one core, which size a province (docs/scale.md). ``--spark``: the same counties again as
Spark tasks on ``local[processes]`` (``write_notices_on_spark``, one task per county).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from sqlalchemy import create_engine, text

from bench.province_bench import AS_OF, PG_URL, YEAR, YIBAO

TARGET = 500  # households per second on 2 cores
STAMP = dt.date(2024, 10, 15)


def _warm(pause: float) -> None:
    """Imports and the font read, once per worker (not timed: once per process of a
    province's run, as ``read_font`` before forking)."""
    from yibao.operations.renewal.notices import read_font

    read_font()
    time.sleep(pause)  # so that each worker takes one


def _county(reminders: str, pdf: str) -> tuple[int, float]:
    """One county's notices: (households, seconds)."""
    from yibao.operations.renewal.notices import write_notices

    rows = pq.read_table(reminders)
    started = time.perf_counter()
    households = write_notices(rows, int(YEAR), Path(pdf), STAMP)
    return households, time.perf_counter() - started


def notices(reminders: Path, processes: int) -> dict[str, Any]:
    """Every county's notices over ``processes`` workers: households/s, and the per-county
    and per-page costs on one core (least squares over the counties)."""
    files = sorted(reminders.glob("*.parquet"), key=lambda p: -p.stat().st_size)
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as out, \
            ProcessPoolExecutor(processes, mp_context=ctx) as pool:
        list(pool.map(_warm, [0.5] * processes))  # every worker started and warm
        started = time.perf_counter()
        results = list(pool.map(_county, [str(f) for f in files],
                                [str(Path(out) / f"{f.stem}.pdf") for f in files]))
        wall = time.perf_counter() - started
    pages = np.array([h for h, _ in results], dtype=np.float64)
    seconds = np.array([s for _, s in results])
    fixed, per_page = np.linalg.lstsq(np.column_stack([np.ones_like(pages), pages]), seconds,
                                      rcond=None)[0]
    households = int(pages.sum())
    return {"households": households, "counties": len(files), "seconds": wall,
            "per_second": households / wall, "processes": processes,
            "county_s": float(fixed), "page_ms": float(per_page) * 1000,
            "busy_s": float(seconds.sum())}


def on_spark(reminders: Path, processes: int) -> dict[str, Any]:
    """The same counties as Spark tasks on ``local[processes]``
    (``write_notices_on_spark``); timed from the job's start (Spark and its Python
    workers started and warm first), households/s."""
    from yibao.batch.spark_run import spark_session
    from yibao.operations.renewal.spark_notices import write_notices_on_spark

    spark = spark_session(f"local[{processes}]", {"spark.ui.showConsoleProgress": "false"})
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.sparkContext.parallelize(range(processes), processes).map(
            lambda _: _warm(0.5)).collect()
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            counts = write_notices_on_spark(spark, reminders, Path(out), int(YEAR), STAMP)
            wall = time.perf_counter() - started
    finally:
        spark.stop()
    households = sum(counts.values())
    return {"households": households, "counties": len(counts), "seconds": wall,
            "per_second": households / wall, "processes": processes}


def run(persons: int, processes: int, *, keep: bool, spark: bool = False) -> dict[str, Any]:
    """Generate, renew, then time the notices (see the module's docstring)."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"yibao_bench_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    env = {**os.environ, "YIBAO_DATABASE_URL": PG_URL.rsplit("/", 1)[0] + f"/{name}"}
    try:
        with tempfile.TemporaryDirectory() as out:
            for args in (["db", "upgrade"],
                         ["demo", "generate", "--persons", str(persons), "--seed", "1",
                          "--year", YEAR, "--no-payments"],
                         ["renewal", YEAR, "-o", out, "--as-of", AS_OF]):
                subprocess.run([YIBAO, *args], env=env, check=True, capture_output=True)
            figures = notices(Path(out) / "reminders", processes)
            if spark:
                figures["spark"] = on_spark(Path(out) / "reminders", processes)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"notices, {figures['processes']} processes: {figures['households']:,} households "
          f"in {figures['counties']} counties ({persons:,} residents) in "
          f"{figures['seconds']:.1f} s: {figures['per_second']:.0f} households/s "
          f"(target >= {TARGET}); one core: {figures['county_s']:.2f} s a county + "
          f"{figures['page_ms']:.1f} ms a page", flush=True)
    if "spark" in figures:
        on = figures["spark"]
        print(f"notices on Spark local[{on['processes']}], one task per county: "
              f"{on['households']:,} households in {on['counties']} counties in "
              f"{on['seconds']:.1f} s: {on['per_second']:.0f} households/s", flush=True)
    return {"persons": persons, **figures}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=30_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    parser.add_argument("--spark", action="store_true",
                        help="Also the same counties as Spark tasks (local[processes]).")
    args = parser.parse_args(argv if argv is not None else [])
    return run(args.persons, args.processes, keep=args.keep, spark=args.spark)


if __name__ == "__main__":
    main(sys.argv[1:])
