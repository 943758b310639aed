"""Quality gates on every page, in both languages (on a phone's screen):

- axe-core (tests/web/vendor/axe.min.js): no serious or critical violation;
- plain language: no rule ID, convention number, snake_case name or file name on screen,
  and English mode fully English (Chinese only in elements marked ``lang="zh-CN"``:
  names, addresses, the sources' own words).

Each Chinese page is also saved as a screenshot per width (``quality-<page>-<phone|desktop>.png``;
the desktop picture is the same document, laid out on a wider screen).
``/docs`` (Swagger UI, a developer tool shipped as it is) is checked only for working
offline (test_web_resident.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, PASSWORD, PHONE, shot
from tests.web.quality import assert_accessible, assert_plain
from yibao.idcard import make_id_number

pytestmark = pytest.mark.browser

CHENGZHONG = "450202"
Visit = Callable[[Any, str, dict[str, str]], None]


@pytest.fixture(scope="module")
def records(staff_api: Any) -> dict[str, str]:
    """A resident with a household, a special group, a payment and an application."""
    clerk, admin = staff_api("clerk1"), staff_api("admin1")
    head = make_id_number(CHENGZHONG, date(1966, 3, 8), 451, "female")
    child = make_id_number(CHENGZHONG, date(2008, 5, 20), 452, "male")
    people = {}
    for number, name, years in ((head, "潘美玲", [2021, 2022]), (child, "潘宇", None)):
        body: dict[str, Any] = {"id_number": number, "name": name, "region": CHENGZHONG}
        if years is not None:
            body["covered_years"] = years
        made = clerk.post("/api/v1/persons", json=body)
        assert made.status_code == 201, made.text
        people[name] = str(made.json()["id"])
    clerk.post("/api/v1/households", json={"region": CHENGZHONG, "head_id_number": head,
                                           "member_id_numbers": [head, child]})
    clerk.post(f"/api/v1/persons/{head}/special-groups", json={
        "group": "dibao", "valid_from": "2024-01-01", "source": "城中区民政局"})
    paid = clerk.post("/api/v1/payments", json={
        "id_number": head, "coverage_year": 2025, "channel": "bank_counter",
        "channel_txn_id": "QUALITY-1", "amount": "400.00", "paid_at": "2025-02-10"})
    assert paid.status_code == 201, paid.text
    app = admin.post("/api/v1/back-payment-applications", json={
        "id_number": child, "type": "flexible_employment_unpaid", "submitted_via": "window",
        "years": [2024], "materials": {"back_payment_form": True}})
    assert app.status_code == 201, app.text
    return {"head": head, "head_id": people["潘美玲"], "child": child}


#: (server, user) → the console's session cookies of a login through the login page, so
#: each user logs in once per server and the other pages' contexts carry the cookies
_SESSIONS: dict[tuple[str, str], list[Any]] = {}


def _login(page: Any, base: str, user: str) -> None:
    cookies = _SESSIONS.get((base, user))
    if cookies:
        page.context.add_cookies(cookies)
        return
    page.goto(base + "/clerk/login")
    page.fill("#f-username", user)
    page.fill("#f-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(base + "/clerk")
    _SESSIONS[(base, user)] = [c for c in page.context.cookies() if c["name"] != "yibao_lang"]


def _go(path: str, user: str = "") -> Visit:
    def visit(page: Any, base: str, _r: dict[str, str]) -> None:
        if user:
            _login(page, base, user)
        page.goto(base + path.format(**_r))

    return visit


def _quote(**fields: str) -> Visit:
    def visit(page: Any, base: str, _r: dict[str, str]) -> None:
        page.goto(base + "/")
        page.select_option("#f-region", fields["region"])
        page.fill("#f-coverage_year", fields["year"])
        page.fill("#f-payment_date", fields["paid"])
        if fields.get("last"):
            page.check("input[name=insured_last_year][value=no]")
            page.fill("#f-last_paid_year", fields["last"])
        if fields.get("group"):
            page.click("details.more summary")
            page.select_option("#f-special_group", fields["group"])
        page.click("#submit-quote")
        page.wait_for_selector("#result")
        page.click("#details summary")  # the answer's folded details, rules included

    return visit


def _plan(page: Any, base: str, _r: dict[str, str]) -> None:
    page.goto(base + "/plan")
    page.select_option("#f-region", CHENGZHONG)
    page.fill("#f-coverage_year", "2025")
    page.fill("#f-payment_date", "2024-11-01")
    page.check("input[name=insured_last_year][value=no]")
    page.fill("#f-last_paid_year", "2020")
    page.click("#submit-plan")
    page.wait_for_selector("#plan-table")


def _lookup(name_key: str, name: str) -> Visit:
    def visit(page: Any, base: str, r: dict[str, str]) -> None:
        page.goto(base + "/lookup")
        page.fill("#f-id_number", r[name_key])
        page.fill("#f-name", name)
        page.click("#lookup-submit")
        page.wait_for_load_state()

    return visit


def _find(page: Any, base: str, r: dict[str, str]) -> None:
    _login(page, base, "clerk1")
    page.goto(base + "/clerk/persons")
    page.fill("#f-q", "潘")
    page.click("#find-submit")
    page.wait_for_selector("#find-results")


def _payment_done(page: Any, base: str, r: dict[str, str]) -> None:
    _login(page, base, "clerk1")
    page.goto(base + f"/clerk/payments/new?person={r['head_id']}")
    page.fill("#f-coverage_year", "2025")
    page.fill("#f-channel_txn_id", "QUALITY-2-" + page.viewport_size["width"].__str__()
              + page.evaluate("document.documentElement.lang"))
    page.fill("#f-amount", "400.00")
    page.fill("#f-paid_at", "2025-03-01")
    page.click("#payment-submit")
    page.wait_for_selector("#payment-done, #second-payment")
    if page.locator("#second-payment").count():  # the year is paid (an earlier width): confirm
        page.check("#f-confirm_second")
        page.click("#payment-submit")
    page.wait_for_selector("#payment-done")


PAGES: dict[str, Visit] = {
    "home": _go("/"),
    "quote-lapsed": _quote(region=CHENGZHONG, year="2025", paid="2025-03-01", last="2020"),
    "quote-dibao": _quote(region=CHENGZHONG, year="2025", paid="2025-08-01", group="dibao"),
    "quote-guigang-2021": _quote(region="450802", year="2021", paid="2021-07-15", last="2019"),
    "plan": _plan,
    "pay": _go("/pay?region=450802"),
    "lookup": _go("/lookup"),
    "lookup-found": _lookup("head", "潘美玲"),
    "lookup-none": _lookup("child", "张三"),
    "not-found": _go("/no-such-page"),
    "login": _go("/clerk/login"),
    "dashboard": _go("/clerk?year=2025", "clerk1"),
    "find": _find,
    "person": _go("/clerk/persons/{head_id}", "clerk1"),
    "person-auditor": _go("/clerk/persons/{head_id}", "auditor1"),
    "register": _go("/clerk/persons/new", "clerk1"),
    "household": _go("/clerk/households/new", "clerk1"),
    "payment-form": _go("/clerk/payments/new?person={head_id}", "clerk1"),
    "payment-done": _payment_done,
    "preregistrations": _go("/clerk/preregistrations", "clerk1"),
    "applications": _go("/clerk/applications", "admin1"),
    "audit-log": _go("/clerk/audit", "auditor1"),
    "not-for-role": _go("/clerk/persons/new", "auditor1"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_plain_in_both_languages(
    name: str, server: str, browser: Any, records: dict[str, str]
) -> None:
    for lang in ("zh", "en"):
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        context.add_cookies([{"name": "yibao_lang", "value": lang, "url": server}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            PAGES[name](page, server, records)
            assert page.evaluate("document.documentElement.lang").startswith(lang)
            assert_plain(page, lang)
            assert_accessible(page)
            if lang == "zh":  # the same document laid out on a desktop screen: its picture
                shot(page, f"quality-{name}-phone")
                page.set_viewport_size(DESKTOP)
                shot(page, f"quality-{name}-desktop")
        finally:
            context.close()
