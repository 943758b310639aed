"""Report benchmark on PostgreSQL: a registry of N persons loaded by COPY, then
``yibao report``'s three steps timed: the SQL report (GROUP BY in the database), the
Parquet extract (COPY out), and the report from the extract (Arrow compute).

    python -m bench.report_bench [--persons 1000000] [--year 2025] [--keep]

The registry: persons spread over Guangxi's 111 county units; cover before the registry
declared for 2022/2023; enrollments for YEAR−1 and YEAR in their usual mix (paid, late,
underpaid, pending, open); one payment per paid enrollment, most in the concentrated
period. A fresh database at YIBAO_BENCH_PG_URL (default the local ``test`` database's
server), dropped afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import create_engine, text

from yibao.policy import reference_data as reference

PG_URL = os.environ.get("YIBAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHUNK = 250_000


def _copy(raw: Any, table: str, data: pa.Table) -> None:
    """COPY an Arrow table into ``table`` (columns by name), in chunks of CSV."""
    cols = ", ".join(data.column_names)
    cur = raw.cursor()
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
        for start in range(0, data.num_rows, CHUNK):
            buf = io.BytesIO()
            pacsv.write_csv(data.slice(start, CHUNK), buf,
                            pacsv.WriteOptions(include_header=start == 0))
            copy.write(buf.getvalue())
    cur.close()


def _days(base: dt.date, offsets: np.ndarray) -> pa.Array:
    epoch = (base - dt.date(1970, 1, 1)).days
    return pa.array((offsets + epoch).astype(np.int32), pa.date32())


def build(url: str, n: int, year: int, rng: np.random.Generator) -> dict[str, float]:
    """Load the registry by COPY; returns seconds per table."""
    counties = sorted(c for c, r in reference.load_regions().items()
                      if r.level == "county" and c.startswith("45"))
    ids = np.arange(1, n + 1, dtype=np.int64)
    region = pa.array(np.array(counties)[rng.integers(0, len(counties), n)])
    birth = _days(dt.date(1940, 1, 1), rng.integers(0, 365 * 84, n))
    now = pa.scalar(dt.datetime(2024, 8, 1), pa.timestamp("us"))
    known = rng.random(n) < 0.9
    persons = pa.table({
        "id": ids, "id_number": pa.array([f"B{i:017d}" for i in ids]),
        "document_type": pa.array(["resident_id"] * n), "name": pa.array(["测试"] * n),
        "birth_date": birth, "sex": pa.array(np.where(ids % 2 == 0, "female", "male")),
        "region": region, "hukou_region": region, "residence_permit": pa.array(np.zeros(n, bool)),
        "history_recorded_at": pa.array(
            np.full(n, np.datetime64("2024-08-01T00:00:00", "us")), pa.timestamp("us"),
            mask=~known),
        "created_at": pa.array([now.as_py()] * n, pa.timestamp("us")),
        "updated_at": pa.array([now.as_py()] * n, pa.timestamp("us")),
    })
    seconds: dict[str, float] = {}
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        # a bench's own fresh database: foreign keys are known to hold, skip their triggers
        raw.cursor().execute("SET session_replication_role = replica")
        t0 = time.perf_counter()
        _copy(raw, "persons", persons)
        seconds["persons"] = time.perf_counter() - t0

        hist_ids, hist_years = [], []
        for y, share in ((year - 3, 0.85), (year - 2, 0.8)):
            pick = ids[known & (rng.random(n) < share)]
            hist_ids.append(pick)
            hist_years.append(np.full(len(pick), y, np.int32))
        hp = np.concatenate(hist_ids)
        history = pa.table({
            "person_id": hp, "coverage_year": np.concatenate(hist_years),
            "source": pa.array(["declared"] * len(hp)), "reference": pa.array([""] * len(hp)),
            "recorded_by": pa.array(["bench"] * len(hp)),
            "recorded_at": pa.array([now.as_py()] * len(hp), pa.timestamp("us")),
        })
        t0 = time.perf_counter()
        _copy(raw, "coverage_history", history)
        seconds["coverage_history"] = time.perf_counter() - t0

        e_parts, p_parts = [], []
        next_id = 1
        for y, share in ((year - 1, 0.85), (year, 0.78)):
            has = rng.random(n) < share
            pid = ids[has]
            m = len(pid)
            draw = rng.random(m)
            status = np.select([draw < 0.9, draw < 0.93, draw < 0.96], ["paid", "underpaid",
                               "pending"], "open")
            on_time = rng.random(m) < 0.75
            pay_day = np.where(on_time, rng.integers(0, 122, m),
                               122 + rng.integers(0, 180, m))  # from Sep 1 of y-1
            period = dt.date(y - 1, 9, 1)
            start = np.where(on_time & (rng.random(m) < 0.9), (dt.date(y, 1, 1) - period).days,
                             pay_day + 92)
            eid = np.arange(next_id, next_id + m, dtype=np.int64)
            next_id += m
            covered = status != "open"
            start_arr = pa.array(np.where(covered & (status != "pending"), start, -1), pa.int32())
            start_dates = pa.array([None if s < 0 else period + dt.timedelta(days=int(s))
                                    for s in start_arr.to_numpy()], pa.date32())
            e_parts.append(pa.table({
                "id": eid, "person_id": pid, "coverage_year": np.full(m, y, np.int32),
                "status": pa.array(status), "region": region.take(pa.array(pid - 1)),
                "amount_due_fen": np.full(m, 40000, np.int64),
                "amount_paid_fen": np.where(covered, np.where(status == "underpaid", 30000,
                                                              40000), 0),
                "benefit_start": start_dates,
                "waiting_fixed": np.zeros(m, np.int32), "waiting_variable": np.zeros(m, np.int32),
                "rule_ids": pa.array(["[]"] * m), "rules": pa.array(["[]"] * m),
                "warnings": pa.array(["[]"] * m), "warning_codes": pa.array(["[]"] * m),
                "history_basis": pa.array(["registry"] * m),
                "created_at": pa.array([now.as_py()] * m, pa.timestamp("us")),
                "updated_at": pa.array([now.as_py()] * m, pa.timestamp("us")),
            }))
            k = int(covered.sum())
            paid_at = np.datetime64(period) + pay_day[covered].astype("timedelta64[D]")
            p_parts.append(pa.table({
                "channel": pa.array(["tax12366_wechat"] * k),
                "channel_txn_id": pa.array([f"B{y}-{i}" for i in eid[covered]]),
                "person_id": pid[covered], "enrollment_id": eid[covered],
                "coverage_year": np.full(k, y, np.int32),
                "amount_fen": np.where(status[covered] == "underpaid", 30000, 40000),
                "settlement": pa.array(["exact"] * k), "reversed_fen": np.zeros(k, np.int64),
                "paid_at": pa.array(paid_at.astype("datetime64[us]"), pa.timestamp("us")),
                "payer": pa.array([""] * k),
                "receipt_number": pa.array([f"R{y}{i:012d}" for i in eid[covered]]),
                "request_hash": pa.array(["0" * 64] * k), "response": pa.array(["{}"] * k),
                "recorded_by": pa.array(["bench"] * k),
                "created_at": pa.array([now.as_py()] * k, pa.timestamp("us")),
            }))
        t0 = time.perf_counter()
        for part in e_parts:
            _copy(raw, "enrollments", part)
        seconds["enrollments"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for part in p_parts:
            _copy(raw, "payments", part)
        seconds["payments"] = time.perf_counter() - t0
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    stats = create_engine(url, isolation_level="AUTOCOMMIT")  # ANALYZE's statistics must stay
    with stats.connect() as conn:
        conn.execute(text("ANALYZE"))
    stats.dispose()
    return seconds


def measure(url: str, year: int, repeat: int) -> dict[str, Any]:
    from yibao.operations.reports import parquet_report, sql_report, write_extract
    from yibao.operations.reports.model import ReportParams
    from yibao.operations.reports.sql import sql_counts  # noqa: F401  (warm imports)
    from yibao.store.db import Database

    db = Database(url)
    params = ReportParams.make(year, as_of=dt.date(year, 3, 1))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "extract.parquet"
        for name, step in (("sql_report", lambda: sql_report(db.engine, params)),
                           ("extract", lambda: write_extract(db.engine, params, path)),
                           ("parquet_report", lambda: parquet_report(path, params))):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                result = step()
                times.append(time.perf_counter() - t0)
            out[name] = min(times)
            out[f"{name}_result"] = result
        out["extract_mb"] = path.stat().st_size / 1e6
    assert out["sql_report_result"].rows == out["parquet_report_result"].rows, "SQL != Parquet"
    db.dispose()
    return out


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = ap.parse_args(argv)
    from yibao.store.migrate import upgrade

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"yibao_b_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        t0 = time.perf_counter()
        loaded = build(url, args.persons, args.year, np.random.default_rng(11))
        print(f"report load: {args.persons} persons by COPY in {time.perf_counter() - t0:.1f} s "
              + " ".join(f"{k}={v:.1f}s" for k, v in loaded.items()))
        r = measure(url, args.year, args.repeat)
        total = r["sql_report_result"].total.counts
        n = args.persons
        print(f"report sql: {r['sql_report']:.2f} s ({n / r['sql_report']:,.0f} persons/s); "
              f"extract: {r['extract']:.2f} s ({r['extract_mb']:.0f} MB Parquet); "
              f"parquet report: {r['parquet_report']:.2f} s; SQL == Parquet")
        print(f"report totals: registered {total.registered}, paid {total.paid}, "
              f"on time {total.on_time}, lapsed {total.lapsed}, waiting {total.waiting}")
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
