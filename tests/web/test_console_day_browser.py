"""Issue 17 in the browser (a real ``yibao serve``, Chromium): a clerk's reversal from the
person page through another admin's approval, the warning before a second payment for a
paid year, a statement uploaded, checked and imported, and the audit log filtered. Every
page changed is photographed at 412x915 and 1366x900 into ``test-output/console/``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from yibao.idcard import make_id_number

from .conftest import DESKTOP, PHONE, ROOT

pytestmark = pytest.mark.browser
GANGBEI = "450802"
OUT = ROOT / "test-output" / "console"


def both(page: Any, name: str) -> None:
    """The page at phone and desktop width (then back to the context's own size)."""
    OUT.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(OUT / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def _resident(staff_api: Any, serial: int, name: str, txn: str | None) -> tuple[str, int]:
    clerk = staff_api("clerk1")
    number = make_id_number(GANGBEI, date(1969, 5, 6), serial, "female")
    made = clerk.post("/api/v1/persons", json={"id_number": number, "name": name,
                                               "region": GANGBEI,
                                               "covered_years": [2023, 2024]})
    assert made.status_code == 201, made.text
    if txn:
        paid = clerk.post("/api/v1/payments", json={
            "id_number": number, "coverage_year": 2025, "channel": "tax12366_wechat",
            "channel_txn_id": txn, "amount": "400.00", "paid_at": "2024-11-20"})
        assert paid.status_code == 201, paid.text
    return number, int(made.json()["id"])


def test_a_reversal_from_the_person_page_through_approval(
        server: str, desktop: Any, phone: Any, login: Any, staff_api: Any) -> None:
    _number, pid = _resident(staff_api, 411, "覃美玉", "B-REV-1")
    login(desktop, server)
    desktop.goto(f"{server}/clerk/persons/{pid}")
    row = desktop.locator("#payments tbody tr").first
    row.locator("summary", has_text="冲正或退费").click()
    row.locator("select[name=kind]").select_option("reversal")
    row.locator("input[name=reference]").fill("WXREV-0611")
    row.locator("input[name=reason]").fill("渠道重复扣款，已退回")
    both(desktop, "person-reversal-form")
    row.locator("button[type=submit]").click()
    desktop.wait_for_selector("#done-day")
    assert "等待另一位管理员审批" in desktop.inner_text("#done-day")
    assert "待另一位管理员审批" in desktop.inner_text("#payments")
    both(desktop, "person-reversal-pending")

    login(phone, server, "admin1")
    phone.goto(f"{server}/clerk/approvals")
    item = phone.locator("tr", has_text="WXREV-0611")
    item.locator("button[value=approve]").click()
    phone.wait_for_selector("#approval-done")

    desktop.goto(f"{server}/clerk/persons/{pid}")
    payments = desktop.inner_text("#payments")
    assert "渠道冲正 ¥400.00" in payments and "已生效" in payments
    assert "渠道重复扣款，已退回" in payments and "已全额退回" in payments
    assert "已撤销" in desktop.inner_text("#enrollments")
    both(desktop, "person-reversed")
    phone.goto(f"{server}/clerk/audit?action=reversal")
    assert "¥400.00" in phone.inner_text("#audit-table")
    both(phone, "audit-reversal")


def test_a_second_payment_for_a_paid_year_is_confirmed(
        server: str, desktop: Any, login: Any, staff_api: Any) -> None:
    _number, pid = _resident(staff_api, 412, "黄春梅", "B-2ND-1")
    login(desktop, server)
    desktop.goto(f"{server}/clerk/payments/new?person={pid}")
    desktop.fill("#f-coverage_year", "2025")
    desktop.select_option("#f-channel", "tax_hall")
    desktop.fill("#f-channel_txn_id", "B-2ND-2")
    desktop.fill("#f-amount", "400.00")
    desktop.fill("#f-paid_at", "2024-12-01")
    desktop.click("#payment-submit")
    desktop.wait_for_selector("#second-payment")
    assert "2025年度已缴费" in desktop.inner_text("#second-payment")
    assert desktop.locator("#payment-done").count() == 0
    both(desktop, "payment-second-warning")
    desktop.check("#f-confirm_second")
    desktop.click("#payment-submit")
    desktop.wait_for_selector("#payment-done")
    desktop.goto(f"{server}/clerk/payments/new?person={pid}")
    desktop.fill("#f-coverage_year", "2025")
    desktop.select_option("#f-channel", "tax_hall")
    desktop.fill("#f-channel_txn_id", "B-2ND-2")
    desktop.fill("#f-amount", "400.00")
    desktop.fill("#f-paid_at", "2024-12-01")
    desktop.click("#payment-submit")
    desktop.wait_for_selector("#payment-replayed")
    assert "该流水号已记录，未重复入账" in desktop.inner_text("#payment-replayed")
    both(desktop, "payment-replayed")


def test_a_statement_is_uploaded_checked_and_imported(
        server: str, desktop: Any, login: Any, staff_api: Any, tmp_path: Path) -> None:
    paid, _ = _resident(staff_api, 413, "莫志强", "B-REC-1")
    unpaid, unpaid_id = _resident(staff_api, 414, "陆桂兰", None)
    head = "电子税票号码,缴费人证件号码,缴费人姓名,实缴金额,缴款时间,费款所属年度,缴款状态\n"
    body = (f"B-REC-1,{paid},莫志强,400.00,2024-11-20 10:00:00,2025,已入库\n"
            f"B-REC-2,{unpaid},陆桂兰,400.00,2024-11-21 10:00:00,2025,已入库\n")
    statement = tmp_path / "税务12366对账单.csv"
    statement.write_bytes((head + body).encode("gb18030"))  # as Excel on Windows saves it
    login(desktop, server)
    desktop.goto(f"{server}/clerk/reconciliations")
    desktop.select_option("#f-channel", "tax12366_wechat")
    desktop.fill("#f-year", "2025")
    desktop.set_input_files("#f-statement", str(statement))
    both(desktop, "reconciliations-upload")
    desktop.click("#recon-check")
    desktop.wait_for_url("**done=checked**")
    counts = desktop.inner_text("#recon-counts")
    assert "渠道已收、账上没有\t1" in counts and "相符\t1" in counts
    both(desktop, "reconciliation-checked")
    desktop.click("#recon-import-submit")
    desktop.wait_for_url("**done=imported")
    assert "补记" in desktop.inner_text("#recon-done")
    assert "已补记入账\t1" in desktop.inner_text("#recon-counts")
    both(desktop, "reconciliation-imported")
    desktop.goto(f"{server}/clerk/persons/{unpaid_id}")
    assert "B-REC-2" in desktop.inner_text("#payments")


def test_the_audit_log_filtered_and_a_bad_year_beside_its_field(
        server: str, desktop: Any, login: Any) -> None:
    login(desktop, server, "admin1")
    desktop.goto(f"{server}/clerk/audit")
    assert "共" in desktop.inner_text("#audit-total")
    desktop.select_option("#f-action", "payment")
    desktop.click("#audit-filter")
    desktop.wait_for_url("**/clerk/audit?action=payment")
    both(desktop, "audit-filtered")
    for path, name in (("/clerk?year=202", "dashboard-bad-year"),
                       ("/clerk/reports?year=", "reports-empty-year"),
                       ("/clerk/audit?page=x", "audit-bad-page")):
        desktop.goto(server + path)
        assert desktop.locator(".error[role=alert]").count() >= 1, path
        assert '{"error"' not in desktop.content()
        both(desktop, name)
