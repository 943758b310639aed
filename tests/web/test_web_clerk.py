"""Clerk console in the browser: login before any form, register → record a payment →
records with no ID number in any address, search by part of an ID number or a name,
special groups and history on the person page, one audit row per view, the dashboard,
newborn pre-registration, back-payment applications, and what an auditor sees."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from yibao.idcard import make_id_number

pytestmark = pytest.mark.browser

GANGBEI = "450802"
ID_IN_URL = re.compile(r"\d{17}[\dXx]")


def watch_urls(page: Any) -> list[str]:
    """Every address the page navigates to (to check that no ID number is in one)."""
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    page.on("request", lambda request: seen.append(request.url))
    return seen


def register(page: Any, base: str, number: str, name: str, region: str = GANGBEI) -> str:
    """Register through the form; returns the person page's address."""
    page.goto(base + "/clerk/persons/new")
    page.fill("#f-id_number", number)
    page.fill("#f-name", name)
    page.select_option("#f-region", region)
    page.click("#person-submit")
    page.wait_for_url(re.compile(r".*/clerk/persons/\d+\?done=registered$"))
    return str(page.url.split("?")[0])


def test_login_comes_before_any_form(server: str, desktop: Any, login: Any, shoot: Any) -> None:
    for path in ("/clerk/persons/new", "/clerk/payments/new", "/clerk/households/new",
                 "/clerk/preregistrations", "/clerk/applications", "/clerk/audit", "/clerk"):
        desktop.goto(server + path)
        assert "/clerk/login" in desktop.url, path
        assert desktop.locator("main form input[name=id_number]").count() == 0, path
    desktop.goto(server + "/clerk/persons/new")
    desktop.fill("#f-username", "clerk1")
    desktop.fill("#f-password", "wrong")
    desktop.click("#login-submit")
    assert "用户名或密码错误" in desktop.inner_text("#err-password")
    shoot(desktop, "clerk-login-error-desktop")
    desktop.fill("#f-username", "clerk1")
    desktop.fill("#f-password", "correct-horse-battery")
    desktop.click("#login-submit")
    desktop.wait_for_url(server + "/clerk/persons/new")  # back where the clerk wanted to go
    assert desktop.locator("#person-form").count() == 1


def test_register_record_payment_no_id_number_in_any_address(
    server: str, desktop: Any, login: Any, shoot: Any
) -> None:
    page = desktop
    urls = watch_urls(page)
    login(page, server)
    rid = make_id_number(GANGBEI, date(1985, 7, 9), 21, "female")
    page.goto(server + "/clerk/persons/new")
    shoot(page, "clerk-register-desktop")
    person_url = register(page, server, rid, "韦秀梅")
    assert "韦秀梅" in page.inner_text("#person-name")
    page.click("#record-payment")
    page.wait_for_selector("#payment-form")
    assert page.input_value("#f-id_number") == rid
    assert page.locator("#history-unknown").is_visible()  # registered without history
    assert page.locator("#f-covered_years").count() == 0  # the form never asks for history
    page.fill("#f-coverage_year", "2025")
    page.select_option("#f-channel", "tax_hall")
    page.fill("#f-channel_txn_id", "WEB-TEST-0001")
    page.fill("#f-amount", "400.00")
    page.fill("#f-paid_at", "2024-11-20")
    shoot(page, "clerk-payment-form-desktop")
    page.click("#payment-submit")
    page.wait_for_selector("#payment-done")
    assert page.inner_text("#paid-amount") == "¥400.00"
    assert page.inner_text("#done-benefit-start") == "2025-01-01"
    assert "金额相符" in page.inner_text("#paid-settlement")
    shoot(page, "clerk-payment-recorded-desktop")
    page.click("#open-person")
    page.wait_for_url(person_url)
    assert "WEB-TEST-0001" in page.inner_text("#payments")
    assert "办税服务厅" in page.inner_text("#payments")
    assert "已缴费" in page.inner_text("#enrollments")
    shoot(page, "clerk-person-desktop")
    page.goto(server + "/clerk/persons")
    page.fill("#f-q", rid)  # a whole number opens the person, by row id
    page.click("#find-submit")
    page.wait_for_url(person_url)
    assert not [u for u in urls if ID_IN_URL.search(u)], urls


