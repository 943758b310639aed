"""Four eyes on cover (contract §6): a clerk's reversal or refund that would cancel or
shorten an enrollment's cover waits (202 ``pending_approval``, the enrollment unchanged)
until an admin, another account, approves it; both steps are audited; the console shows
the request with its evidence to admins.

Issue 16, failure 3: a reversal "probe by clerk, no channel report" → 201, the 2025
enrollment cancelled, ``benefit_start: null``.
"""

from __future__ import annotations

import re
import secrets
import time
from contextlib import closing
from typing import Any

import httpx
from sqlalchemy import text

from .conftest import Server
from .helpers import assert_error, new_id
from .staff import CHENGZHONG, account, api, console


def _resident(clerk: httpx.Client) -> str:
    number = new_id(CHENGZHONG)
    r = clerk.post("/api/v1/persons", json={"id_number": number, "name": "覃四眼",
                                            "region": CHENGZHONG, "covered_years": [2023, 2024]})
    assert r.status_code == 201, r.text
    return number


def _pay(clerk: httpx.Client, number: str, paid_at: str = "2024-11-20") -> dict[str, Any]:
    r = clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2025, "channel": "gx_yibao",
        "channel_txn_id": f"FE{secrets.token_hex(6)}", "amount": "400.00", "paid_at": paid_at})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _reverse(client: httpx.Client, payment_id: int, **body: Any) -> httpx.Response:
    data = {"kind": "reversal", "reference": f"CH-{secrets.token_hex(5)}",
            "reason": "probe by clerk, no channel report", **body}
    return client.post(f"/api/v1/payments/{payment_id}/reversals", json=data)


def _audit(server: Server, entity: str, entity_id: int) -> list[tuple[str, str]]:
    with server.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, actor FROM audit_log WHERE entity = :e AND "
                                 "entity_id = :i ORDER BY id"),
                            {"e": entity, "i": str(entity_id)}).all()
    return [(r.action, r.actor) for r in rows]


def test_a_clerk_alone_cannot_cancel_cover(server: Server, clerk: httpx.Client,
                                           admin: httpx.Client) -> None:
    number = _resident(clerk)
    paid = _pay(clerk, number)
    eid, pid = paid["enrollment"]["id"], paid["payment"]["id"]
    asked = _reverse(clerk, pid)
    assert asked.status_code == 202, asked.text
    body = asked.json()
    rid = body["reversal"]["id"]
    assert body["reversal"]["status"] == "pending_approval"
    assert body["enrollment"]["status"] == "paid"
    assert body["enrollment"]["benefit_start"] == paid["enrollment"]["benefit_start"]
    assert body["payment"]["reversed"] == "0.00"
    still = clerk.get(f"/api/v1/enrollments/{eid}").json()
    assert still["status"] == "paid" and still["benefit_start"] == "2025-01-01"
    assert [r["status"] for r in still["reversals"]] == ["pending_approval"]
    # the same request again: still waiting
    again = _reverse(clerk, pid, reference=body["reversal"]["reference"])
    assert again.status_code == 202 and again.json()["reversal"]["id"] == rid
    # the admins see it with its evidence
    waiting = admin.get("/api/v1/reversals").json()["items"]
    mine = next(i for i in waiting if i["reversal"]["id"] == rid)
    assert mine["reversal"]["reason"] == "probe by clerk, no channel report"
    assert mine["reversal"]["reference"] == body["reversal"]["reference"]
    assert mine["reversal"]["recorded_by"] == "t-clerk"
    assert mine["payment"]["channel_txn_id"] == paid["payment"]["channel_txn_id"]
    assert mine["effect"]["before"]["benefit_start"] == "2025-01-01"
    assert mine["effect"]["after"]["status"] == "cancelled"
    assert mine["person_name"] == "覃四眼"
    # a clerk may not approve; an admin does, and then the cover is cancelled
    assert_error(clerk.post(f"/api/v1/reversals/{rid}/approval"), 403)
    done = admin.post(f"/api/v1/reversals/{rid}/approval", json={"decision": "approve",
                                                                  "note": "已核对渠道冲正单"})
    assert done.status_code == 200, done.text
    out = done.json()
    assert out["reversal"]["status"] == "recorded" and out["reversal"]["decided_by"] == "t-admin"
    assert out["enrollment"]["status"] == "cancelled" and out["enrollment"]["benefit_start"] is None
    assert out["payment"]["reversed"] == "400.00"
    assert_error(admin.post(f"/api/v1/reversals/{rid}/approval"), 409, "already_decided")
    actions = _audit(server, "payment_reversal", rid)
    assert actions == [("request_reversal", "t-clerk"), ("approve_reversal", "t-admin")]
    assert ("reversal", "t-admin") in _audit(server, "enrollment", eid)


