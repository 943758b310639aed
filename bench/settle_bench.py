"""Settling benchmark on PostgreSQL: a ledger of N pending payments (Guangxi's 2026 share
unpublished when they were recorded), loaded by COPY and ANALYZEd; the 2026 share is then
published at 420.00 through a policy folder and ``yibao payments settle``'s use case settles
them all, then writes the balance list.

    python -m bench.settle_bench [--payments 100000] [--keep]

The ledger: one resident per enrollment over Guangxi's 111 county units (valid ID
numbers, since each settled enrollment is quoted from the person), cover before the
registry declared for 2024 and 2025 for most, 2025 paid through the registry for some;
one 2026 payment per pending enrollment, 400.00 (the 2025 share, as a counter collects
it while 2026's is unpublished) for nine in ten and 420.00 for the rest, a second payment
for one in twenty. Settled at 420.00, the 400.00 ones settle ``under`` with a balance of
20.00 each. Prints the load time, settle's time and its rate (payments and enrollments
per second), and the balance list's time. A fresh database at YIBAO_BENCH_PG_URL
(default the local ``test`` database's server), dropped afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import create_engine, text

from bench.report_bench import PG_URL, _copy
from yibao.idcard import make_id_number
from yibao.policy import reference_data as reference

YEAR = 2026
SHARE = """description: 个人缴费标准
unit: fen
values:
  "450000":
    - {from: 2026-01-01, to: 2026-12-31, value: 42000, source: "基准测试: 广西2026年度个人缴费标准420元"}
