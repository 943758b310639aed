"""Login, roles, public endpoints, the error shape."""

from __future__ import annotations

import httpx

from .conftest import Server
from .helpers import assert_error, register


def test_token_login_and_me(server: Server, anon: httpx.Client) -> None:
    r = anon.post("/api/v1/auth/token", data={"username": "t-clerk", "password": "clerk-pass-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["access_token"]
    me = anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["role"] == "clerk"


def test_wrong_password_and_missing_token(server: Server, anon: httpx.Client) -> None:
    r = anon.post("/api/v1/auth/token", data={"username": "t-clerk", "password": "nope-nope"})
    assert_error(r, 401, "invalid_credentials")
    assert_error(anon.get("/api/v1/persons"), 401)
    assert_error(anon.post("/api/v1/payments", json={}), 401)
    bad = anon.get("/api/v1/persons", headers={"Authorization": "Bearer not-a-token"})
    assert_error(bad, 401)


def test_public_endpoints_need_no_token(server: Server, anon: httpx.Client) -> None:
    for path in (
        "/api/v1/regions",
        "/api/v1/rules",
        "/api/v1/channels",
        "/api/v1/contacts?region=450802",
    ):
        r = anon.get(path)
        assert r.status_code == 200, path
        assert r.json()["total"] > 0
    codes = {c["code"] for c in anon.get("/api/v1/channels").json()["items"]}
    assert {"tax12366_wechat", "lz_yibao_wechat", "tax_hall", "mobile_pos"} <= codes
    q = anon.post(
        "/api/v1/quote",
        json={"region": "450802", "coverage_year": 2021, "payment_date": "2020-10-01"},
    )
    assert q.status_code == 200 and q.json()["amount_due"] == "280.00"
    assert anon.get("/docs").status_code == 200


def test_auditor_may_not_write(server: Server, auditor: httpx.Client, clerk: httpx.Client) -> None:
    number = register(clerk)
    before = server.counts()
    assert_error(
        auditor.post(
            "/api/v1/persons",
            json={"id_number": "450802198001010011", "name": "x", "region": "450802"},
        ),
        403,
    )
    assert_error(
        auditor.post(
            "/api/v1/payments",
            json={
                "id_number": number,
                "coverage_year": 2021,
                "channel": "tax_hall",
                "channel_txn_id": "AUD-1",
                "amount": "280.00",
                "paid_at": "2020-10-01",
            },
        ),
        403,
    )
    assert_error(auditor.patch(f"/api/v1/persons/{number}", json={"name": "y"}), 403)
    assert server.counts() == before


def test_audit_log_roles(
    server: Server, clerk: httpx.Client, auditor: httpx.Client, admin: httpx.Client
) -> None:
    assert_error(clerk.get("/api/v1/audit"), 403)
    assert auditor.get("/api/v1/audit").status_code == 200
    page = admin.get("/api/v1/audit", params={"per_page": 5}).json()
    assert page["per_page"] == 5 and len(page["items"]) <= 5 and page["total"] >= 1