def test_payment_form_shows_registry_history(server: str, desktop: Any, login: Any,
                                             shoot: Any) -> None:
    page = desktop
    login(page, server)
    rid = make_id_number("450202", date(1979, 3, 4), 33, "male")
    page.goto(server + "/clerk/persons/new")
    page.fill("#f-id_number", rid)
    page.fill("#f-name", "蒙志强")
    page.select_option("#f-region", "450202")
    page.check("#f-history-years")
    page.fill("#f-covered_years", "2020、2021、2022")
    page.click("#person-submit")
    page.wait_for_url(re.compile(r".*/clerk/persons/\d+\?done=registered$"))
    assert "2020、2021、2022" in page.inner_text("#history")
    page.click("#record-payment")
    page.fill("#f-coverage_year", "2025")
    page.fill("#f-paid_at", "2024-12-03")
    page.fill("#f-channel_txn_id", "WEB-HIST-0001")
    page.fill("#f-amount", "400.00")
    page.click("#payment-submit")
    page.wait_for_selector("#payment-done")
    assert page.inner_text("#done-benefit-start") == "2025-05-01"  # lapsed 2023-2024: 3 + 1
    # the reason beside the date, as the answer gave it when the payment fixed the cover
    assert page.inner_text("#done-start-reason") == (
        "断保2年（2023、2024年度），等待期4个月（固定3个月＋断保1个月），从2025年1月1日起算")
    page.click("#open-person")
    page.click("#record-payment")
    text = page.inner_text("#registry-history")
    assert "2025-05-01" not in text  # the form's year defaults to the one being collected
    # the lapse and its years are the answer's, beside the date (no page counts years)
    reason = page.inner_text("#registry-history #start-reason")
    assert "断保" in reason and "年度" in reason and page.locator("#next-step").count() == 1
    shoot(page, "clerk-payment-form-history-desktop")


def test_payment_errors_next_to_fields_in_words(server: str, phone: Any, login: Any,
                                                shoot: Any) -> None:
    login(phone, server)
    phone.goto(server + "/clerk/payments/new")
    phone.fill("#f-id_number", "450802198507090000")
    phone.fill("#f-channel_txn_id", "WEB-TEST-BAD")
    phone.fill("#f-amount", "400.00")
    phone.click("#payment-submit")
    phone.wait_for_selector(".error")
    assert phone.locator("#err-id_number").count() == 1
    shoot(phone, "clerk-payment-error-phone")


def test_find_by_part_of_an_id_number_or_a_name(server: str, phone: Any, login: Any,
                                                shoot: Any) -> None:
    login(phone, server)
    rid = make_id_number(GANGBEI, date(1960, 2, 2), 40, "male")
    person_url = register(phone, server, rid, "覃建国")
    for q in ("覃建国", rid[6:14], rid[-4:]):
        phone.goto(server + "/clerk/persons")
        phone.fill("#f-q", q)
        phone.click("#find-submit")
        assert "覃建国" in phone.inner_text("#find-results"), q
    phone.click("#find-results a:has-text('覃建国')")
    phone.wait_for_url(person_url)
    shoot(phone, "clerk-person-phone")
    phone.goto(server + "/clerk/persons/new")
    phone.fill("#f-id_number", rid)
    phone.fill("#f-name", "覃建国")
    phone.select_option("#f-region", GANGBEI)
    phone.click("#person-submit")
    assert "已登记" in phone.inner_text("#err-id_number")  # 409 in words on the form


def test_special_groups_and_history_on_the_person_page(
    server: str, desktop: Any, login: Any, shoot: Any
) -> None:
    login(desktop, server)
    rid = make_id_number(GANGBEI, date(1950, 6, 6), 41, "female")
    register(desktop, server, rid, "黄玉兰")
    desktop.click("#groups summary")
    desktop.select_option("#f-group", "tekun")
    desktop.fill("#f-valid_from", "2024-01-01")
    desktop.fill("#f-source", "港北区民政局认定")
    desktop.click("#group-submit")
    desktop.wait_for_selector("#done")
    groups = desktop.inner_text("#groups")
    assert "特困人员" in groups and "tekun" not in groups and "至今" in groups
    desktop.fill("#groups input[name=valid_to]", "2025-12-31")
    desktop.click("#groups form.mini button")
    desktop.wait_for_selector("#done")
    assert "2024-01-01 – 2025-12-31" in desktop.inner_text("#groups")
    desktop.click("#history summary")
    desktop.fill("#history-form #f-covered_years", "2021, 2022")
    desktop.fill("#history-form #f-source", "原参保地证明")
    desktop.click("#history-submit")
    desktop.wait_for_selector("#done")
    assert "2021、2022" in desktop.inner_text("#history")
    shoot(desktop, "clerk-person-groups-desktop")


def test_one_audit_row_per_view_and_no_audit_section_for_clerks(
    server: str, desktop: Any, login: Any, staff_api: Any
) -> None:
    login(desktop, server)
    rid = make_id_number(GANGBEI, date(1988, 12, 12), 77, "female")
    person_url = register(desktop, server, rid, "陆芳")
    person_id = person_url.rsplit("/", 1)[1]
    assert desktop.locator("#audit").count() == 0  # clerks do not read the audit log
    assert "无权" not in desktop.inner_text("main")
    admin = staff_api("admin1")

    def reads() -> int:
        got = admin.get("/api/v1/audit", params={"entity": "person", "entity_id": person_id,
                                                 "action": "read_id_number"}).json()
        return int(got["total"])

    before = reads()
    desktop.goto(person_url)
    assert reads() == before + 1