"""


def build(url: str, payments: int, rng: np.random.Generator) -> tuple[int, int]:
    """Load persons, history, 2025 enrollments and the pending 2026 ledger by COPY, then
    ANALYZE (a fresh bulk load has no planner statistics until autovacuum gets to it).
    Returns (enrollments pending, payments)."""
    counties = sorted(c for c, r in reference.load_regions().items()
                      if r.level == "county" and c.startswith("45"))
    second = rng.random(payments) < 0.05  # a second payment for the same year
    n = payments - int(second.sum())  # one pending enrollment per person
    ids = np.arange(1, n + 1, dtype=np.int64)
    regions = np.array(counties)[rng.integers(0, len(counties), n)]
    births = [dt.date(1940, 1, 1) + dt.timedelta(days=int(d))
              for d in rng.integers(0, 365 * 80, n)]
    numbers: list[str] = []
    seen: set[str] = set()
    for i, r, b in zip(ids, regions, births, strict=True):
        seq = int(i % 500)
        number = make_id_number(str(r), b, seq, "female" if i % 2 else "male")
        while number in seen:  # the same county and birthday: the next order code
            seq = (seq + 1) % 500
            number = make_id_number(str(r), b, seq, "female" if i % 2 else "male")
        seen.add(number)
        numbers.append(number)
    now = dt.datetime(2025, 12, 1)
    known = rng.random(n) < 0.9
    persons = pa.table({
        "id": ids, "id_number": pa.array(numbers), "document_type": ["resident_id"] * n,
        "name": ["测试"] * n, "birth_date": pa.array(births, pa.date32()),
        "sex": pa.array(np.where(ids % 2 == 0, "male", "female")),
        "region": pa.array(regions), "hukou_region": pa.array(regions),
        "residence_permit": pa.array(np.zeros(n, bool)),
        "history_recorded_at": pa.array([now if k else None for k in known],
                                        pa.timestamp("us")),
        "created_at": pa.array([now] * n, pa.timestamp("us")),
        "updated_at": pa.array([now] * n, pa.timestamp("us")),
    })
    declared = ids[known & (rng.random(n) < 0.95)]
    history = pa.table({
        "person_id": np.concatenate([declared, declared]),
        "coverage_year": np.repeat(np.array([YEAR - 2, YEAR - 1], np.int32), len(declared)),
        "source": ["declared"] * (2 * len(declared)), "reference": [""] * (2 * len(declared)),
        "recorded_by": ["bench"] * (2 * len(declared)),
        "recorded_at": pa.array([now] * (2 * len(declared)), pa.timestamp("us")),
    })
    empty = ["[]"] * n
    enrollments = pa.table({
        "id": ids, "person_id": ids, "coverage_year": np.full(n, YEAR, np.int32),
        "status": ["pending"] * n, "region": pa.array(regions),
        "amount_due_fen": pa.nulls(n, pa.int64()), "amount_paid_fen": np.zeros(n, np.int64),
        "benefit_start": pa.nulls(n, pa.date32()), "benefit_end": pa.nulls(n, pa.date32()),
        "waiting_fixed": np.zeros(n, np.int32), "waiting_variable": np.zeros(n, np.int32),
        "rule_ids": empty, "rules": empty, "warnings": empty, "warning_codes": empty,
        "history_basis": ["registry"] * n, "balance_due_fen": np.zeros(n, np.int64),
        "created_at": pa.array([now] * n, pa.timestamp("us")),
        "updated_at": pa.array([now] * n, pa.timestamp("us")),
    })
    owner = np.concatenate([ids, rng.choice(ids, payments - n, replace=False)])
    owner.sort()
    amount = np.where(rng.random(payments) < 0.9, 40000, 42000)
    amount[1:][owner[1:] == owner[:-1]] = 2000  # a second payment: the rest
    paid_at = (np.datetime64("2025-09-01") + rng.integers(0, 120, payments)
               .astype("timedelta64[D]")).astype("datetime64[us]")
    paid_at[1:][owner[1:] == owner[:-1]] += np.timedelta64(5, "D")
    pids = np.arange(1, payments + 1)
    ledger = pa.table({
        "id": pids, "channel": ["tax12366_wechat"] * payments,
        "channel_txn_id": pa.array([f"S{i}" for i in pids]), "person_id": owner,
        "enrollment_id": owner, "coverage_year": np.full(payments, YEAR, np.int32),
        "amount_fen": amount, "settlement": ["unquoted"] * payments,
        "reversed_fen": np.zeros(payments, np.int64), "paid_at": pa.array(paid_at),
        "payer": [""] * payments, "receipt_number": pa.array([f"R{i:014d}" for i in pids]),
        "request_hash": ["0" * 64] * payments, "response": ["{}"] * payments,
        "recorded_by": ["bench"] * payments,
        "created_at": pa.array([now] * payments, pa.timestamp("us")),
    })
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("SET session_replication_role = replica")  # own fresh database
        for table, data in (("persons", persons), ("coverage_history", history),
                            ("enrollments", enrollments), ("payments", ledger)):
            _copy(raw, table, data)
        for seq, last in (("persons_id_seq", n), ("enrollments_id_seq", n),
                          ("payments_id_seq", payments)):
            raw.cursor().execute(f"SELECT setval('{seq}', {last})")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    stats = create_engine(url, isolation_level="AUTOCOMMIT")
    with stats.connect() as conn:
        conn.execute(text("ANALYZE"))
    stats.dispose()
    return n, payments


def measure(url: str, folder: Path, out: Path) -> dict[str, float]:
    """Settle with the figures published in ``folder``; then write the balance list."""
    os.environ["YIBAO_POLICY_DIR"] = str(folder)
    from yibao.cli.payments import write_balances
    from yibao.policy.files import reload_policy
    from yibao.services.payments import settle_pending
    from yibao.services.staff.users import SYSTEM
    from yibao.settings import get_settings
    from yibao.store.db import Database

    get_settings.cache_clear()
    reload_policy()
    db = Database(url)
    try:
        t0 = time.perf_counter()
        result = settle_pending(db, SYSTEM)
        settle = time.perf_counter() - t0
        t0 = time.perf_counter()
        listed, owed = write_balances(db, out, SYSTEM)
        listing = time.perf_counter() - t0
    finally:
        db.dispose()
    assert not result.errors, result.errors[:5]
    return {"seconds": settle, "settled": result.settled, "payments": result.payments,
            "underpaid": result.underpaid, "still": result.still_pending,
            "list_seconds": listing, "listed": listed, "owed_fen": owed}


def main(argv: list[str]) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--payments", type=int, default=100_000)
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = ap.parse_args(argv)
    from yibao.rules.money import fen_to_yuan
    from yibao.store.migrate import upgrade

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"yibao_s_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        t0 = time.perf_counter()
        enrollments, payments = build(url, args.payments, np.random.default_rng(15))
        print(f"settle load: {payments} pending payments of {enrollments} enrollments by COPY "
              f"+ ANALYZE in {time.perf_counter() - t0:.1f} s")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "published"
            folder.mkdir()
            (folder / "individual_share.yaml").write_text(SHARE, encoding="utf-8")
            r = measure(url, folder, Path(tmp) / "balances.csv")
        s = r["seconds"]
        print(f"settle: {r['settled']:.0f} enrollments, {r['payments']:.0f} payments in {s:.1f} s "
              f"({r['payments'] / s:,.0f} payments/s, {r['settled'] / s:,.0f} enrollments/s); "
              f"{r['underpaid']:.0f} underpaid, {r['still']:.0f} still pending")
        print(f"balance list: {r['listed']:.0f} rows owing {fen_to_yuan(int(r['owed_fen']))} "
              f"yuan in {r['list_seconds']:.1f} s")
        return {**r, "per_second": r["payments"] / s, "ledger": float(payments)}
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