def test_a_rejected_request_changes_nothing(server: Server, clerk: httpx.Client,
                                            admin: httpx.Client) -> None:
    number = _resident(clerk)
    paid = _pay(clerk, number)
    asked = _reverse(clerk, paid["payment"]["id"])
    rid = asked.json()["reversal"]["id"]
    no = admin.post(f"/api/v1/reversals/{rid}/approval",
                    json={"decision": "reject", "note": "渠道未报冲正"})
    assert no.status_code == 200 and no.json()["reversal"]["status"] == "rejected"
    assert no.json()["enrollment"]["status"] == "paid"
    assert clerk.get(f"/api/v1/enrollments/{paid['enrollment']['id']}").json()[
        "benefit_start"] == "2025-01-01"
    assert _audit(server, "payment_reversal", rid)[-1] == ("reject_reversal", "t-admin")


def test_shortening_cover_waits_too_but_a_harmless_reversal_does_not(
        server: Server, clerk: httpx.Client, admin: httpx.Client) -> None:
    number = _resident(clerk)
    anchor = _pay(clerk, number)
    later = _pay(clerk, number, paid_at="2025-03-15")
    assert later["payment"]["settlement"] == "over"
    # reversing the later, surplus payment leaves the cover as it is: applied at once
    free = _reverse(clerk, later["payment"]["id"])
    assert free.status_code == 201 and free.json()["reversal"]["status"] == "recorded"
    # a third payment; reversing the anchor would move the start to June: it waits
    third = _pay(clerk, number, paid_at="2025-03-20")
    moved = _reverse(clerk, anchor["payment"]["id"])
    assert moved.status_code == 202, moved.text
    effect = next(i["effect"] for i in admin.get("/api/v1/reversals").json()["items"]
                  if i["reversal"]["id"] == moved.json()["reversal"]["id"])
    assert effect["before"]["benefit_start"] == "2025-01-01"
    assert effect["after"]["benefit_start"] > "2025-01-01"
    # a clerk's refund always waits; an admin's own applies at once
    refund = _reverse(clerk, third["payment"]["id"], kind="refund", reason="重复缴费申请退费")
    assert refund.status_code == 202
    own = _reverse(admin, third["payment"]["id"], kind="refund", reason="重复缴费退费")
    assert own.status_code == 201 and own.json()["reversal"]["status"] == "recorded"


def test_nobody_approves_their_own_request(server: Server) -> None:
    name = account(server, "clerk")
    with closing(api(server, name)) as asker:
        number = _resident(asker)
        paid = _pay(asker, number)
        rid = _reverse(asker, paid["payment"]["id"]).json()["reversal"]["id"]
    with server.engine.begin() as conn:  # the clerk becomes an admin
        conn.execute(text("UPDATE staff_users SET role = 'admin' WHERE username = :u"),
                     {"u": name})
    with closing(api(server, name)) as promoted:
        started = time.monotonic()  # each process reads the account again within 2 s
        while promoted.get("/api/v1/auth/me").json()["role"] != "admin":
            assert time.monotonic() - started < 10
            time.sleep(0.2)
        assert_error(promoted.post(f"/api/v1/reversals/{rid}/approval"), 403, "four_eyes")
        assert promoted.get(f"/api/v1/enrollments/{paid['enrollment']['id']}").json()[
            "status"] == "paid"


def test_the_console_shows_admins_what_waits(server: Server, clerk: httpx.Client) -> None:
    number = _resident(clerk)
    paid = _pay(clerk, number)
    reference = f"CH-{secrets.token_hex(5)}"
    rid = _reverse(clerk, paid["payment"]["id"], reference=reference,
                   reason="渠道报冲正:重复扣款").json()["reversal"]["id"]
    name = account(server, "admin")
    c, token = console(server, name)
    with closing(c):
        page = c.get("/clerk/approvals")
        assert page.status_code == 200
        row = re.search(f'<tr id="approval-{rid}">(.*?)</tr>', page.text, re.S)
        assert row, page.text
        for evidence in (reference, "渠道报冲正:重复扣款", paid["payment"]["channel_txn_id"],
                         "t-clerk", "2025-01-01", "覃四眼"):
            assert evidence in row.group(1), evidence
        token = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
        r = c.post(f"/clerk/approvals/{rid}", data={"decision": "approve", "note": "已核对",
                                                    "csrf_token": token})
        assert r.status_code == 303 and "done=approve" in r.headers["location"]
    assert clerk.get(f"/api/v1/enrollments/{paid['enrollment']['id']}").json()[
        "status"] == "cancelled"
    clerk_name = account(server, "clerk")
    c, _ = console(server, clerk_name)
    with closing(c):
        assert c.get("/clerk/approvals").status_code == 403
