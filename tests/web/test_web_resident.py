"""Resident pages in the browser: quote (on time, lapsed, newborns, special groups, a
payment that buys no cover), the form's checks, the language toggle, where to pay; the
answer's head (next step, total, date) the same on ``/``, ``/lookup`` and ``/plan`` as in
the API's answer (contract §2.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yibao.idcard import make_id_number

pytestmark = pytest.mark.browser

GANGBEI = "450802"  # 贵港市港北区
CHENGZHONG = "450202"  # 柳州市城中区


def quote(page: Any, base: str, *, folded: bool = False, **fields: Any) -> None:
    """Fill ``/`` and submit; the answer's details are opened unless ``folded``."""
    page.goto(base + "/")
    if "id_number" in fields:
        page.fill("#f-id_number", fields["id_number"])
    if "region" in fields:
        page.select_option("#f-region", fields["region"])
    page.fill("#f-coverage_year", fields["coverage_year"])
    page.fill("#f-payment_date", fields["payment_date"])
    fill_history(page, **fields)
    page.click("#submit-quote")
    page.wait_for_load_state()
    if not folded and page.locator("#details").count():
        page.click("#details summary")


def fill_history(page: Any, **fields: Any) -> None:
    """The form's history, groups and back-pay questions (shared by ``/`` and ``/plan``)."""
    if "birth_date" in fields:
        page.fill("#f-birth_date", fields["birth_date"])
    if "last_paid_year" in fields:
        page.check("input[name=insured_last_year][value=no]")
        page.fill("#f-last_paid_year", fields["last_paid_year"])
    if "special_group" in fields or "back_pay" in fields:
        page.click("details.more summary")
    if "special_group" in fields:
        page.select_option("#f-special_group", fields["special_group"])
    back = fields.get("back_pay", [])
    for year in [back] if isinstance(back, str) else back:
        page.check(f"input[name=back_pay_years][value='{year}']")


def test_on_time_payer(server: str, phone: Any, shoot: Any) -> None:
    rid = make_id_number(GANGBEI, date(1980, 5, 1), 10, "male")
    quote(phone, server, id_number=rid, coverage_year="2025", payment_date="2024-11-15")
    assert phone.inner_text("#total-due") == "¥400.00"
    assert phone.inner_text("#benefit-start") == "2025-01-01"
    assert phone.locator("#start-reason").count() == 0  # cover from Jan 1 needs no reason
    assert "2024年12月31日前为2025年度缴费" in phone.inner_text("#next-step")
    assert "2025年1月1日" in phone.inner_text("#explanation")
    assert phone.locator("#timeline rect.tl-cover").count() == 1
    assert phone.locator("#timeline rect.tl-wait").count() == 0
    shoot(phone, "resident-on-time-phone")


def test_lapsed_payer_shows_amount_start_explanation_timeline(
    server: str, phone: Any, desktop: Any, shoot: Any
) -> None:
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        quote(page, server, region=GANGBEI, coverage_year="2025", payment_date="2025-03-15",
              last_paid_year="2022")
        assert page.inner_text("#total-due") == "¥400.00"
        assert page.inner_text("#benefit-start") == "2025-07-15"
        reason = page.inner_text("#start-reason")  # the reason beside the date
        assert "断保2年" in reason and "等待期4个月" in reason and "断保1个月" in reason
        assert "同时补缴2024年度" in page.inner_text("#next-step")  # 1 month earlier
        assert page.locator("#timeline rect.tl-lapse").count() == 2
        assert page.locator("#timeline rect.tl-wait").count() == 1
        assert page.locator("#timeline rect.tl-cover").count() == 1
        assert page.locator("#warnings li").count() >= 1
        assert page.locator("#rules li").count() >= 1
        notes = page.inner_text("#notes")  # a Guigang resident: no Liuzhou news item cited
        assert "《2025广西柳州居民医保断缴怎么补交》" not in notes and "yibao" not in notes
        assert "本地未见公布的文件，按通行做法确定" in notes
        shoot(page, f"resident-lapsed-{name}")


