"""Clerk console in the browser: login → register → record a payment → records, plus
newborn pre-registration, back-payment applications and the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yibao.idcard import make_id_number

pytestmark = pytest.mark.browser

GANGBEI = "450802"


def test_login_register_record_payment(server: str, desktop: Any, login: Any, shoot: Any) -> None:
    page = desktop
    page.goto(server + "/clerk")
    page.wait_for_url(server + "/clerk/login?next=/clerk")
    page.fill("#f-username", "clerk1")
    page.fill("#f-password", "wrong")
    page.click("#login-submit")
    assert page.locator("#err-password").count() == 1
    shoot(page, "clerk-login-error-desktop")
    login(page, server)
    shoot(page, "clerk-dashboard-empty-desktop")

    rid = make_id_number(GANGBEI, date(1985, 7, 9), 21, "female")
    page.goto(server + "/clerk/persons/new")
    page.fill("#f-id_number", rid)
    page.fill("#f-name", "韦秀梅")
    page.select_option("#f-region", GANGBEI)
    shoot(page, "clerk-register-desktop")
    page.click("#person-submit")
    page.wait_for_url(f"{server}/clerk/persons/{rid}?done=registered")
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
    shoot(page, "clerk-payment-recorded-desktop")

    page.goto(f"{server}/clerk/persons?q={rid}")
    page.wait_for_url(f"{server}/clerk/persons/{rid}")
    assert "WEB-TEST-0001" in page.inner_text("#payments")
    assert "2025" in page.inner_text("#enrollments")
    shoot(page, "clerk-person-desktop")

    page.goto(server + "/clerk?year=2025")
    assert int(page.inner_text("#kpi-payments")) >= 1
    assert "港北区" in page.inner_text("#county-table")
    assert page.locator("#chart-county rect").count() >= 2
    shoot(page, "clerk-dashboard-desktop")


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
    page.wait_for_url(f"{server}/clerk/persons/{rid}?done=registered")
    assert "2020、2021、2022" in page.inner_text("#history")
    page.goto(f"{server}/clerk/payments/new?id_number={rid}")
    page.fill("#f-coverage_year", "2025")
    page.fill("#f-paid_at", "2024-12-03")
    page.fill("#f-channel_txn_id", "WEB-HIST-0001")
    page.fill("#f-amount", "400.00")
    page.click("#payment-submit")
    page.wait_for_selector("#payment-done")
    assert page.inner_text("#done-benefit-start") == "2025-05-01"  # lapsed 2023-2024: 3 + 1
    page.goto(f"{server}/clerk/payments/new?id_number={rid}")
    text = page.inner_text("#registry-history")
    assert "2023–2024" in text and "2025-05-01" not in text  # form year defaults to now
    shoot(page, "clerk-payment-form-history-desktop")


def test_payment_errors_next_to_fields(server: str, phone: Any, login: Any, shoot: Any) -> None:
    login(phone, server)
    phone.goto(server + "/clerk/payments/new")
    phone.fill("#f-id_number", "450802198507090000")
    phone.fill("#f-channel_txn_id", "WEB-TEST-BAD")
    phone.fill("#f-amount", "400.00")
    phone.click("#payment-submit")
    phone.wait_for_selector(".error")
    assert phone.locator("#err-id_number").count() == 1
    shoot(phone, "clerk-payment-error-phone")


def test_find_by_name_and_unknown_id(server: str, phone: Any, login: Any, shoot: Any) -> None:
    login(phone, server)
    rid = make_id_number(GANGBEI, date(1960, 2, 2), 40, "male")
    phone.goto(server + "/clerk/persons/new")
    phone.fill("#f-id_number", rid)
    phone.fill("#f-name", "覃建国")
    phone.select_option("#f-region", GANGBEI)
    phone.click("#person-submit")
    phone.wait_for_url(f"{server}/clerk/persons/{rid}?done=registered")
    phone.goto(server + "/clerk/persons")
    phone.fill("#f-q", "覃建国")
    phone.click("#find-submit")
    assert "覃建国" in phone.inner_text("#find-results")
    shoot(phone, "clerk-find-phone")
    phone.goto(server + "/clerk/persons/new")
    phone.fill("#f-id_number", rid)
    phone.fill("#f-name", "覃建国")
    phone.select_option("#f-region", GANGBEI)
    phone.click("#person-submit")
    assert phone.locator(".error").count() == 1  # already registered: 409 shown on the form


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
    assert "黄小宝" in desktop.inner_text("#prereg-list")
    shoot(desktop, "clerk-preregistrations-desktop")


def test_back_payment_application(server: str, desktop: Any, login: Any, shoot: Any) -> None:
    login(desktop, server, "admin1")
    rid = make_id_number(GANGBEI, date(1970, 8, 8), 60, "male")
    desktop.goto(server + "/clerk/persons/new")
    desktop.fill("#f-id_number", rid)
    desktop.fill("#f-name", "梁志强")
    desktop.select_option("#f-region", GANGBEI)
    desktop.click("#person-submit")
    desktop.goto(server + "/clerk/applications")
    desktop.fill("#app-form #f-id_number", rid)
    desktop.fill("#f-years", "2023, 2024")
    desktop.check("input[name=materials][value=back_payment_form]")
    desktop.click("#app-form button[type=submit]")
    desktop.wait_for_url(server + "/clerk/applications?done=1")
    assert rid in desktop.inner_text("#app-list")
    shoot(desktop, "clerk-applications-desktop")


def test_auditor_sees_audit_trail(server: str, desktop: Any, login: Any) -> None:
    login(desktop, server)
    rid = make_id_number(GANGBEI, date(1988, 12, 12), 77, "female")
    desktop.goto(server + "/clerk/persons/new")
    desktop.fill("#f-id_number", rid)
    desktop.fill("#f-name", "陆芳")
    desktop.select_option("#f-region", GANGBEI)
    desktop.click("#person-submit")
    desktop.wait_for_url(f"{server}/clerk/persons/{rid}?done=registered")
    assert desktop.locator("#audit-denied").count() == 1  # clerks may not read the audit log
    desktop.click("#logout")
    login(desktop, server, "admin1")
    desktop.goto(f"{server}/clerk/persons/{rid}")
    assert "create" in desktop.inner_text("#audit")
