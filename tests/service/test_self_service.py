"""The resident's own look-up (yibao.services.registry.self_lookup) and the console's person
records (yibao.services.registry.records, ``/api/v1/person-records``), on SQLite and
PostgreSQL through a real server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.service.conftest import Server
from tests.service.helpers import assert_error, new_id, register
from yibao.errors import InputError
from yibao.idcard import mask_id_number
from yibao.services.registry.self_lookup import look_up, mask_name
from yibao.store.db import Database

TODAY = dt.date(2026, 11, 29)  # 2026 in force, 2027 being collected


def _self_lookups(server: Server) -> list[Any]:
    with server.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT entity_id, after FROM audit_log WHERE action = 'self_lookup' ORDER BY id")))


@pytest.fixture
def db(server: Server) -> Any:
    database = Database(server.db_url)
    yield database
    database.dispose()


def test_mask_name() -> None:
    assert [mask_name(n) for n in ("韦秀梅", "李明", "王", "欧阳小明")] == [
        "韦*梅", "李*", "*", "欧**明"]


def test_look_up_matches_number_and_name_only(server: Server, clerk: httpx.Client,
                                              db: Database) -> None:
    number = register(clerk, name="韦秀梅", covered_years=[2024, 2025])
    paid = clerk.post("/api/v1/payments", json={
        "id_number": number, "coverage_year": 2026, "channel": "tax_hall",
        "channel_txn_id": f"SELF-{number[:17]}", "amount": "400.00", "paid_at": "2026-01-10"})
    assert paid.status_code == 201, paid.text
    found = look_up(db, number, " 韦 秀梅 ", today=TODAY, years=(2026, 2027), client="t")
    assert found is not None
    assert found.name == "韦*梅" and found.id_number == mask_id_number(number)
    in_force, collecting = found.years
    assert in_force.state in ("paid", "pending") and in_force.amount_paid_fen == 40000
    assert collecting.state == "unpaid" and collecting.quote is not None
    assert collecting.benefit_start == dt.date(2027, 1, 1)  # paid today: in the period
    assert collecting.amount_due_fen is None and collecting.missing  # 2027 unpublished
    assert look_up(db, number, "韦秀兰", today=TODAY, years=(2026, 2027)) is None
    assert look_up(db, new_id(), "韦秀梅", today=TODAY, years=(2026, 2027)) is None
    with pytest.raises(InputError):
        look_up(db, number[:17] + ("1" if number[17] != "1" else "2"), "韦秀梅",
                today=TODAY, years=(2026,))
    rows = _self_lookups(server)[-3:]
    assert [bool(r.entity_id) for r in rows] == [True, False, False]
    assert all(number not in str(r.after) for r in rows)


def test_look_up_shows_the_household_masked(clerk: httpx.Client, db: Database) -> None:
    head = register(clerk, name="黄丽", covered_years=[2025])
    child = register(clerk, name="黄小宝", covered_years=[2025])
    r = clerk.post("/api/v1/households", json={"region": "450802", "head_id_number": head,
                                               "member_id_numbers": [head, child]})
    assert r.status_code == 201, r.text
    found = look_up(db, head, "黄丽", today=TODAY, years=(2027,))
    assert found is not None
    (member,) = found.household
    # the masked name and whether each year is paid: no number, no amount, no group
    assert member.name == "黄*宝" and member.paid == ((2027, False),)
    assert child not in repr(member) and mask_id_number(child) not in repr(member)


def test_person_record_is_one_read_and_one_audit_row(
    server: Server, clerk: httpx.Client, auditor: httpx.Client
) -> None:
    number = register(clerk, name="蒙志强", covered_years=[2022])
    person_id = clerk.get(f"/api/v1/persons/{number}").json()["id"]
    with server.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    record = clerk.get(f"/api/v1/person-records/{person_id}").json()
    with server.engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert after == before + 1
    assert record["person"]["id_number"] == number and record["audit"] is None
    assert record["history"]["covered_years"] == [2022]
    seen = auditor.get(f"/api/v1/person-records/{person_id}").json()
    assert seen["person"]["id_number"] == mask_id_number(number)
    assert [e["action"] for e in seen["audit"]][-1] == "create"


def _ending_in_x() -> str:
    """A fresh ID number whose check character is X (one in eleven are)."""
    return next(n for n in (new_id() for _ in range(200)) if n.endswith("X"))


@pytest.mark.parametrize("ending", ["digit", "X"])
def test_search_by_part_of_a_number_and_masked_for_auditors(
    clerk: httpx.Client, auditor: httpx.Client, ending: str
) -> None:
    """The last four as a mask shows them find the person, X included ("561X")."""
    number = register(clerk, name="莫志明", id_number=_ending_in_x() if ending == "X" else
                      next(n for n in (new_id() for _ in range(200)) if not n.endswith("X")))
    for q in (number[6:14], number[-4:], "莫志明"):
        items = clerk.get("/api/v1/person-records", params={"q": q, "per_page": 200}).json()["items"]
        assert number in [p["id_number"] for p in items], q
    masked = mask_id_number(number)
    tail = auditor.get("/api/v1/person-records", params={"q": number[-4:]}).json()["items"]
    assert masked in [p["id_number"] for p in tail]
    middle = auditor.get("/api/v1/person-records",
                         params={"q": number[6:14]}).json()["items"]
    assert masked not in [p["id_number"] for p in middle]
    assert_error(clerk.get("/api/v1/person-records", params={"q": " "}), 422, "missing_field")


def test_memberships_added_and_ended_by_row_id(
    server: Server, clerk: httpx.Client, auditor: httpx.Client
) -> None:
    number = register(clerk, name="潘美玲")
    person_id = clerk.get(f"/api/v1/persons/{number}").json()["id"]
    made = clerk.post(f"/api/v1/person-records/{person_id}/special-groups", json={
        "group": "dibao", "valid_from": "2025-01-01", "source": "民政局"})
    assert made.status_code == 201, made.text
    path = f"/api/v1/person-records/{person_id}/special-groups/{made.json()['id']}"
    assert_error(clerk.patch(path, json={"valid_to": "2024-12-31"}), 422, "invalid_period")
    assert_error(auditor.patch(path, json={"valid_to": "2025-12-31"}), 403)
    ended = clerk.patch(path, json={"valid_to": "2025-12-31"})
    assert ended.status_code == 200 and ended.json()["valid_to"] == "2025-12-31"
    with server.engine.connect() as conn:
        action = conn.execute(text(
            "SELECT action FROM audit_log WHERE entity = 'special_group_membership' "
            "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert action == "end_membership"
    history = clerk.post(f"/api/v1/person-records/{person_id}/history",
                         json={"covered_years": [2023], "source": "原参保地证明"})
    assert history.status_code == 201, history.text
    assert_error(clerk.get("/api/v1/person-records/999999"), 404, "person_not_found")