def test_newborn_paid_after_july_within_window(server: str, phone: Any, shoot: Any) -> None:
    rid = make_id_number(GANGBEI, date(2025, 6, 20), 3, "female")
    quote(phone, server, id_number=rid, coverage_year="2025", payment_date="2025-08-01")
    assert phone.inner_text("#total-due") == "¥400.00"
    assert phone.inner_text("#benefit-start") == "2025-06-20"
    assert "出生之日起" in phone.inner_text("#start-reason")
    assert "2025年9月20日前为2025年度缴费" in phone.inner_text("#next-step")  # the window
    assert phone.locator("#timeline circle.tl-birth").count() == 1
    deadline = phone.inner_text("#newborn-deadline")
    assert "2025-09-20" in deadline and "在期限内" in deadline
    assert "其他个人证件" in phone.inner_text("#prereg-hint")
    shoot(phone, "resident-newborn-phone")


def test_newborn_paying_six_months_after_birth_is_not_told_the_share_alone(
    server: str, phone: Any, shoot: Any
) -> None:
    """Seed 000 四.2: past the 3 months and after June 30, the subsidy is added."""
    rid = make_id_number(GANGBEI, date(2021, 1, 10), 3, "female")
    quote(phone, server, id_number=rid, coverage_year="2021", payment_date="2021-07-15")
    page = phone.inner_text("#result")
    assert "（含最后一天）缴费，只缴个人部分" not in page  # the general text is not a promise
    assert "须加缴财政补助" in phone.inner_text("#explanation")
    assert phone.inner_text("#amount-due") == "暂未公布"  # Guigang 2021's subsidy: 金额待定
    deadline = phone.inner_text("#newborn-deadline")
    assert "2021-04-10" in deadline and "已超过" in deadline
    assert phone.inner_text("#benefit-start") == "2021-08-01"
    shoot(phone, "resident-newborn-late-phone")


def test_newborn_back_paying_the_birth_year_is_covered_from_birth(
    server: str, desktop: Any, shoot: Any
) -> None:
    """Seed 000 四.4: the birth year back-paid → cover from the birth date that year."""
    rid = make_id_number(CHENGZHONG, date(2024, 11, 20), 3, "female")
    quote(desktop, server, id_number=rid, coverage_year="2025", payment_date="2025-01-10",
          back_pay="2024")
    assert desktop.inner_text("#benefit-start") == "2025-01-01"
    assert "2024-11-20" in desktop.inner_text("#birth-year-start")
    assert desktop.inner_text("#total-due") == "¥780.00"  # 400 + the birth year's 380
    assert "出生当年自2024年11月20日起" in desktop.inner_text("#notes")
    shoot(desktop, "resident-newborn-birth-year-desktop")


def test_tekun_pays_nothing_and_is_not_told_to_pay_the_share(
    server: str, phone: Any, shoot: Any
) -> None:
    quote(phone, server, region=CHENGZHONG, coverage_year="2025", payment_date="2025-03-10",
          special_group="tekun")
    assert phone.inner_text("#total-due") == "医疗救助全额资助，无需缴费"  # never "owes 0.00"
    assert "0.00" not in phone.inner_text("#lead")
    assert "个人无需缴费" in phone.inner_text("#next-step")
    assert phone.inner_text("#amount-due") == "医疗救助全额资助"
    breakdown = phone.inner_text("#breakdown")
    assert "-" not in breakdown and "医疗救助代缴" in breakdown and "¥400.00" in breakdown
    assert "只需缴纳个人缴费部分" not in phone.inner_text("#result")
    assert "全额资助" in phone.inner_text("#explanation")
    shoot(phone, "resident-tekun-phone")


def test_dibao_assistance_is_unpublished_not_zero(server: str, phone: Any) -> None:
    quote(phone, server, region=CHENGZHONG, coverage_year="2025", payment_date="2025-03-10",
          special_group="dibao")
    assert phone.inner_text("#amount-due") == "暂未公布"
    row = phone.locator("#breakdown tr", has_text="医疗救助代缴").inner_text()
    assert "暂未公布" in row and "0.00" not in row
    assert "低保对象" in phone.inner_text("#missing")


