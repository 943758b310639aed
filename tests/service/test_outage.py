"""PostgreSQL restarted under load: 503 with Retry-After during the outage, recovery after,
no acknowledged payment lost and none recorded twice.

Clients post payments with unique (channel, channel_txn_id) keys and retry each until it is
acknowledged (201, or 200 for a replay), waiting ``Retry-After`` after a 503. Once the first
payments are acknowledged, the cluster is restarted (``pg_ctlcluster ... restart``, fast shutdown: every connection is
cut). The cluster is started again in any case, because other tests use it. The figures
go to ``test-output/fault-postgres.json`` (quoted in docs/security.md).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from .conftest import Server
from .helpers import register

# restarts the PostgreSQL every other test uses: `make test` runs it after them, alone
pytestmark = [pytest.mark.postgres, pytest.mark.exclusive]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "fault-postgres.json"
CLIENTS = 8
PERSONS = 120
BEFORE, AFTER = 40, 80  # payments acknowledged before the restart begins, and after it


def _cluster() -> tuple[str, str] | None:
    conf = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not conf.is_dir():
        return None
    versions = sorted((p.name for p in conf.iterdir() if (p / "main").is_dir()),
                      key=lambda v: [int(x) for x in v.split(".") if x.isdigit()])
    return (versions[-1], "main") if versions else None


def _ctl(cluster: tuple[str, str], action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action],
                          capture_output=True, text=True, timeout=60)


def _up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"],
                          timeout=10).returncode == 0


def _ensure_up(cluster: tuple[str, str]) -> None:
    for _ in range(30):
        if _up():
            return
        _ctl(cluster, "start")
        time.sleep(1)


def test_postgres_restart_under_load(server: Server, clerk: httpx.Client) -> None:
    if server.backend != "postgres":
        pytest.skip("the outage test restarts PostgreSQL")
    cluster = _cluster()
    if cluster is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pg_ctlcluster not found (CI=true: the outage test must run)")
        pytest.skip("pg_ctlcluster not found")
    numbers = [register(clerk, region="450202") for _ in range(PERSONS)]
    keys: list[str] = []
    acked: dict[str, int] = {}
    seen: Counter[int] = Counter()
    outage: list[float] = []  # times of 503 answers
    retry_after: set[str] = set()
    lock = threading.Lock()
    counter = itertools.count()
    stop = threading.Event()
    started = time.monotonic()

    def worker() -> None:
        with server.client("clerk") as c:
            while not stop.is_set():  # new payments until told to stop; each one to its ack
                with lock:
                    n = next(counter)
                    key = f"OUT-{os.getpid()}-{n:05d}"
                    keys.append(key)
                body = {"id_number": numbers[n % PERSONS], "coverage_year": 2025,
                        "channel": "tax_hall", "channel_txn_id": key,
                        "amount": "400.00", "paid_at": "2024-11-20"}
                while time.monotonic() - started < 120:
                    try:
                        r = c.post("/api/v1/payments", json=body)
                    except httpx.HTTPError:
                        time.sleep(0.2)
                        continue
                    with lock:
                        seen[r.status_code] += 1
                        if r.status_code == 503:
                            outage.append(time.monotonic() - started)
                            retry_after.add(r.headers.get("retry-after", ""))
                    if r.status_code in (200, 201):
                        with lock:
                            acked[key] = int(r.json()["payment"]["id"])
                        break
                    assert r.status_code == 503, r.text
                    assert r.json()["error"]["code"] == "database_unavailable"
                    time.sleep(float(r.headers.get("retry-after", "1")))

    def acks_reach(count: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(acked) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        acks_reach(BEFORE, 30)  # the restart comes while payments are being recorded,
        down_at = time.monotonic() - started  # however fast they are
        restart = _ctl(cluster, "restart")
        up_at = time.monotonic() - started
    finally:
        _ensure_up(cluster)
    acks_reach(len(acked) + AFTER, 60)  # and payments go on being recorded after it
    stop.set()
    for t in threads:
        t.join(timeout=150)
    assert len(keys) >= BEFORE + AFTER
    assert restart.returncode == 0, restart.stderr
    assert sorted(acked) == sorted(keys), f"{len(keys) - len(acked)} payments never acknowledged"
    assert seen[503] >= 1, seen  # the outage was seen, and answered 503
    assert retry_after == {"2"}, retry_after
    assert set(seen) <= {200, 201, 503}, seen
    with server.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT channel_txn_id, id FROM payments WHERE channel_txn_id LIKE :p"),
            {"p": f"OUT-{os.getpid()}-%"}).all()
    stored = dict((str(k), int(i)) for k, i in rows)
    assert len(rows) == len(keys)  # nothing doubled
    assert stored == acked  # nothing lost: every acknowledged id is the stored one
    figures: dict[str, Any] = {
        "payments": len(keys), "clients": CLIENTS, "answers": dict(sorted(seen.items())),
        "restart_began_s": round(down_at, 2), "restart_returned_s": round(up_at, 2),
        "first_503_s": round(min(outage), 2), "last_503_s": round(max(outage), 2),
        "all_acknowledged_s": round(time.monotonic() - started, 2),
        "stored": len(rows), "lost": 0, "doubled": 0,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=1))
    print("fault test:", figures)
