"""The console in a browser under staff scope (contract §6): a city's clerk finds and
opens only the city's residents; an auditor's search table shows masked numbers with the
birth year only; an admin approves a clerk's reversal from the approvals page with the
evidence in view; everyone changes their own password. A server of its own (accounts
limited to a city), real Chromium.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from yibao.idcard import mask_id_number
from yibao.local_server import running_server

from ..cli_runner import yibao
from ..conftest import LOG_DIR
from ..service.helpers import new_id
from .conftest import PASSWORD
from .quality import assert_accessible, assert_plain

pytestmark = pytest.mark.browser
ACCOUNTS = (("gg-clerk", "clerk", "450800"), ("lz-clerk", "clerk", "450200"),
            ("gg-auditor", "auditor", "450800"), ("gx-admin", "admin", "450000"),
            ("pw-clerk", "clerk", "450800"))


@pytest.fixture(scope="module")
def site(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("yibao-web-scope")
    changes = {"YIBAO_DATABASE_URL": f"sqlite:///{work / 'yibao.db'}",
               "YIBAO_SECRET_KEY": secrets.token_urlsafe(48)}
    env = {**os.environ, **changes}

    def cli(*args: str, stdin: str | None = None) -> str:
        """``yibao ARGS`` in process (no start-up of a process per command)."""
        done = yibao(*args, input=stdin, env=changes, cwd=work)
        assert done.exit_code == 0, done.output
        return str(done.stdout)

    cli("db", "upgrade")
    for user, role, region in ACCOUNTS:
        cli("user", "add", user, "--role", role, "--region", region, "--password-stdin",
            stdin=PASSWORD + "\n")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (LOG_DIR / f"web-scope-{os.getpid()}.log").open("a") as log, running_server(
            ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}", "--access-log"],
            env=env, cwd=work, log=log) as base:
        people: dict[str, dict[str, Any]] = {}
        for user, county, name in (("gg-clerk", "450802", "黄范围"), ("lz-clerk", "450202",
                                                                     "蓝别处")):
            token = httpx.post(base + "/api/v1/auth/token", data={
                "username": user, "password": PASSWORD}).json()["access_token"]
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                              timeout=60) as c:
                number = new_id(county)
                made = c.post("/api/v1/persons", json={"id_number": number, "name": name,
                                                       "region": county,
                                                       "covered_years": [2023, 2024]})
                assert made.status_code == 201, made.text
                paid = c.post("/api/v1/payments", json={
                    "id_number": number, "coverage_year": 2025, "channel": "tax_hall",
                    "channel_txn_id": f"WS{secrets.token_hex(5)}", "amount": "400.00",
                    "paid_at": "2024-11-20"}).json()
                people[user] = {"number": number, "name": name, "id": made.json()["id"],
                                "payment": paid["payment"], "enrollment": paid["enrollment"],
                                "token": token}
        yield {"base": base, "people": people}


def test_a_city_clerk_finds_and_opens_only_the_city(site: dict[str, Any], desktop: Any,
                                                    login: Any, shoot: Any) -> None:
    base, gg, lz = site["base"], site["people"]["gg-clerk"], site["people"]["lz-clerk"]
    login(desktop, base, "gg-clerk")
    assert "城中区" not in desktop.inner_text("main")
    desktop.click("nav >> text=查找")
    desktop.fill("#f-q", lz["name"])
    with desktop.expect_navigation():
        desktop.click("#find-submit")
    assert lz["number"] not in desktop.content()
    assert desktop.locator(f'a[href="/clerk/persons/{lz["id"]}"]').count() == 0
    desktop.fill("#f-q", gg["name"])
    with desktop.expect_navigation():
        desktop.click("#find-submit")
    assert gg["number"] in desktop.content()
    response = desktop.goto(base + f"/clerk/persons/{lz['id']}")
    assert response is not None and response.status == 404
    assert lz["name"] not in desktop.content() and "未找到" in desktop.inner_text("main")
    assert_plain(desktop, "zh")
    assert_accessible(desktop)
    shoot(desktop, "clerk-out-of-scope-desktop")


def test_the_auditors_search_table_shows_the_birth_year_only(site: dict[str, Any], phone: Any,
                                                             login: Any, shoot: Any) -> None:
    base, gg = site["base"], site["people"]["gg-clerk"]
    number = gg["number"]
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    login(phone, base, "gg-auditor")
    phone.goto(base + "/clerk/persons")
    phone.fill("#f-q", gg["name"])
    with phone.expect_navigation():
        phone.click("#find-submit")
    text = phone.inner_text("main")
    assert mask_id_number(number) in text or phone.url.endswith(f"/clerk/persons/{gg['id']}")
    assert born not in phone.content() and number not in phone.content()
    assert number[6:10] in text
    phone.goto(base + f"/clerk/persons/{gg['id']}")
    assert born not in phone.content() and number[6:10] in phone.inner_text("main")
    assert_accessible(phone)
    shoot(phone, "auditor-masked-birth-phone")


def test_an_admin_approves_a_clerks_reversal(site: dict[str, Any], desktop: Any, login: Any,
                                             shoot: Any) -> None:
    base, gg = site["base"], site["people"]["gg-clerk"]
    reference = f"CH-{secrets.token_hex(4)}"
    asked = httpx.post(base + f"/api/v1/payments/{gg['payment']['id']}/reversals",
                       headers={"Authorization": f"Bearer {gg['token']}"},
                       json={"kind": "reversal", "reference": reference,
                             "reason": "渠道报冲正：重复扣款"})
    assert asked.status_code == 202, asked.text
    rid = asked.json()["reversal"]["id"]
    login(desktop, base, "gx-admin")
    desktop.click("nav >> text=待审批")
    desktop.wait_for_url(base + "/clerk/approvals")
    row = desktop.locator(f"#approval-{rid}")
    for evidence in (reference, "渠道报冲正：重复扣款", gg["payment"]["channel_txn_id"],
                     "gg-clerk", "2025-01-01", gg["name"], "¥400.00", "2024-11-20"):
        assert evidence in row.inner_text(), evidence
    assert_plain(desktop, "zh")
    assert_accessible(desktop)
    shoot(desktop, "admin-approvals-desktop")
    row.locator(f"#note-{rid}").fill("已核对渠道冲正单")
    row.locator("button[value=approve]").click()
    desktop.wait_for_url(base + "/clerk/approvals?done=approve")
    assert "已批准" in desktop.inner_text("#approval-done")
    assert desktop.locator(f"#approval-{rid}").count() == 0
    enrollment = httpx.get(base + f"/api/v1/enrollments/{gg['enrollment']['id']}",
                           headers={"Authorization": f"Bearer {gg['token']}"}).json()
    assert enrollment["status"] == "cancelled" and enrollment["benefit_start"] is None


def test_a_clerk_changes_their_password(site: dict[str, Any], phone: Any, login: Any,
                                        shoot: Any) -> None:
    base = site["base"]
    login(phone, base, "pw-clerk")
    phone.click("nav >> text=修改密码")
    phone.wait_for_url(base + "/clerk/password")
    phone.fill("#f-current_password", PASSWORD)
    phone.fill("#f-new_password", "a-new-pass-for-pw-31")
    phone.fill("#f-repeat_password", "a-new-pass-for-pw-31")
    phone.click("#password-submit")
    phone.wait_for_url(base + "/clerk/password?done=1")
    assert "密码已修改" in phone.inner_text("#password-done")
    assert_accessible(phone)
    shoot(phone, "clerk-password-phone")
    old = httpx.post(base + "/api/v1/auth/token", data={"username": "pw-clerk",
                                                        "password": PASSWORD})
    new = httpx.post(base + "/api/v1/auth/token", data={"username": "pw-clerk",
                                                        "password": "a-new-pass-for-pw-31"})
    assert old.status_code == 401 and new.status_code == 200