def test_a_payment_that_buys_no_cover_says_so_before_sending_to_pay(
    server: str, phone: Any, shoot: Any
) -> None:
    """Last insured 2005: 3 + 18 months from 2025-03-01 end on 2026-12-01; 2026's period
    opens on 2025-09-01, so the head says to wait for it and pay for 2026 then."""
    quote(phone, server, region=CHENGZHONG, coverage_year="2025", payment_date="2025-03-01",
          last_paid_year="2005")
    step = phone.inner_text("#next-step")
    assert "2025年度内已享受不到待遇" in step and "2025年9月1日至2025年12月31日" in step
    assert "为2026年度缴费" in step
    assert "2026年12月1日才满" in phone.inner_text("#explanation")
    assert phone.inner_text("#this-year-start") == "本年度无待遇"
    shoot(phone, "resident-no-cover-phone")


def test_form_checks_speak_in_words(server: str, phone: Any, shoot: Any) -> None:
    quote(phone, server, region=GANGBEI, coverage_year="1800", payment_date="2025-03-01")
    assert "1800" in phone.inner_text("#err-coverage_year")
    assert phone.locator("#result").count() == 0
    shoot(phone, "resident-bad-year-phone")
    phone.goto(server + "/")
    phone.select_option("#f-region", GANGBEI)
    phone.fill("#f-coverage_year", "2025")
    phone.click("#f-payment_date")
    phone.keyboard.press("Control+a")
    phone.keyboard.type("02302025")  # February 30: the browser cannot hold it
    phone.click("#submit-quote")
    assert "这个日期不存在" in phone.inner_text("#err-payment_date")
    assert phone.locator("#result").count() == 0
    quote(phone, server, region=GANGBEI, coverage_year="2021", payment_date="2023-02-03")
    assert "这一年度已经结束" in phone.inner_text("#err-payment_date")


def test_id_number_with_spaces_is_cleaned(server: str, phone: Any) -> None:
    rid = make_id_number(GANGBEI, date(1980, 5, 1), 10, "male")
    spaced = f"{rid[:6]} {rid[6:14]} {rid[14:]}"
    quote(phone, server, id_number=spaced, coverage_year="2025", payment_date="2024-11-15")
    assert phone.inner_text("#total-due") == "¥400.00"
    assert phone.input_value("#f-id_number") == rid


def test_bad_id_number_is_shown_next_to_the_field(server: str, phone: Any, shoot: Any) -> None:
    good = make_id_number(GANGBEI, date(1990, 1, 1), 5, "male")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    quote(phone, server, id_number=bad, coverage_year="2025", payment_date="2025-03-15")
    error = phone.locator("#err-id_number")
    assert "校验码" in error.inner_text()
    assert phone.get_attribute("#f-id_number", "aria-invalid") == "true"
    assert phone.locator("#result").count() == 0
    shoot(phone, "resident-bad-id-phone")


def test_switching_language_keeps_the_answer(server: str, desktop: Any, shoot: Any) -> None:
    quote(desktop, server, region=GANGBEI, coverage_year="2025", payment_date="2025-03-15",
          last_paid_year="2022")
    assert desktop.inner_text("#benefit-start") == "2025-07-15"
    desktop.click("#lang-toggle")
    desktop.wait_for_selector("#result")
    assert "What do I owe" in desktop.inner_text("h1")
    assert desktop.inner_text("#benefit-start") == "2025-07-15"
    assert "a wait of 4 months" in desktop.inner_text("#start-reason")
    assert "Pay for 2025" in desktop.inner_text("#next-step")
    shoot(desktop, "resident-lapsed-en-desktop")
    desktop.goto(server + "/plan")  # the choice is remembered
    assert "If I pay on this day" in desktop.inner_text("h1")
    desktop.click("#lang-toggle")
    assert "哪天缴费" in desktop.inner_text("h1")


def test_labels_and_keyboard(server: str, desktop: Any) -> None:
    desktop.goto(server + "/")
    for field in desktop.locator("#quote-form input:visible, #quote-form select").all():
        ident = field.get_attribute("id")
        if ident:
            assert desktop.locator(f"label[for='{ident}']").count() == 1, ident
    desktop.focus("#f-id_number")
    desktop.keyboard.type(make_id_number(GANGBEI, date(1975, 3, 3), 7, "female"))
    desktop.focus("#f-coverage_year")
    desktop.keyboard.press("Enter")  # submits the form
    desktop.wait_for_selector("#total-due")


