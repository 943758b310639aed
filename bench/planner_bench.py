"""Pay-date planner latency: ``POST /plan`` for 12 months (360 payment days and the repair
table) over HTTP on a running server, 20 runs after one warm-up; prints median, best, worst.

    python -m bench.planner_bench http://127.0.0.1:8000 [YEAR FIRST_DAY]
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    form = {"region": "450202", "coverage_year": sys.argv[2] if len(sys.argv) > 2 else "2025",
            "payment_date": sys.argv[3] if len(sys.argv) > 3 else "2024-11-01",
            "insured_last_year": "no", "last_paid_year": "2021", "months": "12"}
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/plan", data=form)
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            answer = client.post("/plan", data=form)
            timings.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.status_code
    print(f"POST /plan, 12 months, n=20: median {statistics.median(timings):.1f} ms, "
          f"best {min(timings):.1f} ms, worst {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
