"""The console's person page and payment receipts say what the answer says (issue 15): the
head (next step, total, date and its reason) as ``GET /api/v1/persons/{id}/quote`` answers
for today, an underpayment's shortfall and what to do, a fully assisted year as paid by
medical assistance (never 0.00 owed), the reason beside a later first day of cover, and —
where a payment buys no cover that year — the next step on the receipt.

In process (the app of ``yibao serve``) on a fresh SQLite registry; the browser suite and
the cross-surface test read the same pages through Chromium.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from yibao.idcard import make_id_number
from yibao.services.common import today_beijing
from yibao.web.plain import zh_punct

PASSWORD = "console-answers-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_serial = iter(range(100, 500))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from yibao.server import create_app
    from yibao.services.staff.users import create_user
    from yibao.settings import Settings
    from yibao.store.db import Database
    from yibao.store.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('answers') / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    create_user(db, "a-clerk", "clerk", PASSWORD)
    application = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)),
                             db=db)
    with TestClient(application, follow_redirects=False) as client:
        token = client.post("/api/v1/auth/token", data={"username": "a-clerk",
                                                        "password": PASSWORD}).json()
        page = client.get("/clerk/login").text
        found = _CSRF.search(page)
        assert found
        done = client.post("/clerk/login", data={"username": "a-clerk", "password": PASSWORD,
                                                 "csrf_token": found.group(1), "next": "/clerk"})
        assert done.status_code == 303
        yield client, {"Authorization": f"Bearer {token['access_token']}"}
    db.dispose()


def _text(html: str, ident: str) -> str | None:
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</(?:p|span|div|li|dd|strong)>', html, re.S)
    return None if found is None else unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _register(client: TestClient, headers: dict[str, str], region: str, birth: dt.date,
              covered: list[int] | None, group: str | None = None) -> tuple[str, int]:
    number = make_id_number(region, birth, next(_serial), "female")
    body: dict[str, Any] = {"id_number": number, "name": "蒙丽娟", "region": region}
    if covered is not None:
        body["covered_years"] = covered
    got = client.post("/api/v1/persons", json=body, headers=headers)
    assert got.status_code == 201, got.text
    if group:
        got = client.post(f"/api/v1/persons/{number}/special-groups", headers=headers,
                          json={"group": group, "valid_from": "2020-01-01", "source": "民政认定"})
        assert got.status_code == 201, got.text
    return number, int(client.get(f"/api/v1/persons/{number}", headers=headers).json()["id"])


def _record(client: TestClient, number: str, year: int, amount: str, day: str,
            txn: str) -> str:
    page = client.get("/clerk/payments/new").text
    found = _CSRF.search(page)
    assert found
    got = client.post("/clerk/payments/new", data={
        "csrf_token": found.group(1), "id_number": number, "coverage_year": str(year),
        "channel": "tax_hall", "channel_txn_id": txn, "amount": amount, "paid_at": day})
    assert got.status_code == 200, got.text[:400]
    return got.text


def test_an_underpayment_shows_the_shortfall_and_what_to_do(
        app: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = app
    number, row = _register(client, headers, "450202", dt.date(1979, 3, 4), [2020, 2021, 2022])
    receipt = _record(client, number, 2025, "300.00", "2024-12-03", "ANS-UNDER")
    assert _text(receipt, "done-owed") == (
        "2025年度少缴¥100.00（应缴¥400.00，已缴¥300.00）：请补缴差额¥100.00，"
        "待遇开始日（2025-05-01）不变。")
    assert _text(receipt, "done-benefit-start") == "2025-05-01"
    assert _text(receipt, "done-start-reason") == (
        "断保2年（2023、2024年度），等待期4个月（固定3个月＋断保1个月），从2025年1月1日起算")
    person = client.get(f"/clerk/persons/{row}").text
    now = person[person.find('id="now"'):person.find("</section>", person.find('id="now"'))]
    assert "2025年度少缴¥100.00" in (_text(now, "owed-1") or "")  # first, before the head
    assert now.find('id="owed-1"') < now.find('id="lead"')
    assert "还差 ¥100.00" in re.sub(r"<[^>]+>", "", person)  # in the enrollments table too


def test_the_person_page_leads_with_the_answer_for_today(
        app: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = app
    today = today_beijing()
    number, row = _register(client, headers, "450802", dt.date(1985, 7, 9),
                            [today.year - 3, today.year - 2])  # lapsed last year
    person = client.get(f"/clerk/persons/{row}").text
    from yibao.quoting.season import season

    s = season(today, "450802")
    q = client.get(f"/api/v1/persons/{number}/quote", headers=headers, params={
        "coverage_year": s.in_force, "payment_date": today.isoformat()}).json()
    step = q["next_step"]
    later = step["code"] not in ("pay_this_year", "nothing_to_pay")
    source = step if later else q
    assert _text(person, "next-step") == zh_punct(step["text"])
    assert _text(person, "benefit-start") == (source["benefit_start"]
                                              or f"{step['coverage_year']}年度无待遇")
    reason = source.get("benefit_start_reason")
    assert _text(person, "start-reason") == (zh_punct(reason["text"]) if reason else None)
    total = source["total_due"]
    assert _text(person, "total-due") == (f"¥{total}" if total else "暂未公布")
    assert f'id="year-{s.in_force}"' in person
    assert "pay_next_year" not in re.sub(r'data-state="[^"]*"', "", person)  # words, not codes


def test_a_fully_assisted_year_is_paid_by_medical_assistance(
        app: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = app
    today = today_beijing()
    number, row = _register(client, headers, "450802", dt.date(1950, 1, 9),
                            [today.year - 2, today.year - 1], group="tekun")
    receipt = _record(client, number, today.year, "0.00", f"{today.year - 1}-11-15", "ANS-ZERO")
    assert _text(receipt, "paid-amount") == "医疗救助全额资助参保，个人无需缴费"
    assert _text(receipt, "done-summary") == (
        f"{today.year}年度由医疗救助全额资助参保，待遇从 {today.year}-01-01 起。")
    person = client.get(f"/clerk/persons/{row}").text
    year = re.search(rf'id="year-{today.year}"[^>]*>(.*?)</li>', person, re.S)
    assert year is not None
    words = re.sub(r"<[^>]+>", "", year.group(1))
    assert "医疗救助全额资助" in words and "¥0.00" not in words
    assert "医疗救助全额资助" in re.sub(r"<[^>]+>", "", person[person.find('id="enrollments"'):])


def test_a_payment_that_buys_no_cover_shows_the_next_step_on_the_receipt(
        app: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = app
    number, _ = _register(client, headers, "450802", dt.date(1985, 7, 9), [2021])
    receipt = _record(client, number, 2024, "380.00", "2024-11-20", "ANS-NOCOVER")
    assert _text(receipt, "done-benefit-start") == "暂无待遇"
    step = _text(receipt, "done-next-step")
    q = client.get(f"/api/v1/persons/{number}/quote", headers=headers, params={
        "coverage_year": 2024, "payment_date": "2024-11-20"}).json()
    assert step == zh_punct(q["next_step"]["text"]) and "2025年度" in (step or "")
