"""The pay-date planner in the browser: rows split where the answer changes, the repair
table explains its floor, chart labels never overlap, and twelve months answer fast."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

GANGBEI = "450802"
CHENGZHONG = "450202"


def plan(page: Any, base: str, *, region: str, year: str, first: str, months: str,
         last_paid: str = "") -> None:
    page.goto(base + "/plan")
    page.select_option("#f-region", region)
    page.fill("#f-coverage_year", year)
    page.fill("#f-payment_date", first)
    if last_paid:
        page.check("input[name=insured_last_year][value=no]")
        page.fill("#f-last_paid_year", last_paid)
    page.select_option("#f-months", months)
    page.click("#submit-plan")
    page.wait_for_selector("#plan-table")


def rows(page: Any, table: str) -> list[str]:
    return [r.inner_text() for r in page.locator(f"{table} tbody tr").all()]


def test_rows_split_where_paying_after_december_delays_cover(
    server: str, phone: Any, desktop: Any, shoot: Any
) -> None:
    """Guigang 2021 (old regime): the concentrated period gives Jan 1; from Jan 1 the
    1st of the next month, so 2020-11-15 … 2021-06-30 is never one row."""
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        plan(page, server, region=GANGBEI, year="2021", first="2020-11-15", months="9")
        found = rows(page, "#plan-table")
        assert "2020-11-15" in found[0] and "2020-12-31" in found[0] and "2021-01-01" in found[0]
        assert "集中期内缴费" in found[0]
        assert "2021-01-31" in found[1] and "2021-02-01" in found[1]
        assert "逾期缴费次月1日" in found[1]
        assert any("暂未公布" in r and "2021-07-01" in r for r in found)  # July 1: subsidy
        shoot(page, f"planner-split-{name}")


def test_repair_table_explains_the_six_month_floor(
    server: str, phone: Any, desktop: Any, shoot: Any
) -> None:
    """Liuzhou 2025, lapse 2021-2024 (4 years): 3 + 3 = 6 months, the floor, so back-pay
    brings nothing sooner; the page says why."""
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        plan(page, server, region=CHENGZHONG, year="2025", first="2025-03-01", months="6",
             last_paid="2020")
        found = rows(page, "#repair-table")
        assert len(found) == 5  # none, then 1 … 4 of the lapse years
        assert all("2025-09-01" in r and "6个月" in r for r in found)
        assert "不少于6个月" in page.inner_text("#plan-result")
        assert "不再提前" in page.inner_text("#repair-floor")
        shoot(page, f"planner-repair-floor-{name}")


def test_repair_saves_days_after_a_short_lapse(server: str, desktop: Any, shoot: Any) -> None:
    plan(desktop, server, region=GANGBEI, year="2025", first="2025-03-01", months="6",
         last_paid="2021")
    found = rows(desktop, "#repair-table")
    assert len(found) == 4  # none, then 1, 2, 3 of the lapse years 2022-2024
    assert "2025-08-01" in found[0] and "2025-07-01" in found[1]
    shoot(desktop, "planner-desktop")


def test_chart_labels_do_not_overlap_on_a_phone(server: str, phone: Any, shoot: Any) -> None:
    plan(phone, server, region=CHENGZHONG, year="2025", first="2024-11-29", months="12",
         last_paid="2022")
    for chart in ("#chart-amount", "#chart-start"):
        boxes = [b for b in (t.bounding_box() for t in
                             phone.locator(f"{chart} text.xlab").all()) if b]
        assert len(boxes) >= 4
        boxes.sort(key=lambda b: b["x"])
        for a, b in itertools.pairwise(boxes):
            assert a["x"] + a["width"] <= b["x"] + 0.5, (chart, a, b)
    shoot(phone, "planner-12-months-phone")


def test_twelve_months_answer_under_100_ms(server: str) -> None:
    """The whole POST /plan for 12 months (360 payment days + the repair table), from the
    server: best of five (the machine is shared; the figure is in docs/web.md)."""
    form = {"region": CHENGZHONG, "coverage_year": "2026", "payment_date": "2025-11-01",
            "insured_last_year": "no", "last_paid_year": "2021", "months": "12"}
    timings = []
    with httpx.Client(base_url=server, timeout=30) as client:
        client.post("/plan", data=form)  # warm
        for _ in range(5):
            start = time.perf_counter()
            answer = client.post("/plan", data=form)
            timings.append(time.perf_counter() - start)
            assert answer.status_code == 200
    assert min(timings) < 0.100, timings


def test_an_unpublished_year_draws_no_empty_chart_and_names_the_reference_share(
    server: str, phone: Any, shoot: Any
) -> None:
    """Guangxi 2027's share is unpublished: no amount to draw (the chart is left out), the
    head says "暂未公布" with 2025's 400 for reference, never as the amount."""
    plan(phone, server, region=GANGBEI, year="2027", first="2026-11-01", months="1")
    assert phone.locator("#chart-amount").count() == 0
    assert phone.locator("#chart-start").count() == 1
    assert phone.inner_text("#total-due") == "暂未公布"
    assert "2025年度为400元/人，仅供参考" in phone.inner_text("#reference-share")
    assert "¥400" not in phone.inner_text("#plan-table")
    shoot(phone, "planner-unpublished-phone")
