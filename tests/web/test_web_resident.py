"""Resident pages in the browser: quote (on time, lapsed, newborn), planner, where to pay."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yibao.idcard import make_id_number

pytestmark = pytest.mark.browser

GANGBEI = "450802"  # 贵港市港北区


def quote(page: Any, base: str, **fields: str) -> None:
    page.goto(base + "/")
    if "id_number" in fields:
        page.fill("#f-id_number", fields["id_number"])
    if "region" in fields:
        page.select_option("#f-region", fields["region"])
    page.fill("#f-coverage_year", fields["coverage_year"])
    page.fill("#f-payment_date", fields["payment_date"])
    if "last_paid_year" in fields:
        page.check("input[name=insured_last_year][value=no]")
        page.fill("#f-last_paid_year", fields["last_paid_year"])
    page.click("#submit-quote")
    page.wait_for_load_state()


def test_on_time_payer(server: str, phone: Any, shoot: Any) -> None:
    rid = make_id_number(GANGBEI, date(1980, 5, 1), 10, "male")
    quote(phone, server, id_number=rid, coverage_year="2025", payment_date="2024-11-15")
    assert phone.inner_text("#amount-due") == "¥400.00"
    assert phone.inner_text("#benefit-start") == "2025-01-01"
    assert "没有等待期" in phone.inner_text("#explanation")
    assert phone.locator("#timeline rect.tl-cover").count() == 1
    assert phone.locator("#timeline rect.tl-wait").count() == 0
    shoot(phone, "resident-on-time-phone")


def test_lapsed_payer_shows_amount_start_explanation_timeline(
    server: str, phone: Any, desktop: Any, shoot: Any
) -> None:
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        quote(page, server, region=GANGBEI, coverage_year="2025", payment_date="2025-03-15",
              last_paid_year="2022")
        assert page.inner_text("#amount-due") == "¥400.00"
        assert page.inner_text("#benefit-start") == "2025-07-15"
        why = page.inner_text("#explanation")
        assert "等待期共 4 个月" in why and "断保变动 1 个月" in why
        assert page.locator("#timeline rect.tl-lapse").count() == 2
        assert page.locator("#timeline rect.tl-wait").count() == 1
        assert page.locator("#timeline rect.tl-cover").count() == 1
        assert page.locator("#warnings li").count() >= 1
        assert page.locator("#rules li").count() >= 1
        shoot(page, f"resident-lapsed-{name}")


def test_newborn_paid_after_july_within_window(server: str, phone: Any, shoot: Any) -> None:
    rid = make_id_number(GANGBEI, date(2025, 6, 20), 3, "female")
    quote(phone, server, id_number=rid, coverage_year="2025", payment_date="2025-08-01")
    assert phone.inner_text("#amount-due") == "¥400.00"
    assert phone.inner_text("#benefit-start") == "2025-06-20"
    assert phone.locator("#timeline circle.tl-birth").count() == 1
    shoot(phone, "resident-newborn-phone")


def test_bad_id_number_is_shown_next_to_the_field(server: str, phone: Any, shoot: Any) -> None:
    good = make_id_number(GANGBEI, date(1990, 1, 1), 5, "male")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    quote(phone, server, id_number=bad, coverage_year="2025", payment_date="2025-03-15")
    error = phone.locator("#err-id_number")
    assert "校验码" in error.inner_text()
    assert phone.get_attribute("#f-id_number", "aria-invalid") == "true"
    assert phone.locator("#result").count() == 0
    shoot(phone, "resident-bad-id-phone")


def test_english_toggle_and_labels(server: str, desktop: Any, shoot: Any) -> None:
    desktop.goto(server + "/")
    for field in desktop.locator("#quote-form input:visible, #quote-form select").all():
        ident = field.get_attribute("id")
        if ident:
            assert desktop.locator(f"label[for='{ident}']").count() == 1, ident
    desktop.click("#lang-toggle")
    assert "What do I owe" in desktop.inner_text("h1")
    desktop.goto(server + "/plan")  # the choice is remembered
    assert "If I pay on this day" in desktop.inner_text("h1")
    shoot(desktop, "planner-empty-en-desktop")
    desktop.click("#lang-toggle")
    assert "哪天缴费" in desktop.inner_text("h1")


def test_keyboard_only_quote(server: str, desktop: Any) -> None:
    desktop.goto(server + "/")
    desktop.focus("#f-id_number")
    desktop.keyboard.type(make_id_number(GANGBEI, date(1975, 3, 3), 7, "female"))
    desktop.focus("#f-payment_date")
    desktop.keyboard.press("Enter")  # submits the form
    desktop.wait_for_selector("#amount-due")


def test_planner_days_and_repair(server: str, phone: Any, desktop: Any, shoot: Any) -> None:
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        page.goto(server + "/plan")
        page.select_option("#f-region", GANGBEI)
        page.fill("#f-coverage_year", "2025")
        page.fill("#f-payment_date", "2025-03-01")
        page.check("input[name=insured_last_year][value=no]")
        page.fill("#f-last_paid_year", "2021")
        page.select_option("#f-months", "6")
        page.click("#submit-plan")
        page.wait_for_selector("#plan-table")
        assert page.locator("#chart-amount path.line").count() >= 1
        assert page.locator("#chart-start path.line").count() >= 1
        first = page.locator("#plan-table tbody tr").first.inner_text()
        assert "2025-03-01" in first and "400.00" in first
        rows = page.locator("#repair-table tbody tr")
        assert rows.count() == 4  # none, then 1, 2, 3 of the lapse years 2022-2024
        assert "2025-08-01" in rows.nth(0).inner_text()
        assert "2025-07-01" in rows.nth(1).inner_text()
        shoot(page, f"planner-{name}")


def test_where_to_pay_and_contacts(server: str, phone: Any, shoot: Any) -> None:
    phone.goto(server + "/pay")
    phone.select_option("#f-region", GANGBEI)
    phone.click("#pay-form button")
    phone.wait_for_selector("#region-label")
    assert "港北区" in phone.inner_text("#region-label")
    contacts = phone.inner_text("#contacts")
    assert "0775-4259717" in contacts and "0775-4586063" in contacts
    assert "广西税务12366" in phone.inner_text("#channels-online")
    shoot(phone, "pay-phone")
