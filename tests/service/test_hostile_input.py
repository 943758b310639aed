"""Hostile input ends in a 4xx in the contract's shape and writes nothing, on both databases.

Each case is one that ended in an unhandled 500 (or was wrongly accepted) before: integers
past 2^31 in paths, queries and bodies, far-away date-times, NUL bytes and lone surrogates
in text, ID numbers born in the future, amounts with a trailing newline, years as strings.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from yibao.idcard import make_id_number

from .conftest import Server
from .helpers import assert_error, new_id, register

BIG = 2**31  # one past PostgreSQL's integer
HUGE = 10**20  # past SQLite's 64-bit integer
FAR = "9999-12-31T23:00:00-10:00"  # a Beijing time past year 9999
BORN_2090 = make_id_number("450802", dt.date(2090, 1, 1), 8, "male")


def send(client: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    """The body as JSON text (``json.dumps`` writes a lone surrogate as ``\\ud800``)."""
    return client.request(method, path, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json"})

PATHS = [
    ("GET", f"/api/v1/payments/{BIG}", "clerk", None),
    ("GET", f"/api/v1/payments/{HUGE}", "clerk", None),
    ("GET", f"/api/v1/enrollments/{BIG}", "clerk", None),
    ("GET", f"/api/v1/enrollments/{HUGE}", "auditor", None),
    ("GET", f"/api/v1/households/{BIG}", "clerk", None),
    ("GET", f"/api/v1/pre-registrations/{BIG}", "clerk", None),
    ("GET", f"/api/v1/back-payment-applications/{BIG}", "clerk", None),
    ("POST", f"/api/v1/payments/{BIG}/reversals", "clerk",
     {"kind": "reversal", "reference": "R-1", "reason": "channel reversed it"}),
    ("POST", f"/api/v1/enrollments/{BIG}/corrections", "admin",
     {"reason": "wrong dates", "recompute": True}),
    ("POST", f"/api/v1/households/{BIG}/members", "clerk", {"id_number": "@ID"}),
    ("POST", f"/api/v1/pre-registrations/{BIG}/convert", "clerk", {"id_number": "@ID"}),
    ("POST", f"/api/v1/back-payment-applications/{BIG}/decision", "admin",
     {"decision": "approved"}),
]

QUERIES = [
    ("/api/v1/persons", {"household_id": BIG}),
    ("/api/v1/persons", {"household_id": HUGE}),
    ("/api/v1/payments", {"coverage_year": BIG}),
    ("/api/v1/enrollments", {"coverage_year": BIG}),
    ("/api/v1/persons", {"page": BIG}),
    ("/api/v1/audit", {"since": FAR}),
    ("/api/v1/persons", {"name": "张\x00"}),
    ("/api/v1/payments", {"channel": "tax\x00hall"}),
    ("/api/v1/enrollments", {"status": "\x00"}),
    ("/api/v1/persons/450802%0019800101001", {}),
    ("/api/v1/persons/%ED%A0%80", {}),
]


@pytest.mark.parametrize(("method", "path", "role", "body"), PATHS)
def test_ids_past_the_integer_range_in_paths(
    server: Server, method: str, path: str, role: str, body: dict[str, Any] | None
) -> None:
    if body and body.get("id_number") == "@ID":
        body = {**body, "id_number": new_id()}
    before = server.counts()
    with server.client(role) as c:
        r = c.request(method, path, json=body)
    assert 400 <= r.status_code < 500 and r.status_code != 401, r.text
    assert_error(r, r.status_code)
    assert server.counts() == before


@pytest.mark.parametrize(("path", "params"), QUERIES)
def test_hostile_query_values(
    server: Server, admin: httpx.Client, path: str, params: dict[str, Any]
) -> None:
    before = server.counts()
    r = admin.get(path, params=params)
    assert r.status_code == 422, r.text
    assert_error(r, 422)
    assert server.counts()["persons"] == before["persons"]


def _payment(number: str, **change: Any) -> dict[str, Any]:
    body = {"id_number": number, "coverage_year": 2025, "channel": "tax_hall",
            "channel_txn_id": f"HOST-{new_id()[-8:]}", "amount": "400.00",
            "paid_at": "2024-11-20"}
    return {**body, **change}


BAD_PAYMENTS = [
    ({"paid_at": FAR}, "invalid_date"),
    ({"paid_at": "0001-01-01T00:00:00+14:00"}, "invalid_date"),
    ({"amount": "400.00\n"}, "invalid_amount"),
    ({"amount": " 400.00"}, "invalid_amount"),
    ({"coverage_year": "2025"}, "invalid_value"),
    ({"coverage_year": 2025.0}, "invalid_value"),
    ({"coverage_year": BIG}, "invalid_value"),
    ({"pre_registration_id": BIG, "id_number": None}, "invalid_value"),
    ({"payer": "本人\x00"}, "invalid_value"),
    ({"channel": "tax_hall\x00"}, "invalid_value"),
    ({"payer": "\ud800"}, "invalid_value"),
    ({"hardship_deferral": "yes"}, "invalid_value"),
    ({"back_pay_years": ["2024"]}, "invalid_value"),
    ({"employee_insurance_end_date": 1700000000}, "invalid_date"),
    ({"employee_insurance_end_date": "2024-01-01T00:00:00"}, "invalid_date"),
]


@pytest.mark.parametrize(("change", "code"), BAD_PAYMENTS)
def test_hostile_payments(
    server: Server, clerk: httpx.Client, change: dict[str, Any], code: str
) -> None:
    number = register(clerk, region="450202")
    body = {k: v for k, v in _payment(number, **change).items() if v is not None}
    before = server.counts()
    err = assert_error(send(clerk, "POST", "/api/v1/payments", body), 422, code)
    assert err["field"] is not None
    bulk = send(clerk, "POST", "/api/v1/payments/bulk", {"payments": [body]})
    assert bulk.status_code == 200 and bulk.json()["results"][0]["error"]["code"] == code
    assert server.counts() == before


def _person(**change: Any) -> dict[str, Any]:
    return {"id_number": new_id(), "name": "韦秀梅", "region": "450802", **change}


BAD_PERSONS = [
    ({"name": "韦\x00秀梅"}, "invalid_value"),
    ({"name": "\ud83d"}, "invalid_value"),
    ({"household_id": BIG}, "invalid_value"),
    ({"household_id": HUGE}, "invalid_value"),
    ({"household_id": "1"}, "invalid_value"),
    ({"residence_permit": "false"}, "invalid_value"),
    ({"covered_years": ["2020"]}, "invalid_value"),
    ({"eligibility_category": "student\x00"}, "invalid_value"),
    ({"special_groups": [{"group": "dibao", "valid_from": "2020-01-01", "source": "民政\x00"}]},
     "invalid_value"),
    ({"special_groups": [{"group": "dibao", "valid_from": 1577836800, "source": "民政"}]},
     "invalid_date"),
    ({"id_number": BORN_2090}, "id_number_birth_date"),
]


@pytest.mark.parametrize(("change", "code"), BAD_PERSONS)
def test_hostile_persons(
    server: Server, clerk: httpx.Client, change: dict[str, Any], code: str
) -> None:
    before = server.counts()
    assert_error(send(clerk, "POST", "/api/v1/persons", _person(**change)), 422, code)
    assert server.counts() == before


def test_hostile_values_elsewhere(server: Server, clerk: httpx.Client, admin: httpx.Client) -> None:
    number = register(clerk)
    before = server.counts()
    cases: list[tuple[httpx.Client, str, str, dict[str, Any]]] = [
        (clerk, "PATCH", f"/api/v1/persons/{number}", {"household_id": BIG}),
        (clerk, "PATCH", f"/api/v1/persons/{number}", {"name": "x\x00"}),
        (clerk, "POST", f"/api/v1/persons/{number}/history",
         {"covered_years": [2020], "source": "村委\x00"}),
        (clerk, "POST", f"/api/v1/persons/{number}/special-groups",
         {"group": "dibao", "valid_from": "9999-12-31", "source": "民政"}),
        (clerk, "POST", "/api/v1/households",
         {"region": "450802", "address": "\x00", "member_id_numbers": [number]}),
        (clerk, "POST", "/api/v1/pre-registrations",
         {"newborn_name": "韦小宝", "birth_date": "9999-12-31", "sex": "male",
          "region": "450202", "birth_hospital": "柳州市妇幼保健院",
          "parent_id_number": number, "parent_name": "韦秀梅"}),
        (clerk, "POST", "/api/v1/pre-registrations",
         {"newborn_name": "韦小宝", "birth_date": "2026-11-01", "sex": "male",
          "region": "450202", "birth_hospital": "柳州\x00", "parent_id_number": number,
          "parent_name": "韦秀梅"}),
        (clerk, "POST", "/api/v1/back-payment-applications",
         {"id_number": number, "type": "veteran\x00", "submitted_via": "window",
          "years": [2020]}),
        (clerk, "POST", "/api/v1/back-payment-applications",
         {"id_number": number, "type": "veteran", "submitted_via": "window",
          "years": [2020], "materials": {"a\x00": True}}),
        (admin, "POST", "/api/v1/enrollments/1/corrections",
         {"reason": "原因\x00写错", "benefit_start": "2025-01-01"}),
    ]
    for client, method, path, body in cases:
        r = send(client, method, path, body)
        assert r.status_code == 422, (path, body, r.text)
        assert_error(r, 422)
    assert server.counts() == before


def test_nul_bytes_on_the_unauthenticated_login(server: Server, anon: httpx.Client) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"username=t-clerk%00&password=clerk-pass-1", b"username=%00&password=x",
                 b"username=t-clerk&password=clerk-pass-1%00", b"username=%ED%A0%80&password=x",
                 b"username=t-clerk&password=%ff%fe"):
        r = anon.post("/api/v1/auth/token", content=body, headers=form)
        assert r.status_code in (401, 422), r.text
        assert_error(r, r.status_code)


def test_quote_says_unknown_key_like_every_other_endpoint(anon: httpx.Client) -> None:
    r = anon.post("/api/v1/quote", json={"region": "450802", "coverage_year": 2021,
                                          "payment_date": "2021-03-15", "colour": "red"})
    assert_error(r, 422, "unknown_key")
    r = anon.post("/api/v1/quote", json={"region": "450802", "coverage_year": "2021",
                                          "payment_date": "2021-03-15"})
    assert_error(r, 422, "invalid_value")
    r = anon.post("/api/v1/quote", json={"region": "450802", "coverage_year": 2021,
                                          "payment_date": "2021-02-30"})
    assert_error(r, 422, "invalid_date")


def test_unsupported_methods_say_what_is_allowed(anon: httpx.Client) -> None:
    for method, path, allowed in (("DELETE", "/api/v1/persons", {"GET", "POST"}),
                                  ("PUT", "/api/v1/quote", {"POST"}),
                                  ("DELETE", "/clerk/login", {"GET", "POST"})):
        r = anon.request(method, path)
        if path.startswith("/api/"):
            assert_error(r, 405, "method_not_allowed")
        else:  # a browser page answers with a page in words, still a 405 that says what is allowed
            assert r.status_code == 405 and "不能这样打开这个页面" in r.text, r.text
        assert {m.strip() for m in r.headers["allow"].split(",")} >= allowed, r.headers
