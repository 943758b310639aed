"""Rules-engine benchmarks: rules alone on parsed columns, one quote in-process.

    python -m bench.rules_bench [--rows 1000000 10000000]

Targets: ≥ 10M persons/s for the rules (rules-engine issue), ≤ 0.2 ms p50 per single
quote in-process and the rules ≥ 2× a plain numpy reading of them (``bench/numpy_peer.py``,
1 core, same rows; issue 19).  Parquet → Parquet end to end is ``bench/batch_bench.py``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench.numpy_peer import TABLES, peer
from bench.population import write
from yibao.batch.columns import prepare
from yibao.policy.files import load_policy
from yibao.quoting.answers import quote
from yibao.rules.engine import SLICE_ROWS, evaluate_slices

OUT = Path(__file__).parent / "out"


def population(rows: int) -> Path:
    """The synthetic population file of ``rows`` residents (made once, then reused)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"population-{rows}.parquet"
    if not path.exists():
        write(rows, path)
    return path


def _rules_worker(path: str, part: int, parts: int, barrier: Any) -> tuple[int, float]:
    """Worker process: parse its share of row groups (not timed), then time the rules on them."""
    policy = load_policy()
    pf = pq.ParquetFile(path)
    groups = list(range(part, pf.metadata.num_row_groups, parts))
    columns = [prepare(batch, policy).columns
               for batch in pf.iter_batches(batch_size=1 << 17, row_groups=groups)]
    barrier.wait()
    started = time.perf_counter()
    for cols in columns:
        for _ in evaluate_slices(policy, cols):
            pass
    return sum(len(c) for c in columns), time.perf_counter() - started


def _peer_worker(path: str, rounds: int) -> dict[str, float]:
    """Worker process (one core): the rules as this bench runs them (with explanations), as
    the batch runs them (without), the plain numpy peer, and the peer with the engine's
    month tables in the engine's slices, on the same parsed columns, taking turns
    ``rounds`` times; the best seconds of each."""
    policy = load_policy()
    columns = [prepare(batch, policy).columns
               for batch in pq.ParquetFile(path).iter_batches(batch_size=1 << 17)]

    def engine(explain: bool) -> None:
        for cols in columns:
            for _ in evaluate_slices(policy, cols, explain=explain):
                pass

    def numpy_peer() -> None:
        for cols in columns:
            peer(policy, cols)

    def peer_tables() -> None:  # the engine's month tables and slices
        for cols in columns:
            for start in range(0, len(cols), SLICE_ROWS):
                peer(policy, cols.slice(start, start + SLICE_ROWS), TABLES)

    runs = {"rules": lambda: engine(True), "rules_batch": lambda: engine(False),
            "peer": numpy_peer, "peer_tables": peer_tables}
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    rows = sum(len(c) for c in columns)
    return {name: rows / seconds for name, seconds in best.items()}


def against_peer(path: Path, rounds: int = 3) -> dict[str, float]:
    """Persons per second on 1 core of the engine (with and without explanations) and of
    the plain numpy peer (``bench/numpy_peer.py``), same rows, same process."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_peer_worker, str(path), rounds).result()


def rules_alone(path: Path, processes: int) -> float:
    """Persons per second of the rules on already parsed columns, over ``processes`` cores."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(processes)
    with ProcessPoolExecutor(processes, mp_context=ctx) as pool:
        results = list(pool.map(_rules_worker, [str(path)] * processes, range(processes),
                                [processes] * processes, [barrier] * processes))
    rows = sum(r for r, _ in results)
    return rows / max(seconds for _, seconds in results)


def single_quote_latency(n: int = 3000) -> dict[str, float]:
    """In-process latency of ``quote()`` for a lapsed Liuzhou resident, in ms."""
    body: dict[str, Any] = {"region": "450202", "coverage_year": 2025,
                            "payment_date": "2024-12-03", "covered_years": [2021],
                            "back_pay_years": [2023]}
    for _ in range(200):
        quote(body)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        quote(body)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[int(n * 0.99)],
            "mean_ms": statistics.fmean(times)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args(argv if argv is not None else [])
    cores = os.cpu_count() or 1
    lat = single_quote_latency()
    print(f"single quote in-process: p50 {lat['p50_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms "
          f"(target p50 <= 0.2 ms)")
    out: dict[str, Any] = {"single_quote": lat, "rules": {}}
    for rows in args.rows:
        path = population(rows)
        one = rules_alone(path, 1)
        many = rules_alone(path, cores)
        print(f"rules alone, {rows:,} rows: {one / 1e6:.2f} M persons/s on 1 core, "
              f"{many / 1e6:.2f} M persons/s on {cores} cores (target >= 10 M/s)")
        out["rules"][rows] = {"one_core": one, "all_cores": many, "cores": cores}
        if rows == min(args.rows):
            vs = against_peer(path)
            print(f"rules vs a plain numpy reading, {rows:,} rows, 1 core: rules "
                  f"{vs['rules'] / 1e6:.2f} M/s (batch, no explanations: "
                  f"{vs['rules_batch'] / 1e6:.2f} M/s), peer {vs['peer'] / 1e6:.2f} M/s: "
                  f"{vs['rules'] / vs['peer']:.2f}x ({vs['rules_batch'] / vs['peer']:.2f}x) "
                  f"(target >= 2x); peer with the engine's month tables and slices "
                  f"{vs['peer_tables'] / 1e6:.2f} M/s: {vs['rules'] / vs['peer_tables']:.2f}x "
                  f"({vs['rules_batch'] / vs['peer_tables']:.2f}x)")
            out["peer"] = {"rows": rows, **vs}
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
