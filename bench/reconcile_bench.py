"""Reconciliation at a province's scale: a 1M-line statement against a PostgreSQL ledger
of ~1M payments.

    python -m bench.reconcile_bench [--rows 1000000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Makes a fresh database (dropped at the end), migrates it, writes persons, enrollments and
payments of one channel straight with COPY (the payment path is not what is measured
here), writes the statement with ``yibao demo statement`` (2% of the lines of each planted
kind), then times ``yibao reconcile`` through its real entry point and prints lines/second.
``--keep DIR`` keeps the database and statement; ``--reuse DIR`` times runs on them again.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import create_engine, text

YIBAO = str(Path(sys.executable).parent / "yibao")
CHANNEL = "tax12366_wechat"
YEAR = 2025
_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))


def id_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct valid ID numbers of Liuzhou residents (vectorized GB 11643)."""
    region = np.array([450202, 450203, 450204, 450205, 450206])[rng.integers(0, 5, n)]
    k = rng.permutation(np.arange(n))  # (birth day, sequence) distinct
    days = k // 900
    birth = np.datetime64("1950-01-01") + days.astype("timedelta64[D]")
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    seq = k % 900 + 100
    body = np.char.add(np.char.add(region.astype(str), ymd), seq.astype(str))
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - 48
    check = _CHECK[(digits * _W).sum(axis=1) % 11]
    return np.char.add(body, check)


def _copy(raw: object, table: str, data: pa.Table) -> None:
    buf = io.BytesIO()
    pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    with raw.cursor() as cur, cur.copy(  # type: ignore[attr-defined]
            f"COPY {table} ({', '.join(data.column_names)}) FROM STDIN (FORMAT csv)") as cp:
        cp.write(buf.getvalue())


def make_ledger(url: str, rows: int) -> None:
    rng = np.random.default_rng(11)
    persons = rows + rows // 50  # some registered persons without a payment
    numbers = id_numbers(persons, rng)
    ids = np.arange(1, persons + 1)
    region = pa.array([n[:6] for n in numbers.tolist()])
    now = "2025-01-01 00:00:00"
    paid_ids = ids[:rows]
    amount = np.full(rows, 40000, dtype=np.int64)
    paid_at = np.datetime64("2024-09-01T08:00:00") + rng.integers(
        0, 120 * 86400, rows).astype("timedelta64[s]")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            _copy(raw, "persons", pa.table({
                "id": ids, "id_number": numbers, "document_type": ["resident_id"] * persons,
                "name": ["演示"] * persons,
                "birth_date": pa.array(np.datetime64("1990-01-01") + np.zeros(persons, "timedelta64[D]")),
                "sex": ["female"] * persons, "region": region, "hukou_region": region,
                "residence_permit": [False] * persons, "created_at": [now] * persons,
                "updated_at": [now] * persons}))
            _copy(raw, "enrollments", pa.table({
                "id": paid_ids, "person_id": paid_ids, "coverage_year": [YEAR] * rows,
                "status": ["paid"] * rows, "region": region.slice(0, rows),
                "amount_due_fen": amount, "amount_paid_fen": amount, "waiting_fixed": [0] * rows,
                "waiting_variable": [0] * rows, "rule_ids": ["[]"] * rows, "rules": ["[]"] * rows,
                "warnings": ["[]"] * rows, "warning_codes": ["[]"] * rows,
                "history_basis": ["registry"] * rows, "created_at": [now] * rows,
                "updated_at": [now] * rows}))
            _copy(raw, "payments", pa.table({
                "id": paid_ids, "channel": [CHANNEL] * rows,
                "channel_txn_id": [f"T{YEAR}{i:09d}" for i in range(rows)],
                "person_id": paid_ids, "enrollment_id": paid_ids, "coverage_year": [YEAR] * rows,
                "amount_fen": amount, "expected_fen": amount, "difference_fen": np.zeros(rows, np.int64),
                "settlement": ["exact"] * rows, "reversed_fen": np.zeros(rows, np.int64),
                "paid_at": pa.array(paid_at), "payer": [""] * rows,
                "receipt_number": [f"R{i:012d}" for i in range(rows)],
                "request_hash": ["0" * 64] * rows, "response": ["{}"] * rows,
                "recorded_by": ["bench"] * rows, "created_at": [now] * rows}))
            for table in ("persons", "enrollments", "payments"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {persons})")
            conn.commit()
            conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def _timed_runs(url: str, statement: Path, lines: int, runs: int) -> None:
    env = {**os.environ, "YIBAO_DATABASE_URL": url}
    for n in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run([YIBAO, "reconcile", str(statement), "--channel", CHANNEL,
                               "-o", str(statement.with_name("report.csv")), "--json"],
                              env=env, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        counts = json.loads(proc.stdout)["counts"]
        print(f"reconcile run {n + 1}: {lines} lines against {counts['ledger_payments']} "
              f"payments in {seconds:.1f} s ({lines / seconds:,.0f} lines/s; whole "
              f"command, report and stored run included); matched {counts['matched']}, "
              f"missing from ledger {counts['missing_from_ledger']}, from statement "
              f"{counts['missing_from_statement']}, amounts {counts['amount_differences']}, "
              f"duplicates {counts['duplicate_txn']} + {counts['duplicate_person_year']}",
              flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get(
        "YIBAO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the database and the statement in this folder (for profiling)")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="time the runs again on what --keep left in this folder")
    args = parser.parse_args(argv)
    if args.reuse is not None:
        kept = json.loads((args.reuse / "bench.json").read_text())
        _timed_runs(kept["url"], args.reuse / "statement.csv", kept["lines"], args.runs)
        return
    from yibao.store.migrate import upgrade

    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    name = f"yibao_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.pg.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        t0 = time.perf_counter()
        make_ledger(url, args.rows)
        print(f"reconcile ledger: {args.rows} payments written by COPY in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        env = {**os.environ, "YIBAO_DATABASE_URL": url}
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            statement = folder / "statement.csv"
            t0 = time.perf_counter()
            subprocess.run([YIBAO, "demo", "statement", "--channel", CHANNEL, "--year", str(YEAR),
                            "-o", str(statement), "--seed", "5"], env=env, check=True,
                           capture_output=True)
            lines = json.loads(Path(f"{statement}.planted.json").read_text())["lines"]
            print(f"reconcile statement: {lines} lines ({statement.stat().st_size / 1e6:.0f} MB) "
                  f"in {time.perf_counter() - t0:.1f} s", flush=True)
            if args.keep:
                (folder / "bench.json").write_text(json.dumps({"url": url, "lines": lines}))
            _timed_runs(url, statement, lines, args.runs)
    finally:
        if args.keep is None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"kept: database {name}, files in {args.keep} (drop the database when done)")
        admin.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
