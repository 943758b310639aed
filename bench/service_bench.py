"""Service benchmark on 127.0.0.1: quote latency at a fixed rate; payments per second.

    python -m bench.service_bench [--rate 500] [--seconds 5] [--payments 3000]
        [--bulk-payments 20000] [--bulk-size 200] [--bulk-clients 4] [--server-workers 1 2]

Starts a real uvicorn server per database and server-worker count (SQLite file; PostgreSQL
in a fresh database when reachable at YIBAO_BENCH_PG_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test) and measures single payments
(``POST /payments``, one per request, closed loop) and bulk payments (``POST
/payments/bulk``, ``--bulk-size`` items per request from ``--bulk-clients`` connections).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text

from yibao.idcard import make_id_number
from yibao.local_server import running_server

PG_URL = os.environ.get("YIBAO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-" + secrets.token_hex(24)


@contextmanager
def _server(url: str, workers: int = 1) -> Iterator[str]:
    from yibao.services.staff.users import create_user, user_exists
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    upgrade(url)
    db = Database(url)
    if not user_exists(db, "bench-clerk"):
        create_user(db, "bench-clerk", "clerk", "bench-pass-1")
    db.dispose()
    env = {**os.environ, "YIBAO_DATABASE_URL": url, "YIBAO_SECRET_KEY": SECRET}
    args = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--log-level", "warning", "--no-access-log",
            "--workers", str(workers)]
    with running_server(args, env=env) as base:
        yield base


class _Conn:
    """One keep-alive HTTP/1.1 connection with a minimal request/response cycle."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def call(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status


def _request(port: int, path: str, body: dict[str, Any], token: str | None = None) -> bytes:
    payload = json.dumps(body).encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def _pool(base: str, size: int) -> asyncio.Queue[_Conn]:
    port = int(base.rsplit(":", 1)[1])
    pool: asyncio.Queue[_Conn] = asyncio.Queue()
    for _ in range(size):
        pool.put_nowait(_Conn(*await asyncio.open_connection("127.0.0.1", port)))
    return pool


async def _quote_latency(base: str, rate: int, seconds: float) -> dict[str, float]:
    """Open loop: request i is due at i / rate; latency counts from when it was due."""
    port = int(base.rsplit(":", 1)[1])
    bodies = [
        {
            "region": "450802",
            "coverage_year": 2021,
            "payment_date": "2021-03-15",
            "covered_years": [2018],
        },
        {
            "region": "450202",
            "coverage_year": 2025,
            "payment_date": "2024-12-03",
            "covered_years": [2019, 2020],
            "back_pay_years": [2023],
        },
    ]
    requests = [_request(port, "/api/v1/quote", b) for b in bodies]
    pool = await _pool(base, 32)
    for i in range(200):  # warm up
        conn = await pool.get()
        await conn.call(requests[i % 2])
        pool.put_nowait(conn)
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0

    async def one(i: int, due: float) -> None:
        nonlocal errors
        conn = await pool.get()
        status = await conn.call(requests[i % 2])
        pool.put_nowait(conn)
        latencies.append((time.perf_counter() - due) * 1000)
        errors += status != 200

    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    achieved = total / (time.perf_counter() - start)
    q = statistics.quantiles(latencies, n=100)
    return {"p50_ms": q[49], "p99_ms": q[98], "rate": achieved, "errors": errors}


WRK_SCRIPT = Path(__file__).with_name("quote_wrk.lua")
PAYMENTS_WRK_SCRIPT = Path(__file__).with_name("payments_wrk.lua")
#: Persons registered per second of a closed-loop ``wrk`` payments run (more than it can pay).
WRK_MAX_RATE = 3000


