"""The report page of the clerk console in the browser: a city's counties with their
counts and chart, drilling down to a county, the English mode, the CSV download, a year
without policy data in words, and accessibility."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from yibao.idcard import make_id_number

from .quality import assert_accessible, assert_plain

pytestmark = pytest.mark.browser

BINYANG = "450126"  # 宾阳县, Nanning: no other browser test registers anyone there


def _registry(staff_api: Any) -> None:
    clerk = staff_api("clerk1")
    numbers = [make_id_number(BINYANG, date(1970 + i, 3, 4), 470 + i, "male") for i in range(3)]
    for n in numbers:
        r = clerk.post("/api/v1/persons", json={"id_number": n, "name": "报表", "region": BINYANG,
                                                 "covered_years": [2023, 2024]})
        assert r.status_code in (201, 409), r.text
    r = clerk.post("/api/v1/payments", json={
        "id_number": numbers[0], "coverage_year": 2025, "channel": "tax12366_wechat",
        "channel_txn_id": "WEB-RPT-1", "amount": "400.00", "paid_at": "2024-10-08"})
    assert r.status_code in (200, 201), r.text


def test_report_page_drills_down_and_downloads(
    server: str, desktop: Any, login: Any, staff_api: Any, shoot: Any
) -> None:
    _registry(staff_api)
    login(desktop, server)
    desktop.click("text=统计报表")
    desktop.wait_for_url(server + "/clerk/reports")
    desktop.fill("#f-year", "2025")
    desktop.select_option("#f-region", "450100")
    desktop.click("#report-submit")
    desktop.wait_for_url(f"{server}/clerk/reports?year=2025&region=450100")
    row = desktop.locator("#report-table tbody tr", has_text="宾阳县")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:5] == ["3", "1", "33.3%", "100.0%"]
    assert desktop.locator("#chart-report rect").count() >= 1
    assert_plain(desktop, "zh")
    assert_accessible(desktop)
    shoot(desktop, "clerk-reports-city")

    with desktop.expect_download() as dl:
        desktop.click("#report-csv")
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Chinese Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == ["层级", "区划代码", "地区", "登记人数", "已缴费", "缴费率"]
    assert rows[0][-1] == "已收金额（元）"  # yuan, as the CLI writes; no column in fen
    binyang = next(r for r in rows if r[2] == "宾阳县")
    assert binyang[:6] == ["县（市、区）", "450126", "宾阳县", "3", "1", "0.3333"]
    assert binyang[-1] == "400.00"

    desktop.click("#report-table a:has-text('宾阳县')")
    desktop.wait_for_url(f"{server}/clerk/reports?year=2025&region={BINYANG}")
    assert desktop.inner_text("#kpi-registered") == "3"
    assert "南宁市" in desktop.inner_text("#report-trail")
    assert desktop.input_value("#f-region") == BINYANG  # the selector offers counties too
    desktop.select_option("#f-region", "450100")
    desktop.click("#report-submit")
    desktop.wait_for_url(f"{server}/clerk/reports?year=2025&region=450100")

    desktop.goto(f"{server}/clerk/reports?year=2025&region=450100&lang=en")
    assert "report" in desktop.inner_text("h1")
    with desktop.expect_download() as dl:
        desktop.click("#report-csv")
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Level", "Code", "Region"] and rows[0][-1] == "Collected (yuan)"
    assert next(r for r in rows if r[1] == BINYANG)[:5] == ["county", "450126", "宾阳县", "3", "1"]
    assert_plain(desktop, "en")
    assert_accessible(desktop)
    shoot(desktop, "clerk-reports-city-en")


def test_a_year_without_policy_is_said_in_words(
    server: str, phone: Any, login: Any
) -> None:
    login(phone, server)
    response = phone.goto(f"{server}/clerk/reports?year=2019")
    assert response.status == 422
    assert "没有2019年度的政策数据" in phone.inner_text("#report-error")
    assert_plain(phone, "zh")
    assert_accessible(phone)
    assert httpx.get(f"{server}/clerk/reports.csv?year=2025", follow_redirects=False
                     ).status_code == 303  # no login, no file
