"""Newborn pre-registration, households, back-payment applications, lifecycle jobs, demo."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import typer
from typer.testing import CliRunner

from .conftest import Server
from .helpers import assert_error, new_id, register

TODAY = dt.date.today()




def _prereg(clerk: httpx.Client, birth: dt.date, parent: str) -> httpx.Response:
    return clerk.post(
        "/api/v1/pre-registrations",
        json={
            "newborn_name": "小宝",
            "birth_date": birth.isoformat(),
            "sex": "female",
            "region": "450202",
            "birth_hospital": "柳州市妇幼保健院",
            "parent_id_number": parent,
            "parent_name": "家长",
        },
    )


def test_preregistration_pay_and_convert(server: Server, clerk: httpx.Client) -> None:
    birth = TODAY - dt.timedelta(days=10)
    r = _prereg(clerk, birth, new_id("450202"))
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["status"] == "registered" and reg["document_type"] == "other"
    pay = clerk.post(
        "/api/v1/payments",
        json={
            "pre_registration_id": reg["id"],
            "coverage_year": birth.year,
            "channel": "tax12366_wechat",
            "channel_txn_id": f"PRE{reg['id']}x{server.backend}",
            "amount": "400.00",
            "paid_at": TODAY.isoformat(),
        },
    )
    assert pay.status_code == 201, pay.text
    published = clerk.post("/api/v1/quote", json={
        "region": "450202", "coverage_year": birth.year, "payment_date": TODAY.isoformat(),
        "birth_date": birth.isoformat()}).json()["amount_due"] is not None
    enrollment = pay.json()["enrollment"]
    if published:  # cover from the birth date (seed 000 四.3)
        assert enrollment["benefit_start"] == birth.isoformat()
    else:  # this year's figures are not published yet: paid, no cover until settled
        assert enrollment["status"] == "pending" and enrollment["benefit_start"] is None
        assert pay.json()["payment"]["settlement"] == "unquoted"
    assert clerk.get(f"/api/v1/pre-registrations/{reg['id']}").json()["status"] == "paid"
    baby = new_id("450202", birth=birth, sex="female")
    done = clerk.post(f"/api/v1/pre-registrations/{reg['id']}/convert", json={"id_number": baby})
    assert done.status_code == 200 and done.json()["status"] == "converted"
    assert len(clerk.get(f"/api/v1/persons/{baby}/enrollments").json()) == 1


def test_preregistration_rules(server: Server, clerk: httpx.Client) -> None:
    before = server.counts()
    old = _prereg(clerk, TODAY - dt.timedelta(days=200), new_id("450202"))
    assert_error(old, 422, "window_passed")
    assert_error(_prereg(clerk, TODAY, new_id("110105")), 422, "parent_not_guangxi")
    assert server.counts() == before


def test_expire_job_lapses_unpaid(server: Server, clerk: httpx.Client, cli: typer.Typer) -> None:
    reg = _prereg(clerk, TODAY - dt.timedelta(days=5), new_id("450202")).json()
    later = (TODAY + dt.timedelta(days=120)).isoformat()
    out = CliRunner().invoke(cli, ["jobs", "expire-preregistrations", "--today", later, "--json"])
    assert out.exit_code == 0, out.output
    assert reg["id"] in json.loads(out.stdout)["lapsed"]
    assert clerk.get(f"/api/v1/pre-registrations/{reg['id']}").json()["status"] == "lapsed"
    bad = CliRunner().invoke(cli, ["jobs", "expire-preregistrations", "--today", "2025-02-30"])
    assert bad.exit_code == 2


def test_open_year_job(server: Server, clerk: httpx.Client, cli: typer.Typer) -> None:
    number = register(clerk, region="450202", id_number=new_id("450202"))
    clerk.post(
        "/api/v1/payments",
        json={
            "id_number": number,
            "coverage_year": 2025,
            "channel": "gx_yibao",
            "channel_txn_id": f"OY{number[6:14]}-{number[-4:]}",  # no ID number in a txn id
            "amount": "400.00",
            "paid_at": "2024-10-10",
        },
    )
    refused = CliRunner().invoke(cli, ["jobs", "open-year", "2026", "--today", "2026-03-01"])
    assert refused.exit_code == 2
    out = CliRunner().invoke(cli, ["jobs", "open-year", "2026", "--today", "2025-09-02", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["opened"] >= 1
    words = CliRunner().invoke(cli, ["jobs", "open-year", "2026", "--today", "2025-09-02"])
    assert "2026年度: 开立" in words.stdout and "2026:" in words.stdout
    years = {
        e["coverage_year"]: e["status"]
        for e in clerk.get(f"/api/v1/persons/{number}/enrollments").json()
    }
    assert years == {2025: "paid", 2026: "open"}


def test_households(server: Server, clerk: httpx.Client, auditor: httpx.Client) -> None:
    head, child = register(clerk), register(clerk)
    r = clerk.post(
        "/api/v1/households",
        json={
            "region": "450802",
            "address": "港北区",
            "head_id_number": head,
            "member_id_numbers": [child],
        },
    )
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    assert len(r.json()["members"]) == 2
    third = register(clerk)
    r = clerk.post(f"/api/v1/households/{hid}/members", json={"id_number": third})
    assert len(r.json()["members"]) == 3
    seen = auditor.get(f"/api/v1/households/{hid}").json()
    assert all("****" in m["id_number"] for m in seen["members"])
    assert_error(clerk.get("/api/v1/households/999999"), 404)


def test_back_payment_applications(
    server: Server, clerk: httpx.Client, admin: httpx.Client
) -> None:
    number = register(clerk)
    body = {
        "id_number": number,
        "type": "flexible_employment_unpaid",
        "submitted_via": "online",
        "years": [2023],
        "materials": {"back_payment_form": True},
    }
    r = clerk.post("/api/v1/back-payment-applications", json=body)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["status"] == "incomplete" and "personal_application_form" in app["missing_materials"]
    assert_error(
        clerk.post(
            f"/api/v1/back-payment-applications/{app['id']}/decision", json={"decision": "approved"}
        ),
        403,
    )
    assert_error(
        admin.post(
            f"/api/v1/back-payment-applications/{app['id']}/decision", json={"decision": "approved"}
        ),
        409,
        "materials_missing",
    )
    full = {**body, "materials": {"back_payment_form": True, "personal_application_form": True}}
    app2 = clerk.post("/api/v1/back-payment-applications", json=full).json()
    assert app2["status"] == "submitted"
    done = admin.post(
        f"/api/v1/back-payment-applications/{app2['id']}/decision",
        json={"decision": "approved", "reason": "ok"},
    )
    assert done.json()["status"] == "approved"
    before = server.counts()
    assert_error(
        clerk.post("/api/v1/back-payment-applications", json={**body, "type": "lottery"}),
        422,
        "unknown_application_type",
    )
    assert_error(
        clerk.post("/api/v1/back-payment-applications", json={**body, "submitted_via": "fax"}), 422
    )
    assert server.counts() == before


def test_demo_load_is_idempotent(server: Server, tmp_path: Path) -> None:
    """On a database of its own (the session's may hold a demo another test loaded): the
    first load prints random passwords once, the second changes nothing."""
    from yibao.services.staff.users import authenticate
    from yibao.store.db import Database

    from ..cli_runner import yibao
    from ..province.conftest import drop, fresh_database

    url, admin = fresh_database(server.backend, tmp_path)
    db = Database(url)
    try:
        first = yibao("demo", "load", env={"YIBAO_DATABASE_URL": url})
        assert first.exit_code == 0, first.output
        shown = re.search(r"demo-clerk-liuzhou\s+password: (\S+)", first.output)
        assert shown and shown.group(1) not in ("clerk-demo-2025", "(shown")  # random, once
        assert authenticate(db, "demo-clerk-liuzhou", shown.group(1)) is not None
        counts = _counts(db)
        second = yibao("demo", "load", env={"YIBAO_DATABASE_URL": url})
        assert second.exit_code == 0, second.output
        assert "already loaded" in second.output and shown.group(1) not in second.output
        assert _counts(db) == counts
        assert counts["enrollments"] > 100
    finally:
        db.engine.dispose()
        drop(url, admin)


def _counts(db: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from yibao.store.models import AuditEntry, Enrollment, Payment, Person, StaffUser

    with db.read() as s:
        return {table.__tablename__: s.scalar(select(func.count()).select_from(table))
                for table in (Person, Payment, Enrollment, StaffUser, AuditEntry)}
