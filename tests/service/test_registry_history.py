"""Contract §4.1: the registry owns each person's history; one enrollment per year whose cover
a later payment never loosens; unpublished years pending; dates after today refused."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import httpx

from yibao.services.common import today_beijing

from .conftest import Server
from .helpers import assert_error, new_id, register

LIUZHOU = "450202"


def _txn() -> str:
    return f"H{secrets.token_hex(8)}"


def _pay(number: str, **extra: Any) -> dict[str, Any]:
    return {
        "id_number": number,
        "coverage_year": 2025,
        "channel": "tax12366_wechat",
        "channel_txn_id": _txn(),
        "amount": "400.00",
        "paid_at": "2024-12-03",
        **extra,
    }


def _resident(clerk: httpx.Client, covered: list[int] | None = None) -> str:
    extra: dict[str, Any] = {"region": LIUZHOU, "id_number": new_id(LIUZHOU)}
    if covered is not None:
        extra["covered_years"] = covered
    return register(clerk, **extra)


def test_second_payment_never_rewrites_cover(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk, covered=[2020, 2021, 2022])  # lapsed 2023-2024
    first = clerk.post("/api/v1/payments", json=_pay(number))
    assert first.status_code == 201, first.text
    cover = first.json()["enrollment"]
    assert cover["benefit_start"] == "2025-05-01"
    assert cover["waiting_months"] == {"fixed": 3, "variable": 1}
    before = server.counts()
    second = clerk.post("/api/v1/payments", json=_pay(number, paid_at="2024-12-20"))
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["payment"]["settlement"] == "over" and body["payment"]["expected"] == "0.00"
    for key in ("benefit_start", "benefit_end", "waiting_months", "rules"):
        assert body["enrollment"][key] == cover[key], key
    assert body["enrollment"]["status"] == "overpaid"
    after = server.counts()
    assert after["payments"] == before["payments"] + 1
    assert after["enrollments"] == before["enrollments"]
    listed = clerk.get(f"/api/v1/persons/{number}/enrollments").json()
    assert len(listed) == 1 and listed[0]["benefit_start"] == "2025-05-01"


def test_registry_history_decides_lapse(server: Server, clerk: httpx.Client) -> None:
    continuous = _resident(clerk, covered=[2022, 2023, 2024])
    r = clerk.post("/api/v1/payments", json=_pay(continuous)).json()
    assert r["enrollment"]["benefit_start"] == "2025-01-01"
    assert "history_unknown" not in r["enrollment"]["warning_codes"]
    lapsed_four = _resident(clerk, covered=[2019, 2020])
    r = clerk.post("/api/v1/payments", json=_pay(lapsed_four)).json()
    assert r["enrollment"]["benefit_start"] == "2025-07-01"  # C6: 3 + 3 months from Jan 1
    never = _resident(clerk, covered=[])
    r = clerk.post("/api/v1/payments", json=_pay(never)).json()
    assert r["enrollment"]["benefit_start"] == "2025-01-01"  # C5: a first enrolment


def test_years_paid_through_the_registry_count(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk, covered=[2022, 2023])
    r2024 = clerk.post(
        "/api/v1/payments", json=_pay(number, coverage_year=2024, amount="380.00",
                                      paid_at="2023-11-10")
    )
    assert r2024.status_code == 201, r2024.text
    r2025 = clerk.post("/api/v1/payments", json=_pay(number)).json()
    assert r2025["enrollment"]["benefit_start"] == "2025-01-01"
    history = clerk.get(f"/api/v1/persons/{number}/history").json()
    assert history["known"] is True
    assert history["covered_years"] == [2022, 2023, 2024, 2025]
    assert history["paid_through_registry"] == [2024, 2025]
    assert {r["source"] for r in history["before_registry"]} == {"declared"}


def test_unknown_history_is_stated(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk)
    assert clerk.get(f"/api/v1/persons/{number}").json()["history_known"] is False
    quote = clerk.get(f"/api/v1/persons/{number}/quote",
                      params={"coverage_year": 2025, "payment_date": "2024-12-03"})
    assert quote.status_code == 200, quote.text
    assert "history_unknown" in quote.json()["warning_codes"]
    assert quote.json()["history"]["known"] is False
    r = clerk.post("/api/v1/payments", json=_pay(number)).json()
    assert r["enrollment"]["history_unknown"] is True
    assert "history_unknown" in r["enrollment"]["warning_codes"]
    # the year paid through the registry is known history for the next year
    nxt = clerk.get(f"/api/v1/persons/{number}/quote",
                    params={"coverage_year": 2026, "payment_date": "2025-12-01"}).json()
    assert "history_unknown" not in nxt["warning_codes"] and nxt["lapse_years"] == 0


def test_person_quote_uses_registry(server: Server, clerk: httpx.Client,
                                    auditor: httpx.Client) -> None:
    number = _resident(clerk, covered=[2020, 2021, 2022])
    q = clerk.get(f"/api/v1/persons/{number}/quote",
                  params={"coverage_year": 2025, "payment_date": "2024-12-03"}).json()
    assert q["benefit_start"] == "2025-05-01" and q["lapse_years"] == 2
    assert q["amount_due"] == "400.00" and q["enrollment"] is None
    assert q["history"]["covered_years"] == [2020, 2021, 2022]
    masked = auditor.get(f"/api/v1/persons/{number}/quote", params={"coverage_year": 2025,
                                                                    "payment_date": "2024-12-03"})
    assert masked.status_code == 200 and "****" in masked.json()["person"]["id_number"]
    assert_error(clerk.get(f"/api/v1/persons/{number}/quote",
                           params={"coverage_year": 2025, "payment_date": "2019-01-01"}),
                 422, "payment_too_early")
    assert_error(clerk.get(f"/api/v1/persons/{new_id()}/quote", params={"coverage_year": 2025}),
                 404, "person_not_found")


def test_covered_years_in_payment_cannot_contradict(server: Server, clerk: httpx.Client) -> None:
    known = _resident(clerk, covered=[2020, 2021, 2022])
    before = server.counts()
    assert_error(clerk.post("/api/v1/payments", json=_pay(known, covered_years=[2023, 2024])),
                 409, "history_conflict")
    assert server.counts() == before
    agreeing = clerk.post("/api/v1/payments", json=_pay(known, covered_years=[2021, 2022]))
    assert agreeing.status_code == 201, agreeing.text
    unknown = _resident(clerk)
    r = clerk.post("/api/v1/payments", json=_pay(unknown, covered_years=[2023, 2024]))
    assert r.status_code == 201 and r.json()["enrollment"]["benefit_start"] == "2025-01-01"
    history = clerk.get(f"/api/v1/persons/{unknown}/history").json()
    assert history["known"] and [h["source"] for h in history["before_registry"]] == ["payment"] * 2


def test_unpublished_year_is_pending_and_bounded(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk)  # Guigang 2021: the fiscal subsidy is "金额待定" (seed 000)
    late = {"coverage_year": 2021, "amount": "100.00", "paid_at": "2021-08-02",
            "channel": "bank_counter"}
    r = clerk.post("/api/v1/payments", json=_pay(number, **late))
    assert r.status_code == 201, r.text
    assert r.json()["payment"]["settlement"] == "unquoted"
    assert r.json()["enrollment"]["status"] == "pending"
    assert r.json()["enrollment"]["benefit_start"] is None
    before = server.counts()
    for amount, code in (("0.00", "amount_zero"), ("4000000000.00", "amount_too_large")):
        fresh = register(clerk)
        assert_error(clerk.post("/api/v1/payments", json=_pay(fresh, **{**late, "amount": amount})),
                     422, code)
    assert server.counts()["payments"] == before["payments"]


def test_payment_after_today_is_refused(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk)
    tomorrow = today_beijing() + dt.timedelta(days=1)
    before = server.counts()
    err = assert_error(
        clerk.post("/api/v1/payments", json=_pay(number, coverage_year=tomorrow.year + 1,
                                                 paid_at=tomorrow.isoformat())),
        422, "paid_at_in_future")
    assert err["field"] == "paid_at"
    assert server.counts() == before


def test_region_filter_follows_the_region_tree(server: Server, clerk: httpx.Client) -> None:
    tag = secrets.token_hex(3)
    baise = register(clerk, region="451002", id_number=new_id("451002"), name=f"百色{tag}")
    register(clerk, region="451102", id_number=new_id("451102"), name=f"贺州{tag}")
    city = clerk.get("/api/v1/persons", params={"region": "451000", "per_page": 100}).json()
    assert baise in {p["id_number"] for p in city["items"]}
    assert {p["region"] for p in city["items"]} <= {"451000", "451002", "451003", "451022",
                                                     "451024", "451026", "451027", "451028",
                                                     "451029", "451030", "451031", "451081",
                                                     "451082"}
    named = clerk.get("/api/v1/persons", params={"region": "451000", "name": tag}).json()
    assert [p["id_number"] for p in named["items"]] == [baise]
    assert_error(clerk.get("/api/v1/persons", params={"region": "459999"}), 422, "unknown_region")


def test_counts_by_region_year_status(server: Server, clerk: httpx.Client) -> None:
    number = register(clerk, region="450881", id_number=new_id("450881"))
    clerk.post("/api/v1/payments", json=_pay(number, coverage_year=2021, amount="280.00",
                                              paid_at="2020-10-15"))
    counts = clerk.get("/api/v1/counts", params={"coverage_year": 2021, "region": "450800"})
    assert counts.status_code == 200, counts.text
    body = counts.json()
    assert {p["region"] for p in body["persons"]} <= {"450800", "450802", "450803", "450804",
                                                     "450821", "450881"}
    mine = [e for e in body["enrollments"] if e["region"] == "450881" and e["status"] == "paid"]
    assert mine and mine[0]["count"] >= 1 and mine[0]["coverage_year"] == 2021
    assert body["totals"]["payments"] >= 1 and 2021 in body["years"]
    assert clerk.get("/api/v1/counts", params={"region": "459999"}).status_code == 422


def test_bulk_reads_history_paid_earlier_in_the_batch(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk, covered=[2022, 2023])
    body = clerk.post("/api/v1/payments/bulk", json={"payments": [
        _pay(number, coverage_year=2024, amount="380.00", paid_at="2023-11-10"),
        _pay(number),
    ]}).json()
    assert [r["status"] for r in body["results"]] == ["created", "created"]
    assert body["results"][1]["enrollment"]["benefit_start"] == "2025-01-01"
