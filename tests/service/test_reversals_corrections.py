"""Refunds and channel reversals as their own rows; admin corrections with a reason; settling."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from .conftest import Server
from .helpers import assert_error, new_id, register

LIUZHOU = "450202"




def _pay(number: str, **extra: Any) -> dict[str, Any]:
    return {"id_number": number, "coverage_year": 2025, "channel": "alipay_citizen_center",
            "channel_txn_id": f"R{secrets.token_hex(8)}", "amount": "400.00",
            "paid_at": "2024-12-03", **extra}


def _resident(clerk: httpx.Client, covered: list[int] | None = None) -> str:
    extra: dict[str, Any] = {"region": LIUZHOU, "id_number": new_id(LIUZHOU)}
    if covered is not None:
        extra["covered_years"] = covered
    return register(clerk, **extra)


def _reverse(client: httpx.Client, payment_id: int, **body: Any) -> httpx.Response:
    data = {"kind": "reversal", "reference": f"V{secrets.token_hex(6)}", "reason": "渠道冲正交易",
            **body}
    return client.post(f"/api/v1/payments/{payment_id}/reversals", json=data)


def test_refund_of_a_second_payment(server: Server, clerk: httpx.Client,
                                    admin: httpx.Client) -> None:
    number = _resident(clerk, covered=[2022, 2023, 2024])
    first = clerk.post("/api/v1/payments", json=_pay(number)).json()
    second = clerk.post("/api/v1/payments", json=_pay(number, paid_at="2025-02-01")).json()
    assert second["payment"]["settlement"] == "over"
    pid = second["payment"]["id"]
    asked = _reverse(clerk, pid, kind="refund")  # a clerk's refund waits for an admin
    assert asked.status_code == 202 and asked.json()["reversal"]["status"] == "pending_approval"
    refund = _reverse(admin, pid, kind="refund", reference="TK-001", reason="重复缴费退回")
    assert refund.status_code == 201, refund.text
    body = refund.json()
    assert body["reversal"]["amount"] == "400.00" and body["payment"]["reversed"] == "400.00"
    assert body["enrollment"]["status"] == "paid"
    assert body["enrollment"]["benefit_start"] == first["enrollment"]["benefit_start"]
    again = _reverse(admin, pid, kind="refund", reference="TK-001", reason="重复缴费退回")
    assert again.status_code == 200 and again.json()["reversal"]["id"] == body["reversal"]["id"]
    assert_error(_reverse(admin, pid, kind="reversal", reference="TK-001"), 409,
                 "reversal_conflict")
    assert_error(_reverse(admin, pid, kind="refund"), 422, "reversal_amount")
    with server.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM payment_reversals WHERE payment_id = :p "
                                 "AND status = 'recorded'"), {"p": pid}).scalar_one()
        audits = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = "
                                   "'payment_reversal' AND entity_id = :r"),
                              {"r": str(body["reversal"]["id"])}).scalar_one()
    assert rows == 1 and audits == 1


def test_reversing_the_anchor_re_anchors_then_cancels(server: Server, clerk: httpx.Client,
                                                      admin: httpx.Client) -> None:
    number = _resident(clerk, covered=[2022, 2023, 2024])
    anchor = clerk.post("/api/v1/payments", json=_pay(number)).json()
    assert anchor["enrollment"]["benefit_start"] == "2025-01-01"
    later = clerk.post("/api/v1/payments", json=_pay(number, paid_at="2025-03-15")).json()
    # an admin's reversal applies at once (a clerk's waits: tests/service/test_four_eyes.py)
    moved = _reverse(admin, anchor["payment"]["id"])
    assert moved.status_code == 201, moved.text
    # the remaining payment was made after the concentrated period: 3 months' wait (C6)
    assert moved.json()["enrollment"]["benefit_start"] == "2025-06-15"
    assert moved.json()["enrollment"]["status"] == "paid"
    gone = _reverse(admin, later["payment"]["id"]).json()
    assert gone["enrollment"]["status"] == "cancelled"
    assert gone["enrollment"]["benefit_start"] is None
    history = clerk.get(f"/api/v1/persons/{number}/history").json()
    assert 2025 not in history["covered_years"]
    renewed = clerk.post("/api/v1/payments", json=_pay(number, paid_at="2025-04-02")).json()
    assert renewed["enrollment"]["status"] == "paid"
    assert renewed["enrollment"]["benefit_start"] == "2025-07-02"


def test_admin_corrects_with_a_reason(server: Server, clerk: httpx.Client,
                                      admin: httpx.Client) -> None:
    number = _resident(clerk)
    paid = clerk.post("/api/v1/payments", json=_pay(number)).json()
    eid = paid["enrollment"]["id"]
    body = {"reason": "经核实2023-2024年断保", "benefit_start": "2025-05-01",
            "waiting_fixed": 3, "waiting_variable": 1}
    assert_error(clerk.post(f"/api/v1/enrollments/{eid}/corrections", json=body), 403)
    assert_error(admin.post(f"/api/v1/enrollments/{eid}/corrections",
                            json={**body, "reason": ""}), 422)
    assert_error(admin.post(f"/api/v1/enrollments/{eid}/corrections",
                            json={**body, "benefit_start": "2026-01-01"}), 422,
                 "date_outside_year")
    done = admin.post(f"/api/v1/enrollments/{eid}/corrections", json=body)
    assert done.status_code == 201, done.text
    assert done.json()["before"]["benefit_start"] == "2025-01-01"
    assert done.json()["after"]["benefit_start"] == "2025-05-01"
    seen = clerk.get(f"/api/v1/enrollments/{eid}").json()
    assert seen["benefit_start"] == "2025-05-01"
    assert seen["waiting_months"] == {"fixed": 3, "variable": 1}
    assert [c["reason"] for c in seen["corrections"]] == ["经核实2023-2024年断保"]
    assert len(seen["payments"]) == 1
    assert_error(admin.post(f"/api/v1/enrollments/{eid}/corrections", json=body), 422,
                 "correction_no_change")


def test_history_import_is_idempotent_and_lists_reviews(server: Server, clerk: httpx.Client,
                                                        admin: httpx.Client, cli: typer.Typer,
                                                        tmp_path: Any) -> None:
    unknown = _resident(clerk)
    paid = clerk.post("/api/v1/payments", json=_pay(unknown)).json()
    assert paid["enrollment"]["benefit_start"] == "2025-01-01"
    other = _resident(clerk)
    src = tmp_path / "history.csv"
    src.write_text("id_number,coverage_year\n"
                   f"{unknown},2020\n{unknown},2021\n{other},2023\n{other},2024\n"
                   "450802198001010010,2020\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["history", "import", str(src), "--by", "import-clerk",
                                   "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert (summary["persons"], summary["added"], len(summary["problems"])) == (2, 4, 1)
    review = [r for r in summary["review"] if r["enrollment_id"] == paid["enrollment"]["id"]]
    assert review and review[0]["benefit_start_from_history"] == "2025-06-01"  # lapse 2022-2024
    history = clerk.get(f"/api/v1/persons/{unknown}/history").json()
    assert history["known"] and {r["recorded_by"] for r in history["before_registry"]} == {
        "import-clerk"}
    enrolment = clerk.get(f"/api/v1/persons/{unknown}/enrollments").json()[0]
    assert enrolment["benefit_start"] == "2025-01-01"  # nothing changes by itself
    again = CliRunner().invoke(cli, ["history", "import", str(src), "--json"])
    assert json.loads(again.stdout)["added"] == 0
    fixed = admin.post(f"/api/v1/enrollments/{paid['enrollment']['id']}/corrections",
                       json={"reason": "导入参保历史后重新计算", "recompute": True})
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["after"]["benefit_start"] == "2025-06-01"
    bad = tmp_path / "bad.csv"
    bad.write_text("who,when\n1,2\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["history", "import", str(bad)]).exit_code == 2


def test_settle_is_idempotent(server: Server, clerk: httpx.Client, admin: httpx.Client,
                              cli: typer.Typer) -> None:
    number = register(clerk)
    pending = clerk.post("/api/v1/payments", json=_pay(
        number, coverage_year=2021, amount="280.00", paid_at="2021-08-02")).json()
    assert pending["enrollment"]["status"] == "pending"
    out = CliRunner().invoke(cli, ["payments", "settle", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["settled"] == 0 and result["still_pending"] >= 1  # the subsidy is unpublished
    assert admin.post("/api/v1/payments/settle").json()["settled"] == 0
    assert clerk.post("/api/v1/payments/settle").status_code == 403