def test_landing_says_until_when_the_collection_runs(server: str, phone: Any) -> None:
    from yibao.services.common import today_beijing

    today = today_beijing()
    phone.goto(server + "/")
    season = phone.inner_text("#season")
    if 9 <= today.month <= 12:  # Guangxi's concentrated period (policy data)
        assert f"{today.year}-12-31" in season and str(today.year + 1) in season
    else:
        assert f"{today.year}-09-01" in season


def test_where_to_pay_speaks_chinese_and_keeps_guigang_to_guigang(
    server: str, phone: Any, desktop: Any, shoot: Any
) -> None:
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        page.goto(server + "/pay")
        page.select_option("#f-region", GANGBEI)
        page.click("#pay-form button")
        page.wait_for_selector("#region-label")
        assert "港北区" in page.inner_text("#region-label")
        contacts = page.inner_text("#contacts")
        assert "0775-4259717" in contacts and "0775-4586063" in contacts
        assert page.locator("#contacts a[href='tel:0775-4259717']").count() == 1
        assert "广西税务12366" in page.inner_text("#channels-online")
        assert "工商银行移动POS机" in page.inner_text("#channels-offline")
        text = page.inner_text("main")
        assert "adds that" not in text and "seed" not in text
        shoot(page, f"pay-guigang-{name}")
    phone.goto(server + "/pay?region=450202")
    assert "移动POS机" in phone.inner_text("#channels-offline")
    assert "贵港" not in phone.inner_text("#channels-offline")
    shoot(phone, "pay-liuzhou-phone")


def test_unknown_addresses_and_api_reference_work_offline(
    server: str, desktop: Any, shoot: Any
) -> None:
    response = desktop.goto(server + "/no-such-page")
    assert response is not None and response.status == 404
    assert "找不到这个页面" in desktop.inner_text("h1")
    api = desktop.request.get(server + "/api/v1/no-such-thing")
    assert api.status == 404 and api.json()["error"]["code"] == "not_found"
    desktop.goto(server + "/docs")  # every request off 127.0.0.1 is blocked in these tests
    desktop.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert desktop.locator(".swagger-ui .opblock").count() > 10
    shoot(desktop, "api-docs-desktop")


# --- issue 15's two "Why" cases: one answer on every resident page --------------------

WHY = {
    # Liuzhou, last insured 2020, paid 2024-12-03 for 2025 with 2023 and 2024 back-paid:
    # cover 2025-07-01 either way (the 6-month floor), so the back-pay buys nothing
    "liuzhou": ({"region": CHENGZHONG, "coverage_year": "2025", "payment_date": "2024-12-03",
                 "last_paid_year": "2020", "back_pay": ["2023", "2024"]},
                {"region": CHENGZHONG, "coverage_year": 2025, "payment_date": "2024-12-03",
                 "covered_years": [2020], "back_pay_years": [2023, 2024]}),
    # Guigang, born 1985, paid 2024, skipped 2025, asking about 2026 on 2026-12-06: 2026
    # buys nothing, 2027's concentrated period is open — pay for 2027 by 2026-12-31
    "guigang": ({"region": GANGBEI, "coverage_year": "2026", "payment_date": "2026-12-06",
                 "last_paid_year": "2024", "birth_date": "1985-05-01"},
                {"region": GANGBEI, "coverage_year": 2026, "payment_date": "2026-12-06",
                 "birth_date": "1985-05-01", "covered_years": [2024]}),
}
PHONE_ANSWER_MAX_PX = 900  # the answer's height on a 412-px phone (3,226 px page before)


