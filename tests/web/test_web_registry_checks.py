"""Issue 18's registry pieces in the console and the look-up, in process on a fresh SQLite
registry: status changes recorded and withdrawn on the person page, 参保范围 refusals and
notes on the register form, continuous years on the person page and ``/lookup`` (the
engine's count from the registry's history), newborns due for the hukou conversion."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from yibao.idcard import make_id_number
from yibao.server import create_app
from yibao.services.common import Actor, today_beijing
from yibao.services.registry.continuity import person_continuity
from yibao.services.staff.users import create_user
from yibao.settings import Settings
from yibao.store.db import Database
from yibao.store.migrate import upgrade

PASSWORD = "registry-pass-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_serial = iter(range(100, 499))


def _number(region: str = "450802", birth: dt.date = dt.date(1980, 1, 1), sex: str = "male"
            ) -> str:
    return make_id_number(region, birth, next(_serial), sex)  # type: ignore[arg-type]


class Console:
    def __init__(self, client: TestClient, db: Database, api_token: str) -> None:
        self.client, self.db, self.api = client, db, {"Authorization": f"Bearer {api_token}"}

    def token(self, path: str) -> str:
        found = _CSRF.search(self.client.get(path).text)
        assert found, path
        return found.group(1)

    def post(self, path: str, form_page: str, **data: str) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token(form_page)})

    def register(self, **data: str) -> Any:
        return self.post("/clerk/persons/new", "/clerk/persons/new",
                         **{"name": "韦测", "region": "450802", "history": "unknown", **data})


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    url = f"sqlite:///{tmp_path_factory.mktemp('registry18') / 'yibao.sqlite3'}"
    upgrade(url)
    db = Database(url)
    create_user(db, "r-clerk", "clerk", PASSWORD)
    app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48)), db=db)
    with TestClient(app, follow_redirects=False) as client:
        token = client.post("/api/v1/auth/token", data={"username": "r-clerk",
                                                         "password": PASSWORD}).json()
        out = Console(client, db, token["access_token"])
        r = out.post("/clerk/login", "/clerk/login", username="r-clerk", password=PASSWORD,
                     next="/clerk")
        assert r.status_code == 303, r.text
        yield out
    db.dispose()


def test_status_changes_are_recorded_and_withdrawn_on_the_person_page(console: Console) -> None:
    r = console.register(id_number=_number())
    person = r.headers["location"].split("?")[0]
    page = console.client.get(person).text
    assert 'id="status-form"' in page and "没有登记身份变化" in page
    r = console.post(f"{person}/status-changes", person, kind="discharged_veteran",
                     date="2099-01-01", source="退役证明")
    assert r.status_code == 422 and 'id="err-date"' in r.text and "晚于今天" in r.text
    r = console.post(f"{person}/status-changes", person, kind="discharged_veteran",
                     date="2025-03-10", source="退役证明")
    assert r.status_code == 303 and "done=status-recorded" in r.headers["location"]
    page = console.client.get(r.headers["location"]).text
    assert 'id="done-status"' in page and "退役士兵" in page and "2025-03-10" in page
    change = re.search(r'/status-changes/(\d+)/withdraw', page)
    assert change
    r = console.post(f"{person}/status-changes/{change.group(1)}/withdraw", person, reason="")
    assert r.status_code == 422 and 'id="err-reason"' in r.text
    r = console.post(f"{person}/status-changes/{change.group(1)}/withdraw", person,
                     reason="日期登记错误")
    assert r.status_code == 303 and "done=status-withdrawn" in r.headers["location"]
    page = console.client.get(person).text
    assert "已撤回" in page and "日期登记错误" in page
    assert "discharged_veteran" not in re.sub(r"<[^>]+>", "", page)  # words, not codes


def test_the_register_form_refuses_in_words_and_passes_on_what_to_check(
        console: Console) -> None:
    r = console.register(id_number=_number(), employee_insurance="1")
    assert r.status_code == 422 and 'id="err-employee_insurance"' in r.text
    assert "灵活就业人员" in r.text and "参保范围" in r.text
    r = console.register(id_number=_number("430102"), hukou_region="430102")
    assert r.status_code == 422 and 'id="err-hukou_region"' in r.text
    r = console.register(id_number=_number(), employee_insurance="1",
                         eligibility_category="flexible_employment")
    assert r.status_code == 303 and "notes=flexible_choice" in r.headers["location"]
    page = console.client.get(r.headers["location"]).text
    assert 'id="eligibility-notes"' in page and "不要重复参保" in page
    assert "灵活就业人员" in page  # the category that admitted the person
    r = console.register(id_number=_number("450103"), hukou_region="450103",
                         student_at="450804")
    assert r.status_code == 303


def test_continuous_years_from_the_registry(console: Console) -> None:
    r = console.register(id_number=_number(), history="years",
                         covered_years="2022, 2023, 2024, 2025, 2026")
    person_id = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    counted = person_continuity(console.db, Actor("r-clerk", "clerk"), person_id,
                                today=dt.date(2026, 12, 6))
    assert counted.history_known
    # counted from 2025 (C36): 2025 and 2026 declared, 2027 if paid on 2026-12-06 (on time)
    assert [(y.coverage_year, y.basis, y.continuous_years) for y in counted.years] == [
        (2026, "declared", 2), (2027, "if_paid", 3)]
    cover = counted.years[1].catastrophic_cover
    assert cover is not None and cover.rise_from_year == 2029 and cover.base_cap is None
    assert "原封顶线未公布" in cover.text
    unknown = console.register(id_number=_number())
    page = console.client.get(unknown.headers["location"]).text
    assert 'id="continuity"' in page and 'id="continuity-unknown"' in page
    page = console.client.get(r.headers["location"]).text
    assert 'id="continuity"' in page and "连续参保" in page and 'id="continuity-unknown"' not in page


def test_the_look_up_shows_continuous_years(console: Console) -> None:
    number = _number()
    console.register(id_number=number, name="韦连续", history="years",
                     covered_years="2023, 2024, 2025")
    r = console.client.post("/lookup", data={"id_number": number, "name": "韦连续"})
    assert r.status_code == 200 and 'id="lookup-result"' in r.text
    assert 'id="continuity"' in r.text and "连续参保" in r.text


def test_newborns_due_for_the_hukou_conversion_are_listed(console: Console) -> None:
    today = today_beijing()
    born = today - dt.timedelta(days=20)
    made = console.client.post("/api/v1/pre-registrations", headers=console.api, json={
        "newborn_name": "落户宝", "birth_date": born.isoformat(), "sex": "female",
        "region": "450802", "birth_hospital": "港北区人民医院",
        "parent_id_number": _number(), "parent_name": "家长"})
    assert made.status_code == 201, made.text
    paid = console.client.post("/api/v1/payments", headers=console.api, json={
        "pre_registration_id": made.json()["id"], "coverage_year": today.year,
        "channel": "tax12366_wechat", "channel_txn_id": f"WEB18-{made.json()['id']}",
        "amount": "400.00", "paid_at": today.isoformat()})
    assert paid.status_code == 201, paid.text
    assert 'id="conversions-link"' in console.client.get("/clerk/preregistrations").text
    page = console.client.get("/clerk/preregistrations/conversions").text
    assert 'id="conversions"' in page and "落户宝" in page
    assert "《贵港市2021年度城乡居民医保参保缴费指南》" in page
    assert "还有" in page  # inside the window: days left, not overdue
