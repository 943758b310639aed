"""Exactly-once payments: replay, conflict, concurrency, amount checks, enrollment dates."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from .conftest import Server
from .helpers import assert_error, new_id, register


def _txn() -> str:
    return f"T{secrets.token_hex(8)}"


def _pay(number: str, **extra: Any) -> dict[str, Any]:
    return {
        "id_number": number,
        "coverage_year": 2021,
        "channel": "tax12366_wechat",
        "channel_txn_id": _txn(),
        "amount": "280.00",
        "paid_at": "2020-10-15",
        **extra,
    }


def test_payment_creates_enrollment_and_replays(
    server: Server, clerk: httpx.Client, auditor: httpx.Client
) -> None:
    number = register(clerk)
    body = _pay(number)
    first = clerk.post("/api/v1/payments", json=body)
    assert first.status_code == 201, first.text
    result = first.json()
    assert result["payment"]["settlement"] == "exact"
    assert result["payment"]["receipt_number"]
    enrollment = result["enrollment"]
    assert enrollment["benefit_start"] == "2021-01-01" and enrollment["benefit_end"] == "2021-12-31"
    assert enrollment["status"] == "paid"
    assert enrollment["waiting_months"] == {"fixed": 0, "variable": 0}
    assert {r["id"] for r in enrollment["rules"]} >= {"R-FEE-ONTIME", "R-START-ONTIME"}

    before = server.counts()
    again = clerk.post("/api/v1/payments", json=body)
    assert again.status_code == 200
    assert again.json()["payment"]["id"] == result["payment"]["id"]
    after = server.counts()  # no new row but the audit of the full ID number shown again
    assert after == {**before, "audit_log": before["audit_log"] + 1}
    assert_error(
        clerk.post("/api/v1/payments", json={**body, "amount": "281.00"}), 409, "payment_conflict"
    )
    assert server.counts() == after

    listed = clerk.get(f"/api/v1/persons/{number}/payments").json()
    assert isinstance(listed, list)
    assert [p["id"] for p in listed] == [result["payment"]["id"]]
    enrolments = auditor.get(f"/api/v1/persons/{number}/enrollments").json()
    assert enrolments[0]["coverage_year"] == 2021 and "****" in enrolments[0]["id_number"]
    assert auditor.get(f"/api/v1/payments/{result['payment']['id']}").status_code == 200


def test_concurrent_duplicates_make_one_row(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)
    body = _pay(number)
    before = server.counts()

    def post(_: int) -> tuple[int, int]:
        with server.client("clerk") as c:
            r = c.post("/api/v1/payments", json=body)
            return r.status_code, r.json()["payment"]["id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(post, range(32)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 1 and statuses.count(200) == 31
    assert len({pid for _, pid in results}) == 1
    after = server.counts()
    assert after["payments"] == before["payments"] + 1
    assert after["enrollments"] == before["enrollments"] + 1


def test_concurrent_distinct_payments_same_person(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)

    def post(i: int) -> int:
        with server.client("clerk") as c:
            return c.post("/api/v1/payments", json=_pay(number, amount="70.00")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(post, range(4))) == [201] * 4
    enrollment = clerk.get(f"/api/v1/persons/{number}/enrollments").json()
    assert len(enrollment) == 1
    assert enrollment[0]["amount_paid"] == "280.00" and enrollment[0]["status"] == "paid"


def test_under_and_over_payment_are_recorded(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)
    under = clerk.post("/api/v1/payments", json=_pay(number, amount="200.00")).json()
    assert under["payment"]["settlement"] == "under"
    assert under["payment"]["difference"] == "-80.00"
    assert under["enrollment"]["status"] == "underpaid"
    top_up = clerk.post(
        "/api/v1/payments", json=_pay(number, amount="100.00", paid_at="2020-11-01")
    ).json()
    assert top_up["payment"]["expected"] == "80.00"
    assert top_up["payment"]["settlement"] == "over" and top_up["payment"]["difference"] == "20.00"
    assert top_up["enrollment"]["status"] == "overpaid"
    assert top_up["enrollment"]["amount_paid"] == "300.00"


def test_old_regime_gap_and_new_regime_waiting(server: Server, clerk: httpx.Client) -> None:
    gap = register(clerk)
    r = clerk.post(
        "/api/v1/payments", json=_pay(gap, paid_at="2021-03-15T10:30:00", covered_years=[2018])
    ).json()
    assert r["enrollment"]["benefit_start"] == "2021-06-01"
    assert "R-START-GAP" in {x["id"] for x in r["enrollment"]["rules"]}

    lapsed = register(clerk, region="450202", id_number=new_id("450202"))
    r = clerk.post(
        "/api/v1/payments",
        json=_pay(
            lapsed,
            coverage_year=2025,
            amount="1200.00",
            paid_at="2024-12-03",
            covered_years=[2019, 2020],
            back_pay_years=[2023, 2024],
            channel="lz_yibao_wechat",
        ),
    ).json()
    assert r["payment"]["settlement"] == "exact", r
    assert r["enrollment"]["benefit_start"] == "2025-07-01"
    assert r["enrollment"]["waiting_months"] == {"fixed": 3, "variable": 3}


def test_special_group_from_registry(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk, region="450202", id_number=new_id("450202"))
    clerk.post(
        f"/api/v1/persons/{number}/special-groups",
        json={"group": "tekun", "valid_from": "2024-01-01", "source": "柳州市民政局"},
    )
    r = clerk.post(
        "/api/v1/payments",
        json=_pay(
            number,
            coverage_year=2025,
            amount="0.00",
            paid_at="2025-03-03",
            channel="gx_yibao",
            covered_years=[2020],
        ),
    ).json()
    assert r["payment"]["settlement"] == "exact"
    assert r["enrollment"]["benefit_start"] == "2025-03-03"


def test_unpublished_amount_is_unquoted(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)
    r = clerk.post("/api/v1/payments", json=_pay(number, paid_at="2021-08-02")).json()
    assert r["payment"]["settlement"] == "unquoted" and r["payment"]["expected"] is None
    assert r["enrollment"]["status"] == "pending" and r["enrollment"]["benefit_start"] is None


BAD = [
    ({"amount": "280.001"}, 422, "invalid_amount"),
    ({"amount": 280}, 422, None),
    ({"amount": "-1.00"}, 422, "invalid_amount"),
    ({"paid_at": "2021-02-30"}, 422, "invalid_date"),
    ({"paid_at": "yesterday"}, 422, "invalid_date"),
    ({"paid_at": "2019-05-01"}, 422, None),
    ({"channel": "paypal"}, 422, "unknown_channel"),
    ({"channel_txn_id": "bad id with spaces"}, 422, None),
    ({"tip": "1.00"}, 422, "unknown_key"),
    ({"id_number": "450802198001010010"}, 422, "id_number_checksum"),
    ({"coverage_year": 1800}, 422, None),
]


@pytest.mark.parametrize(("change", "status", "code"), BAD)
def test_bad_payments_write_nothing(
    server: Server, clerk: httpx.Client, change: dict[str, Any], status: int, code: str | None
) -> None:
    number = register(clerk)
    before = server.counts()
    assert_error(clerk.post("/api/v1/payments", json={**_pay(number), **change}), status, code)
    assert server.counts() == before


def test_payment_for_unregistered_person(server: Server, clerk: httpx.Client) -> None:
    before = server.counts()
    assert_error(clerk.post("/api/v1/payments", json=_pay(new_id())), 404, "person_not_found")
    assert server.counts() == before


def test_concurrent_single_payments_share_transactions_but_not_answers(
    server: Server, clerk: httpx.Client
) -> None:
    """Payments that arrive together are written together; each keeps its own answer."""
    numbers = [register(clerk) for _ in range(24)]
    bodies = [_pay(n, amount=f"{280 + i % 3}.00") for i, n in enumerate(numbers)]
    bodies += [bodies[0], {**bodies[1], "amount": "1.00"}, _pay(new_id())]
    before = server.counts()

    def post(body: dict[str, Any]) -> httpx.Response:
        with server.client("clerk") as c:
            return c.post("/api/v1/payments", json=body)

    with ThreadPoolExecutor(max_workers=27) as pool:
        answers = list(pool.map(post, bodies))
    statuses = [r.status_code for r in answers]
    assert statuses[2:24] == [201] * 22 and statuses[26] == 404, statuses
    assert sorted((statuses[0], statuses[24])) == [200, 201]  # the same body twice: a replay
    assert answers[0].json()["payment"]["id"] == answers[24].json()["payment"]["id"]
    assert sorted((statuses[1], statuses[25])) == [201, 409]  # the same key, another body
    for body, r in zip(bodies, answers, strict=True):
        if r.status_code in (200, 201):
            assert r.json()["payment"]["channel_txn_id"] == body["channel_txn_id"]
            assert r.json()["payment"]["amount"] == body["amount"]
    after = server.counts()
    assert after["payments"] - before["payments"] == 24
    assert after["enrollments"] - before["enrollments"] == 24