def test_auditor_navigation_links_and_trail(
    server: str, desktop: Any, phone: Any, login: Any, shoot: Any
) -> None:
    login(desktop, server)
    rid = make_id_number(GANGBEI, date(1977, 1, 17), 91, "male")
    person_url = register(desktop, server, rid, "莫志明")
    login(phone, server, "auditor1")
    urls = watch_urls(phone)
    assert "操作记录" in phone.inner_text("header nav")
    for href in ("/clerk/persons/new", "/clerk/payments/new", "/clerk/households/new"):
        assert phone.locator(f"header nav a[href='{href}']").count() == 0
    phone.goto(server + "/clerk/persons")
    phone.fill("#f-q", rid[-4:])
    phone.click("#find-submit")
    results = phone.inner_text("#find-results")
    assert "莫志明" in results and rid not in results and "********" in results
    phone.click("#find-results a:has-text('莫志明')")
    phone.wait_for_url(person_url)
    assert "新建" in phone.inner_text("#audit")  # the registration, in words
    shoot(phone, "clerk-person-auditor-phone")
    phone.goto(server + "/clerk/persons")
    phone.fill("#f-q", rid[6:14])  # the masked digits cannot be searched
    phone.click("#find-submit")
    assert "莫志明" not in phone.inner_text("main")
    phone.goto(server + "/clerk/persons/new")
    assert phone.locator("#not-for-role").count() == 1
    phone.goto(server + "/clerk/audit")
    assert phone.locator("#audit-table tbody tr").count() >= 1
    shoot(phone, "clerk-audit-log-phone")
    assert not [u for u in urls if ID_IN_URL.search(u)], urls


def test_dashboard_opens_on_a_year_with_data(
    server: str, desktop: Any, login: Any, staff_api: Any, shoot: Any
) -> None:
    from yibao.services.common import today_beijing
    from yibao.web.forms import default_coverage_year

    login(desktop, server)
    years = staff_api("clerk1").get("/api/v1/counts").json()["years"]
    default = default_coverage_year(today_beijing())
    desktop.goto(server + "/clerk")
    heading = desktop.inner_text("h1")
    if years:
        expected = default if default in years else max(years)
        assert str(expected) in heading
        assert desktop.locator("#county-table tbody tr").count() >= 1
    shoot(desktop, "clerk-dashboard-desktop")
    desktop.goto(server + "/clerk?year=2025")
    assert int(desktop.inner_text("#kpi-payments")) >= 1
    assert desktop.locator("#chart-county rect").count() >= 2


def test_newborn_preregistration(server: str, desktop: Any, login: Any, shoot: Any) -> None:
    login(desktop, server)
    desktop.goto(server + "/clerk/preregistrations")
    desktop.fill("#f-newborn_name", "黄小宝")
    desktop.fill("#f-birth_date", date.today().isoformat())
    desktop.check("input[name=sex][value=male]")
    desktop.select_option("#f-region", GANGBEI)
    desktop.fill("#f-birth_hospital", "贵港市人民医院")
    desktop.fill("#f-parent_id_number", make_id_number(GANGBEI, date(1995, 4, 4), 8, "female"))
    desktop.fill("#f-parent_name", "黄丽")
    desktop.click("#prereg-form button[type=submit]")
    desktop.wait_for_url(server + "/clerk/preregistrations?done=1")
    listing = desktop.inner_text("#prereg-list")
    assert "黄小宝" in listing and "已预登记，待缴费" in listing
    shoot(desktop, "clerk-preregistrations-desktop")


def test_back_payment_application(server: str, desktop: Any, login: Any, shoot: Any) -> None:
    login(desktop, server, "admin1")
    rid = make_id_number(GANGBEI, date(1970, 8, 8), 60, "male")
    register(desktop, server, rid, "梁志强")
    desktop.goto(server + "/clerk/applications")
    desktop.fill("#app-form #f-id_number", rid)
    desktop.fill("#f-years", "2023, 2024")
    desktop.check("input[name=materials][value=back_payment_form]")
    desktop.click("#app-form button[type=submit]")
    desktop.wait_for_url(server + "/clerk/applications?done=1")
    listing = desktop.inner_text("#app-list")
    assert rid in listing and "基本医疗保险补缴申报表" in listing
    assert "back_payment_form" not in listing and "employer_not_enrolled" not in listing
    shoot(desktop, "clerk-applications-desktop")