def api_answer(base: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    answer = httpx.post(base + "/api/v1/quote", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def head_of(result: dict[str, Any]) -> tuple[str, str, str]:
    """What a resident reads first, from the API's answer: the next step, the total and
    the first day of cover (next year's, as advised, when this year's buys nothing)."""
    from yibao.web.plain import zh_punct

    step = result["next_step"]
    this_year = step["code"] in ("pay_this_year", "nothing_to_pay")
    total = result["total_due"] if this_year else step["total_due"]
    start = result["benefit_start"] if this_year else step["benefit_start"]
    if step["code"] == "nothing_to_pay" and total in (None, "0.00"):
        total_words = "医疗救助全额资助，无需缴费"
    else:
        total_words = f"¥{total}" if total is not None else "暂未公布"
    return (zh_punct(step["text"]), total_words,
            start or f"{step['coverage_year']}年度无待遇")


def read_head(page: Any) -> tuple[str, str, str]:
    return (page.inner_text("#next-step"), page.inner_text("#total-due"),
            page.inner_text("#benefit-start"))


def plan_page(page: Any, base: str, **fields: Any) -> None:
    page.goto(base + "/plan")
    page.select_option("#f-region", fields["region"])
    page.fill("#f-coverage_year", fields["coverage_year"])
    page.fill("#f-payment_date", fields["payment_date"])
    fill_history(page, **fields)
    page.select_option("#f-months", "1")
    page.click("#submit-plan")
    page.wait_for_selector("#plan-table")


@pytest.mark.parametrize("case", sorted(WHY))
def test_the_why_cases_read_the_same_on_the_front_page_and_the_planner(
    server: str, phone: Any, desktop: Any, shoot: Any, case: str
) -> None:
    fields, body = WHY[case]
    result = api_answer(server, body)
    expected = head_of(result)
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        quote(page, server, folded=True, **fields)
        assert read_head(page) == expected, size
        shoot(page, f"why-{case}-front-{size}")
        if size == "phone":
            height = page.locator("#result").bounding_box()["height"]
            assert height < PHONE_ANSWER_MAX_PX, height
        plan_page(page, server, **fields)
        assert read_head(page) == expected, size
        first_row = page.locator("#plan-table tbody tr").first.inner_text()
        assert (result["benefit_start"] or "本年度无待遇") in first_row  # the same day's row
    if case == "liuzhou":
        assert expected[1] == "¥1200.00" and expected[2] == "2025-07-01"
        assert "¥400.00" in phone.inner_text("#advised-total")  # 2025 alone, as advised
        assert "补缴2023、2024年度不能让待遇提前" in expected[0]
        assert "back_pay_no_effect" in result["warning_codes"]
    else:
        step = result["next_step"]
        assert (step["code"], step["coverage_year"], step["pay_by"]) == (
            "pay_next_year", 2027, "2026-12-31")
        assert "2026年12月31日前为2027年度缴费" in expected[0]
        assert "2025年度为400元/人，仅供参考" in phone.inner_text("#lead")


@pytest.mark.parametrize("case", sorted(WHY))
def test_the_why_cases_read_the_same_in_the_look_up_as_on_the_pages(
    server: str, phone: Any, desktop: Any, staff_api: Any, shoot: Any, case: str
) -> None:
    """A registered resident with the case's history, looked up today: the look-up's head
    is the answer for paying today, and ``/`` and ``/plan`` give the same for that day."""
    from yibao.services.common import today_beijing

    fields, body = WHY[case]
    today = today_beijing()
    last = int(fields["last_paid_year"])
    birth = date(1985, 5, 1) if case == "guigang" else date(1979, 8, 8)
    number = make_id_number(str(body["region"]), birth, 150 if case == "guigang" else 151,
                            "female")
    made = staff_api("clerk1").post("/api/v1/persons", json={
        "id_number": number, "name": "韦秀梅", "region": body["region"],
        "covered_years": list(range(last - 4, last + 1))})
    assert made.status_code == 201, made.text
    today_body = {"region": body["region"], "coverage_year": today.year,
                  "payment_date": today.isoformat(), "id_number": number,
                  "covered_years": list(range(last - 4, last + 1))}
    expected = head_of(api_answer(server, today_body))
    today_fields = {**fields, "coverage_year": str(today.year),
                    "payment_date": today.isoformat(), "back_pay": []}
    today_fields.pop("birth_date", None)
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        page.goto(server + "/lookup")
        page.fill("#f-id_number", number)
        page.fill("#f-name", "韦秀梅")
        page.click("#lookup-submit")
        page.wait_for_selector("#lookup-result")
        assert read_head(page) == expected, size
        shoot(page, f"why-{case}-lookup-{size}")
        quote(page, server, folded=True, id_number=number,
              **{k: v for k, v in today_fields.items() if k != "region"})
        assert read_head(page) == expected, size
        plan_page(page, server, **today_fields)
        assert read_head(page) == expected, size
