"""Newborns whose hukou conversion is due (《贵港市2021年度城乡居民医保参保缴费指南》四.1: "已预参保登记并缴费的
新生儿应及时在出生三个月内办理户籍登记…办理正式参保登记"), listed for clerks by
``GET /api/v1/pre-registrations/conversion-due``: paid for, not converted, the earliest
deadline first, overdue ones marked (docs/rules.md C40).  Dates are relative to today."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import httpx

from yibao.services.common import Actor, today_beijing
from yibao.services.inputs import PreRegistrationIn
from yibao.services.registry.preregistrations import create_preregistration
from yibao.store.db import Database

from .conftest import Server
from .helpers import assert_error, new_id

REGION = "450881"  # 桂平市: no other test pre-registers newborns there
URL = "/api/v1/pre-registrations/conversion-due"


def _plus_3_months(d: dt.date) -> dt.date:
    """Birth + 3 months, the same day or the month's last (C2, C3), worked out by hand."""
    month = d.month + 3
    year, month = d.year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _prereg(clerk: httpx.Client, birth: dt.date, name: str) -> dict[str, Any]:
    r = clerk.post("/api/v1/pre-registrations", json={
        "newborn_name": name, "birth_date": birth.isoformat(), "sex": "male", "region": REGION,
        "birth_hospital": "桂平市人民医院", "parent_id_number": new_id(REGION),
        "parent_name": "家长"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _pay(server: Server, clerk: httpx.Client, reg_id: int, day: dt.date) -> None:
    r = clerk.post("/api/v1/payments", json={
        "pre_registration_id": reg_id, "coverage_year": day.year, "channel": "tax12366_wechat",
        "channel_txn_id": f"HK{reg_id}x{server.backend}", "amount": "400.00",
        "paid_at": day.isoformat()})
    assert r.status_code == 201, r.text


def _mine(page: dict[str, Any], ids: set[int]) -> list[dict[str, Any]]:
    return [i for i in page["items"] if i["pre_registration"]["id"] in ids]


def test_paid_newborns_are_listed_by_deadline_overdue_marked(
    server: Server, clerk: httpx.Client, auditor: httpx.Client
) -> None:
    today = today_beijing()
    soon = _prereg(clerk, today - dt.timedelta(days=80), "早宝")
    later = _prereg(clerk, today - dt.timedelta(days=5), "晚宝")
    unpaid = _prereg(clerk, today - dt.timedelta(days=30), "未缴")
    # registered within its window 200 days ago and paid then: now past the 3 months
    born = today - dt.timedelta(days=200)
    db = Database(server.db_url)
    try:
        late = create_preregistration(db, Actor("t-clerk", "clerk"), PreRegistrationIn(
            newborn_name="逾期宝", birth_date=born, sex="female", region=REGION,
            birth_hospital="桂平市人民医院", parent_id_number=new_id(REGION), parent_name="家长"),
            today=born + dt.timedelta(days=3)).model_dump(mode="json")
    finally:
        db.dispose()
    _pay(server, clerk, soon["id"], today)
    _pay(server, clerk, later["id"], today)
    _pay(server, clerk, late["id"], born + dt.timedelta(days=20))
    ids = {soon["id"], later["id"], late["id"], unpaid["id"]}

    page = clerk.get(URL, params={"region": REGION, "per_page": 200}).json()
    assert page["as_of"] == today.isoformat()
    got = _mine(page, ids)
    assert [i["pre_registration"]["id"] for i in got] == [late["id"], soon["id"], later["id"]]
    for item, birth in zip(got, (born, today - dt.timedelta(days=80),
                                 today - dt.timedelta(days=5)), strict=True):
        deadline = _plus_3_months(birth)
        assert item["deadline"] == deadline.isoformat()
        assert item["days_left"] == (deadline - today).days
        assert item["overdue"] is (deadline < today)
        assert item["pre_registration"]["status"] == "paid"
    assert [i["overdue"] for i in got] == [True, False, False]

    # a page at a time, the same order
    first = clerk.get(URL, params={"region": REGION, "per_page": 1}).json()
    assert first["total"] == page["total"] and len(first["items"]) == 1
    assert first["items"][0]["pre_registration"]["id"] == page["items"][0]["pre_registration"]["id"]
    # another city's list does not hold them
    assert not _mine(clerk.get(URL, params={"region": "450200", "per_page": 200}).json(), ids)
    # auditors see the parent's number masked
    seen = _mine(auditor.get(URL, params={"region": REGION, "per_page": 200}).json(), ids)
    assert all("*" in i["pre_registration"]["parent_id_number"] for i in seen)

    baby = new_id(REGION, birth=born, sex="female")
    done = clerk.post(f"/api/v1/pre-registrations/{late['id']}/convert", json={"id_number": baby})
    assert done.status_code == 200, done.text
    again = _mine(clerk.get(URL, params={"region": REGION, "per_page": 200}).json(), ids)
    assert [i["pre_registration"]["id"] for i in again] == [soon["id"], later["id"]]


def test_bad_filters_are_refused(clerk: httpx.Client, anon: httpx.Client) -> None:
    assert_error(clerk.get(URL, params={"region": "4508"}), 422)
    assert_error(clerk.get(URL, params={"region": "999999"}), 422, "unknown_region")
    assert_error(anon.get(URL), 401)
