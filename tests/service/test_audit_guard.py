"""The audit log is append-only for real, and every full ID number shown is audited.

On PostgreSQL the server connects as a member of the service role: it may INSERT and
SELECT the audit log and nothing else (no UPDATE, DELETE, TRUNCATE, no DDL on it); even
the owner cannot TRUNCATE it (a trigger refuses). On SQLite, triggers refuse UPDATE and
DELETE.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from yibao.idcard import check_character

from .conftest import Server
from .helpers import new_id, register

_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def _refused(url: str, sql: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except DBAPIError:
        return True
    finally:
        engine.dispose()
    return False


def test_the_service_may_only_append_to_the_audit_log(server: Server, clerk: httpx.Client) -> None:
    register(clerk)
    assert not _refused(server.db_url, "SELECT count(*) FROM audit_log")
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        assert _refused(server.db_url, sql), sql
    if server.backend != "postgres":
        return
    for sql in ("TRUNCATE audit_log",
                "DROP TRIGGER audit_log_append_only ON audit_log",
                "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "DROP TABLE audit_log",
                "CREATE TABLE sneaky (id int)"):
        assert _refused(server.db_url, sql), sql
    assert _refused(server.owner_url, "TRUNCATE audit_log")  # the owner is refused too


def _full_ids(value: Any) -> set[str]:
    text_ = str(value)
    return {m for m in _ID.findall(text_) if check_character(m[:17]) == m[17]}


def _audited(admin: httpx.Client) -> int:
    return int(admin.get("/api/v1/audit", params={"action": "read_id_number",
                                                  "per_page": 1}).json()["total"])


def test_every_response_with_a_full_id_number_is_audited(
    server: Server, clerk: httpx.Client, admin: httpx.Client
) -> None:
    number = register(clerk, region="450202")
    pay = {"id_number": number, "coverage_year": 2025, "channel": "tax_hall",
           "channel_txn_id": f"AUD-{number[-8:]}", "amount": "400.00", "paid_at": "2024-11-20"}
    calls: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]] = [
        ("POST", "/api/v1/persons", {"id_number": new_id(), "name": "韦", "region": "450802"},
         None),
        ("POST", "/api/v1/payments", pay, None),
        ("POST", "/api/v1/payments", pay, None),  # the replay shows it again
        ("POST", "/api/v1/payments/bulk", {"payments": [{**pay, "channel_txn_id": "AUD-B1"}]},
         None),
        ("GET", f"/api/v1/persons/{number}", None, None),
        ("GET", "/api/v1/persons", None, {"per_page": 3}),
        ("PATCH", f"/api/v1/persons/{number}", {"name": "韦秀兰"}, None),
        ("GET", f"/api/v1/persons/{number}/payments", None, None),
        ("GET", f"/api/v1/persons/{number}/enrollments", None, None),
        ("GET", f"/api/v1/persons/{number}/quote", None, {"coverage_year": 2026}),
        ("GET", "/api/v1/payments", None, {"per_page": 3}),
        ("GET", "/api/v1/enrollments", None, {"per_page": 3}),
        ("POST", "/api/v1/households", {"region": "450202", "member_id_numbers": [number]},
         None),
        ("POST", "/api/v1/back-payment-applications",
         {"id_number": number, "type": "veteran", "submitted_via": "window", "years": [2020]},
         None),
        ("GET", "/api/v1/back-payment-applications", None, {"per_page": 3}),
        ("GET", "/api/v1/pre-registrations", None, {"per_page": 3}),
    ]
    checked = 0
    for method, path, body, params in calls:
        before = _audited(admin)
        r = clerk.request(method, path, json=body, params=params)
        assert r.status_code < 400, (path, r.text)
        if _full_ids(r.json()):
            checked += 1
            assert _audited(admin) > before, f"{method} {path} showed a full ID unaudited"
        if path == f"/api/v1/persons/{number}/payments":
            payment_id = r.json()[0]["id"]
            for detail in (f"/api/v1/payments/{payment_id}",
                           f"/api/v1/enrollments/{r.json()[0]['enrollment_id']}"):
                before = _audited(admin)
                assert _full_ids(clerk.get(detail).json())
                assert _audited(admin) > before, detail
    assert checked >= 12


@pytest.mark.parametrize("role", ["auditor"])
def test_auditors_never_see_full_id_numbers(server: Server, clerk: httpx.Client,
                                            role: str) -> None:
    number = register(clerk)
    with server.client(role) as c:
        for path in (f"/api/v1/persons/{number}", "/api/v1/persons", "/api/v1/payments",
                     "/api/v1/enrollments", "/api/v1/audit"):
            r = c.get(path)
            assert r.status_code == 200, path
            assert not _full_ids(r.json()), path


def test_the_filter_by_person_finds_entries_naming_several_persons(
    server: Server, clerk: httpx.Client
) -> None:
    """One bulk answer shows two full ID numbers: one ``read_id_number`` entry names both
    persons; the audit log filtered by either person finds it, by a third person not."""
    from yibao.services.common import Actor
    from yibao.services.staff.audit_log import list_audit
    from yibao.store.db import Database

    first, second, third = (register(clerk) for _ in range(3))
    items = [{"id_number": n, "coverage_year": 2025, "channel": "tax_hall",
              "channel_txn_id": f"MANY-{n[-10:]}", "amount": "400.00",
              "paid_at": "2024-11-20"} for n in (first, second)]
    assert clerk.post("/api/v1/payments/bulk", json={"payments": items}).status_code == 200
    db = Database(server.owner_url)
    try:
        auditor = Actor("auditor-test", "auditor")

        def reads(person: str) -> list[dict[str, Any]]:
            page = list_audit(db, auditor, page=1, per_page=100, person=person,
                              action="read_id_number")
            return [e.model_dump() for e in page.items]

        def naming_several(person: str) -> list[dict[str, Any]]:
            return [e for e in reads(person) if e["entity_id"] is None]

        both = naming_several(first)
        assert len(both) == 1 and both == naming_several(second)
        assert len(both[0]["after"]["person_ids"]) == 2
        assert naming_several(third) == [] and reads(third)  # its own registration's entry
    finally:
        db.dispose()
