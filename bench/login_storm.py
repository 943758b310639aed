"""Staff reads while the login is hammered, and 300 wrong passwords in a row (127.0.0.1 only).

    python -m bench.login_storm [--clients 16] [--seconds 10] [--reads 200]

Starts a real server on SQLite (one worker), then measures:
1. the latency of a staff read (``GET /api/v1/persons?per_page=5``) alone;
2. the same while ``--clients`` connections send wrong passwords as fast as they can
   (other user names and client addresses each time, so no lock stops them: only the
   bounded password checks protect the readers);
3. 300 wrong passwords in a row for one admin account: how many were even checked.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from yibao.local_server import running_server


def _reads(base: str, token: str, n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as c:
        for _ in range(n):
            start = time.perf_counter()
            assert c.get("/api/v1/persons", params={"per_page": 5}).status_code == 200
            out.append((time.perf_counter() - start) * 1000)
    return out


def _figures(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1), "p90_ms": round(ms[int(len(ms) * 0.9)], 1)}


def _storm(base: str, clients: int, stop: threading.Event, seen: Counter[int]) -> None:
    counter = itertools.count()

    def hammer() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            while not stop.is_set():
                n = next(counter)
                r = c.post("/api/v1/auth/token",
                           data={"username": f"ghost{n}", "password": "wrong-password"},
                           headers={"X-Forwarded-For": f"10.{n // 65536 % 256}."
                                    f"{n // 256 % 256}.{n % 256}"})
                seen[r.status_code] += 1

    threads = [threading.Thread(target=hammer) for _ in range(clients)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join()


def run(clients: int, seconds: float, reads: int) -> dict[str, Any]:
    """All figures as a dict."""
    from yibao.services.staff.users import create_user
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix="yibao-storm-"))
    url = f"sqlite:///{work / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    create_user(db, "storm-clerk", "clerk", "storm-pass-1")
    create_user(db, "storm-admin", "admin", "storm-pass-2")
    db.dispose()
    env = {**os.environ, "YIBAO_DATABASE_URL": url, "YIBAO_SECRET_KEY": secrets.token_urlsafe(48)}
    args = ["-m", "uvicorn", "yibao.server:create_app", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--log-level", "warning", "--no-access-log"]
    out: dict[str, Any] = {"clients": clients}
    with running_server(args, env=env, cwd=work) as base:
        token = httpx.post(f"{base}/api/v1/auth/token", data={
            "username": "storm-clerk", "password": "storm-pass-1"}).json()["access_token"]
        out["reads_alone"] = _figures(_reads(base, token, reads))
        stop, seen = threading.Event(), Counter[int]()
        storm = threading.Thread(target=_storm, args=(base, clients, stop, seen))
        storm.start()
        time.sleep(1.0)
        started = time.perf_counter()
        under: list[float] = []
        while time.perf_counter() - started < seconds or len(under) < 20:
            under += _reads(base, token, 1)
        stop.set()
        storm.join()
        out["reads_under_storm"] = {**_figures(under), "reads": len(under)}
        out["storm_answers"] = dict(sorted(seen.items()))
        guesses: Counter[int] = Counter()
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(300):
                r = c.post("/api/v1/auth/token",
                           data={"username": "storm-admin", "password": "guess"})
                guesses[r.status_code] += 1
        out["admin_300_wrong"] = dict(sorted(guesses.items()))
        out["admin_300_seconds"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--reads", type=int, default=200)
    opts = parser.parse_args(argv)
    figures = run(opts.clients, opts.seconds, opts.reads)
    print(figures)
    return figures


if __name__ == "__main__":
    main()