def _wrk(script: Path, base: str, connections: int, seconds: float,
         *args: str) -> dict[str, float]:
    """Run ``wrk`` (one thread: the load generator leaves the cores to the server) with a
    script that prints one ``WRK key=value ...`` line; its figures in ms and per second."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s",
         "-s", str(script), f"{base}/", "--", *args],
        capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    f = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return {"p50_ms": f["p50_us"] / 1000, "p90_ms": f["p90_us"] / 1000,
            "p99_ms": f["p99_us"] / 1000, "max_ms": f["max_us"] / 1000,
            "rate": f["requests"] / f["seconds"], "count": f["requests"],
            "errors": f["errors"] + f["non2xx"]}


def quote_wrk(rate: int = 500, seconds: float = 10.0, server_workers: int = 2,
              connections: int = 50) -> dict[str, float] | None:
    """``POST /api/v1/quote`` paced at ``rate`` requests/s by ``wrk``: each of
    ``connections`` keep-alive connections sends a request ``connections / rate`` s after
    its previous answer, their first requests spread over that interval.  None without
    ``wrk``."""
    if shutil.which("wrk") is None:
        return None
    interval_ms = max(1, round(connections * 1000 / rate))
    with tempfile.TemporaryDirectory() as tmp, \
            _server(f"sqlite:///{tmp}/bench.sqlite3", server_workers) as base:
        for _ in range(200):  # warm up both workers
            httpx.post(f"{base}/api/v1/quote", json={
                "region": "450802", "coverage_year": 2021, "payment_date": "2021-03-15",
                "covered_years": [2018]})
        out = _wrk(WRK_SCRIPT, base, connections, seconds, str(interval_ms), str(connections))
    return {**out, "offered": rate, "server_workers": server_workers}


def payments_wrk(base: str, numbers: list[str], seconds: float, connections: int
                 ) -> dict[str, float]:
    """``POST /api/v1/payments``, one distinct payment per request, driven by ``wrk`` from
    ``connections`` connections, each sending its next payment when answered. ``numbers``
    must hold more persons than the run can pay for (a repeat is a replay, counted as an
    error)."""
    token = asyncio.run(_token(base))
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as ids:
        ids.write("\n".join(numbers) + "\n")
        ids.flush()
        out = _wrk(PAYMENTS_WRK_SCRIPT, base, connections, seconds, ids.name, token)
    out["per_second"] = out["rate"]
    out["generator"] = "wrk"
    if out["count"] > len(numbers):
        raise RuntimeError(f"wrk sent {out['count']:.0f} payments for {len(numbers)} persons")
    return out


def _seed_persons(url: str, n: int, offset: int = 0) -> list[str]:
    from yibao.store.models import Person

    numbers = []
    rows: list[dict[str, Any]] = []
    for i in range(offset, offset + n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i // 400)
        number = make_id_number("450802", birth, i % 400, "male")
        numbers.append(number)
        rows.append(
            {
                "id_number": number,
                "document_type": "resident_id",
                "name": "压测",
                "birth_date": birth,
                "sex": "male",
                "region": "450802",
                "hukou_region": "450802",
                "residence_permit": False,
            }
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Person), rows)
    engine.dispose()
    return numbers


async def _token(base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as anon:
        r = await anon.post(
            "/api/v1/auth/token", data={"username": "bench-clerk", "password": "bench-pass-1"}
        )
    return str(r.json()["access_token"])


def _item(number: str) -> dict[str, Any]:
    return {
        "id_number": number,
        "coverage_year": 2021,
        "channel": "tax12366_wechat",
        "channel_txn_id": f"B{number}",
        "amount": "280.00",
        "paid_at": "2020-10-15T09:00:00",
    }


async def _bulk_payments(
    base: str, numbers: list[str], clients: int, size: int
) -> dict[str, float]:
    """Closed loop: ``clients`` connections post bulks of ``size`` distinct payments."""
    port = int(base.rsplit(":", 1)[1])
    token = await _token(base)
    chunks = [numbers[i : i + size] for i in range(0, len(numbers), size)]
    bodies = [
        _request(port, "/api/v1/payments/bulk", {"payments": [_item(n) for n in c]}, token)
        for c in chunks
    ]
    queue = list(reversed(bodies))
    errors = 0
    pool = await _pool(base, clients)

    async def worker() -> None:
        nonlocal errors
        conn = await pool.get()
        while queue:
            errors += await conn.call(queue.pop()) != 200

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {
        "per_second": len(numbers) / elapsed,
        "count": len(numbers),
        "requests": len(bodies),
        "errors": errors,
    }


async def _payments(base: str, numbers: list[str], workers: int) -> dict[str, float]:
    """Closed loop: ``workers`` connections post one distinct payment per person."""
    port = int(base.rsplit(":", 1)[1])
    token = await _token(base)
    queue = list(reversed(numbers))
    errors = 0
    pool = await _pool(base, workers)

    async def worker() -> None:
        nonlocal errors
        conn = await pool.get()
        while queue:
            number = queue.pop()
            status = await conn.call(_request(port, "/api/v1/payments", _item(number), token))
            errors += status != 201

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - start
    return {"per_second": len(numbers) / elapsed, "count": len(numbers), "errors": errors}


async def _payments_at_rate(base: str, numbers: list[str], rate: int) -> dict[str, float]:
    """Open loop: payment i is due at i / rate; latency counts from when it was due."""
    port = int(base.rsplit(":", 1)[1])
    token = await _token(base)
    pool = await _pool(base, 64)
    latencies: list[float] = []
    errors = 0

    async def one(number: str, due: float) -> None:
        nonlocal errors
        conn = await pool.get()
        status = await conn.call(_request(port, "/api/v1/payments", _item(number), token))
        pool.put_nowait(conn)
        latencies.append((time.perf_counter() - due) * 1000)
        errors += status != 201

    tasks = []
    start = time.perf_counter() + 0.05
    for i, number in enumerate(numbers):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, due)))
    await asyncio.gather(*tasks)
    q = statistics.quantiles(latencies, n=100)
    achieved = len(numbers) / (time.perf_counter() - start)
    return {"p50_ms": q[49], "p99_ms": q[98], "rate": achieved, "errors": errors}


def _pg_database() -> tuple[str, Any] | None:
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"yibao_bench_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # PostgreSQL absent
        return None
    return PG_URL.rsplit("/", 1)[0] + f"/{name}", admin


@dataclass(frozen=True)
class Options:
    """What to measure."""

    rate: int = 500
    seconds: float = 5.0
    payments: int = 3000
    workers: int = 32
    server_workers: tuple[int, ...] = (1, 2)
    bulk_payments: int = 20000
    bulk_size: int = 200
    bulk_clients: int = 4
    payment_rate: int = 200
    backends: tuple[str, ...] = ("sqlite", "postgres")
    wrk_seconds: float = 10.0


def _measure(url: str, opts: Options, quote: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    offset = 0
    for sw in opts.server_workers:
        with _server(url, sw) as base:
            if quote and "quote" not in out:
                out["quote"] = asyncio.run(_quote_latency(base, opts.rate, opts.seconds))
            if shutil.which("wrk"):  # the load generator in C, off the cores it measures
                numbers = _seed_persons(url, int(WRK_MAX_RATE * opts.seconds), offset)
                offset += len(numbers)
                out[f"single_w{sw}"] = payments_wrk(base, numbers, opts.seconds, opts.workers)
            else:
                numbers = _seed_persons(url, opts.payments, offset)
                offset += opts.payments
                out[f"single_w{sw}"] = asyncio.run(_payments(base, numbers, opts.workers))
            # open loop (payment i due at i / rate, latency from then): wrk cannot hold a rate
            # when answers slow down, and at 200/s this client takes little of the cores
            numbers = _seed_persons(url, int(opts.payment_rate * opts.seconds), offset)
            offset += len(numbers)
            out[f"rate_w{sw}"] = asyncio.run(_payments_at_rate(base, numbers, opts.payment_rate))
            numbers = _seed_persons(url, opts.bulk_payments, offset)
            offset += opts.bulk_payments
            out[f"bulk_w{sw}"] = asyncio.run(
                _bulk_payments(base, numbers, opts.bulk_clients, opts.bulk_size)
            )
    return out


def run(opts: Options | None = None) -> dict[str, Any]:
    """All figures as a dict (also printed by :func:`main`)."""
    opts = opts or Options()
    out: dict[str, Any] = {"quote": None, "sqlite": None, "postgres": None}
    out["quote_wrk"] = quote_wrk(opts.rate, opts.wrk_seconds, 2) if opts.wrk_seconds else None
    if "sqlite" in opts.backends:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = _measure(f"sqlite:///{tmp}/bench.sqlite3", opts, quote=True)
        out["quote"] = sqlite.pop("quote")
        out["sqlite"] = sqlite
    pg = _pg_database() if "postgres" in opts.backends else None
    if pg is not None:
        url, admin = pg
        try:
            out["postgres"] = _measure(url, opts, quote=False)
        finally:
            with admin.connect() as conn:
                conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
                )
            admin.dispose()
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the service benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--payments", type=int, default=3000, help="single payments per run")
    parser.add_argument("--workers", type=int, default=32, help="client connections (single)")
    parser.add_argument(
        "--server-workers", type=int, nargs="+", default=[1, 2], help="uvicorn processes"
    )
    parser.add_argument("--bulk-payments", type=int, default=20000, help="bulk payments per run")
    parser.add_argument("--bulk-size", type=int, default=200, help="items per bulk request")
    parser.add_argument("--bulk-clients", type=int, default=4, help="client connections (bulk)")
    parser.add_argument("--payment-rate", type=int, default=200,
                        help="single payments per second for the latency figure")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"], help="databases for the payments")
    parser.add_argument("--wrk-seconds", type=float, default=10.0,
                        help="seconds of wrk on the quote endpoint (2 server workers); 0 skips")
    args = parser.parse_args(argv if argv is not None else [])
    opts = Options(
        args.rate,
        args.seconds,
        args.payments,
        args.workers,
        tuple(args.server_workers),
        args.bulk_payments,
        args.bulk_size,
        args.bulk_clients,
        args.payment_rate,
        tuple(args.backends),
        args.wrk_seconds,
    )
    res = run(opts)
    w = res["quote_wrk"]
    if w is not None:
        print(
            f"service quote over HTTP, wrk at {opts.rate}/s offered (achieved {w['rate']:.0f}/s),"
            f" 2 server workers: p50 {w['p50_ms']:.2f} ms, p99 {w['p99_ms']:.2f} ms, errors "
            f"{w['errors']:.0f} (target p99 <= 10 ms)"
        )
    q = res["quote"]
    if q is not None:
        print(
            f"service quote over HTTP, Python open loop at {opts.rate}/s (achieved "
            f"{q['rate']:.0f}/s), {opts.server_workers[0]} server worker(s): p50 "
            f"{q['p50_ms']:.2f} ms, p99 {q['p99_ms']:.2f} ms, errors {q['errors']}"
        )
    for backend in ("sqlite", "postgres"):
        figures = res[backend]
        if figures is None:
            if backend in opts.backends:
                print(f"service payments on {backend}: not reachable, not measured")
            continue
        pg = backend == "postgres"
        for sw in opts.server_workers:
            p, b, r = figures[f"single_w{sw}"], figures[f"bulk_w{sw}"], figures[f"rate_w{sw}"]
            single_target = " (target >= 600/s with 2 workers)" if pg and sw == 2 else ""
            print(
                f"service payments on {backend}, {sw} server worker(s): single "
                f"{p['per_second']:.0f}/s over {p['count']} payments, {opts.workers} clients, "
                f"errors {p['errors']}{single_target}; bulk {b['per_second']:.0f}/s over "
                f"{b['count']} payments in {b['requests']} requests of {opts.bulk_size}, "
                f"{opts.bulk_clients} clients, errors {b['errors']}"
                f"{' (target >= 2000/s)' if pg else ''}"
            )
            print(
                f"service payments on {backend}, {sw} server worker(s): one per request at "
                f"{opts.payment_rate}/s (achieved {r['rate']:.0f}/s): p50 {r['p50_ms']:.1f} ms, "
                f"p99 {r['p99_ms']:.1f} ms, errors {r['errors']}"
                f"{' (target p99 <= 50 ms)' if pg else ''}"
            )
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
