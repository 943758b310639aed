"""No unbounded work from input: every year, number, date and list is bounded before use,
engine work runs off the event loop, and every refusal is a 4xx in the contract's shape
(or a page with the message beside the field) carrying the security headers.

Issue 16, failures 1 and 7: ``POST /clerk/payments/new`` with a 400-digit
``coverage_year`` looped on the event loop until the server stopped answering (with
30000000, health took 6-7 s); ``POST /plan`` with ``payment_date=9999-12-31`` and
``GET /clerk?year=-1`` (or 2147483648, 20250101) were 500s; the guard's own answers had
no security headers.
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import httpx
import pytest

from .conftest import Server
from .helpers import assert_error, register
from .staff import account, console

HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy",
           "referrer-policy", "cache-control")


def _timed(send: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    r = send()  # type: ignore[operator]
    return r, time.perf_counter() - started


@pytest.mark.parametrize("year", ["9" * 400, "30000000", "-1", "2025.0", "２０２５"])
def test_a_hostile_coverage_year_on_the_console_is_refused_at_once(
        server: Server, clerk: httpx.Client, year: str) -> None:
    number = register(clerk, covered_years=[2019, 2020])
    c, token = console(server, account(server, "clerk"))
    form = {"csrf_token": token, "id_number": number, "coverage_year": year,
            "channel": "tax_hall", "channel_txn_id": "BOUND-1", "amount": "400.00",
            "paid_at": "2024-11-20"}
    with closing(c), ThreadPoolExecutor(max_workers=2) as pool:
        timings = []
        for _ in range(5):
            hostile = pool.submit(_timed, lambda: c.post("/clerk/payments/new", data=form))
            health = pool.submit(_timed, lambda: httpx.get(f"{server.base_url}/api/v1/health",
                                                           timeout=10))
            (r, took), (h, _) = hostile.result(), health.result()
            assert 400 <= r.status_code < 500 and "参保年度" in r.text, r.text[:300]
            assert h.status_code == 200
            timings.append(took)
    # no work grows with the number: the fastest of five (the machine is shared) is quick
    assert min(timings) < 0.1 and max(timings) < 5, timings


def test_a_far_payment_date_on_the_planner_is_a_message_not_a_500(anon: httpx.Client) -> None:
    for day in ("9999-12-31", "0001-01-01", "2025-02-30", "2025-13-01"):
        r = anon.post("/plan", data={"region": "450802", "coverage_year": "2025",
                                     "payment_date": day, "birth_date": "1980-05-01"})
        assert r.status_code == 422, (day, r.status_code)
        assert 'id="err-payment_date"' in r.text, day
    ok = anon.post("/plan", data={"region": "450802", "coverage_year": "2025",
                                  "payment_date": "2024-12-01", "birth_date": "1980-05-01"})
    assert ok.status_code == 200


@pytest.mark.parametrize("year", ["-1", "2147483648", "20250101", "1e9", "99999999999999999999"])
def test_the_dashboard_year_is_checked(server: Server, year: str) -> None:
    c, _ = console(server, account(server, "clerk"))
    with closing(c):
        r = c.get("/clerk", params={"year": year})
    assert r.status_code == 422, r.status_code
    assert 'id="err-year"' in r.text and "1900" in r.text


def test_api_numbers_years_and_lists_are_bounded(clerk: httpx.Client, anon: httpx.Client) -> None:
    number = register(clerk)
    huge = {"id_number": number, "coverage_year": 10**400, "channel": "tax_hall",
            "channel_txn_id": "BOUND-2", "amount": "400.00", "paid_at": "2024-11-20"}
    r = clerk.post("/api/v1/payments", content=str(huge).replace("'", '"').encode(),
                   headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and "error" in r.json()
    years = list(range(1900, 2101)) * 2
    assert_error(anon.post("/api/v1/quote", json={
        "region": "450802", "coverage_year": 2025, "payment_date": "2024-12-01",
        "birth_date": "1980-05-01", "covered_years": years}), 422, "invalid_value")
    assert_error(anon.post("/api/v1/quote", json={
        "region": "450802", "coverage_year": 2025, "payment_date": "9999-12-31",
        "birth_date": "1980-05-01"}), 422)
    assert_error(clerk.get(f"/api/v1/persons/{number}/quote",
                           params={"coverage_year": 2025, "payment_date": "9999-12-31"}), 422)
    assert_error(clerk.get("/api/v1/payments", params={"page": 10**30}), 422)
    assert_error(clerk.get("/api/v1/payments/2147483648"), 422)


def test_the_guards_own_answers_carry_the_security_headers(server: Server) -> None:
    control = httpx.get(f"{server.base_url}/api/v1/persons/%00abc")
    assert control.status_code == 422
    page = httpx.get(f"{server.base_url}/clerk%00")
    big = httpx.post(f"{server.base_url}/api/v1/persons", content=b"x" * 70_000,
                     headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    for r in (control, page, big):
        for name in HEADERS:
            assert name in r.headers, (r.status_code, name)
        assert r.headers["cache-control"] == "no-store"


def test_a_slow_client_does_not_hold_the_server(server: Server) -> None:
    """A body sent byte by byte while others are served: health answers meanwhile."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 1000\r\n\r\n{")
        started = time.perf_counter()
        assert httpx.get(f"{server.base_url}/api/v1/health", timeout=10).status_code == 200
        assert time.perf_counter() - started < 5
