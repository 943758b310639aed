"""The province's year on PostgreSQL: ``yibao demo generate``, ``yibao renewal``, a
generated statement with planted differences reconciled (``yibao demo statement``, ``yibao
reconcile``) and ``yibao report`` — on one generated registry.

    python -m bench.province_bench [--persons 100000 1000000] [--notices] [--keep]

For each size: a fresh database (``YIBAO_BENCH_PG_URL``, default the local ``test``
database's server), migrated; the generator and the renewal run as the real command in
a child process each. Prints wall seconds, residents per second and the child's peak
memory (max RSS) for each part.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.rules_bench import OUT

PG_URL = os.environ.get("YIBAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
YIBAO = str(Path(sys.executable).parent / "yibao")
YEAR = "2025"
AS_OF = "2024-10-15"


def _timed(args: list[str], url: str) -> tuple[float, float, str]:
    """Run the command; (wall seconds, peak RSS in MB, stdout)."""
    env = {**os.environ, "YIBAO_DATABASE_URL": url}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([YIBAO, *args], env=env, stdout=subprocess.PIPE, stderr=log,
                                text=True)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory
        log.seek(0)
        errors = log.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"yibao {' '.join(args)} failed ({proc.returncode}): {errors[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out.strip()


def run(persons: int, *, notices: bool, keep: bool, no_payments: bool = False
        ) -> dict[str, float]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"yibao_bench_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    out = OUT / f"province-{persons}"
    shutil.rmtree(out, ignore_errors=True)
    try:
        subprocess.run([YIBAO, "db", "upgrade"], env={**os.environ, "YIBAO_DATABASE_URL": url},
                       check=True, capture_output=True)
        gen_s, gen_mb, gen_out = _timed(["demo", "generate", "--persons", str(persons),
                                         "--seed", "1", "--year", YEAR,
                                         *(["--no-payments"] if no_payments else [])], url)
        print(f"province generate {persons:>9,}: {gen_s:7.1f} s  "
              f"{persons / gen_s:>9,.0f} residents/s  peak {gen_mb:,.0f} MB  | {gen_out}",
              flush=True)
        args = ["renewal", YEAR, "-o", str(out), "--as-of", AS_OF] + (["--notices"] if notices
                                                                      else [])
        ren_s, ren_mb, ren_out = _timed(args, url)
        print(f"province renewal  {persons:>9,}: {ren_s:7.1f} s  "
              f"{persons / ren_s:>9,.0f} residents/s  peak {ren_mb:,.0f} MB  | {ren_out}",
              flush=True)
        figures = {"persons": persons, "generate_s": gen_s, "generate_mb": gen_mb,
                   "renewal_s": ren_s, "renewal_mb": ren_mb}
        if not no_payments:
            figures |= _reconcile_and_report(url, out, persons)
        return figures
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept database {url}")
        admin.dispose()


def _reconcile_and_report(url: str, out: Path, persons: int) -> dict[str, float]:
    """The busiest channel's statement for YEAR - 1 reconciled; the report of YEAR."""
    engine = create_engine(url)
    with engine.connect() as conn:
        channel, lines = conn.execute(text(
            "SELECT channel, count(*) FROM payments WHERE coverage_year = :y "
            "GROUP BY channel ORDER BY count(*) DESC, channel LIMIT 1"),
            {"y": int(YEAR) - 1}).one()
    engine.dispose()
    statement = out / f"statement-{channel}.csv"
    _timed(["demo", "statement", "--channel", channel, "--year", str(int(YEAR) - 1),
            "-o", str(statement)], url)
    rec_s, rec_mb, _ = _timed(["reconcile", str(statement), "--channel", channel,
                               "-o", str(out / "reconciliation.csv"), "--json"], url)
    print(f"province reconcile {persons:>8,}: {rec_s:7.1f} s  {lines:>9,} ledger lines of "
          f"{channel}  peak {rec_mb:,.0f} MB", flush=True)
    rep_s, rep_mb, _ = _timed(["report", YEAR, "-o", str(out / "report"), "--as-of", f"{YEAR}-03-01",
                               "--json"], url)
    print(f"province report   {persons:>9,}: {rep_s:7.1f} s  "
          f"{persons / rep_s:>9,.0f} residents/s  peak {rep_mb:,.0f} MB", flush=True)
    return {"reconcile_s": rec_s, "reconcile_lines": lines, "report_s": rep_s}


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    parser.add_argument("--notices", action="store_true", help="Also time the PDF notices.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    parser.add_argument("--no-payments", action="store_true",
                        help="Generate residents and history only (no ledger payments).")
    args = parser.parse_args(argv)
    return [run(n, notices=args.notices, keep=args.keep, no_payments=args.no_payments)
            for n in args.persons]


if __name__ == "__main__":
    main(sys.argv[1:])
