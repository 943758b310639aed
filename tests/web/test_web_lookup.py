"""查询本人参保缴费 in the browser: ID number + name → the person's own status, masked;
a wrong name reads like an unknown number; the household for paying on their behalf;
every look-up audited; too many look-ups of one number → 429 in words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yibao.idcard import make_id_number, mask_id_number

pytestmark = pytest.mark.browser

CHENGZHONG = "450202"


@pytest.fixture(scope="module")
def family(staff_api: Any) -> dict[str, str]:
    """Two registered residents of one household; the mother paid the year in force."""
    from yibao.services.common import today_beijing

    clerk = staff_api("clerk1")
    year = today_beijing().year
    mother = make_id_number(CHENGZHONG, date(1986, 4, 12), 401, "female")
    son = make_id_number(CHENGZHONG, date(2012, 9, 3), 402, "male")
    for number, name in ((mother, "覃丽萍"), (son, "覃小军")):
        made = clerk.post("/api/v1/persons", json={
            "id_number": number, "name": name, "region": CHENGZHONG,
            "covered_years": list(range(2018, year))})
        assert made.status_code == 201, made.text
    house = clerk.post("/api/v1/households", json={
        "region": CHENGZHONG, "head_id_number": mother, "member_id_numbers": [mother, son]})
    assert house.status_code == 201, house.text
    paid = clerk.post("/api/v1/payments", json={
        "id_number": mother, "coverage_year": year, "channel": "tax12366_wechat",
        "channel_txn_id": "LOOKUP-1", "amount": "400.00", "paid_at": f"{year}-01-05"})
    assert paid.status_code == 201, paid.text
    return {"mother": mother, "son": son, "year": str(year)}


def look(page: Any, base: str, number: str, name: str) -> None:
    page.goto(base + "/lookup")
    page.fill("#f-id_number", number)
    page.fill("#f-name", name)
    page.click("#lookup-submit")
    page.wait_for_load_state()


def toggle(page: Any) -> None:
    with page.expect_navigation():
        page.click("#lang-toggle")


def test_own_status_masked_with_household(
    server: str, phone: Any, desktop: Any, family: dict[str, str], shoot: Any
) -> None:
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        look(page, server, family["mother"], "覃丽萍")
        result = page.inner_text("#lookup-result")
        assert "覃*萍" in result and mask_id_number(family["mother"]) in result
        assert family["mother"] not in page.content()  # never the full number
        year = page.inner_text(f"#year-{family['year']}")
        assert "已缴费" in year  # the share of the year in force: paid (pending or settled)
        household = page.inner_text("#household")
        assert "覃*军" in household and "未缴费" in household and "代他人缴费" in household
        assert "覃小军" not in page.content()
        assert page.input_value("#f-id_number") == ""  # the form does not keep the number
        shoot(page, f"lookup-found-{name}")


def test_wrong_name_reads_like_an_unknown_number(
    server: str, phone: Any, family: dict[str, str], shoot: Any
) -> None:
    look(phone, server, family["son"], "覃大军")
    wrong = phone.inner_text("#lookup-none")
    assert phone.locator("#lookup-result").count() == 0
    shoot(phone, "lookup-not-found-phone")
    unknown = make_id_number(CHENGZHONG, date(1990, 1, 1), 377, "male")
    look(phone, server, unknown, "覃大军")
    assert phone.inner_text("#lookup-none") == wrong


def test_lookups_are_audited_without_full_numbers(
    server: str, phone: Any, family: dict[str, str], staff_api: Any
) -> None:
    look(phone, server, family["son"], "覃小军")
    assert phone.locator("#lookup-result").count() == 1
    log = staff_api("admin1").get("/api/v1/audit", params={"action": "self_lookup",
                                                           "per_page": 100}).json()
    ours = [e for e in log["items"] if e["after"]["id_number"] == mask_id_number(family["son"])]
    assert {e["after"]["matched"] for e in ours} >= {True}
    assert family["son"] not in str(log)


def test_too_many_lookups_of_one_number(server: str, phone: Any, shoot: Any) -> None:
    number = make_id_number(CHENGZHONG, date(1970, 7, 7), 403, "male")
    for _ in range(3):  # the test server allows 3 look-ups of one number an hour
        look(phone, server, number, "某某")
        assert phone.locator("#lookup-none").count() == 1
    response = phone.request.post(server + "/lookup", form={"id_number": number, "name": "某某"})
    assert response.status == 429 and int(response.headers["retry-after"]) > 0
    look(phone, server, number, "某某")
    assert "查询太频繁" in phone.inner_text("h1")
    assert "分钟后再试" in phone.inner_text("#retry-after")
    shoot(phone, "lookup-too-many-phone")


def test_a_fully_assisted_resident_is_paid_for_by_assistance_never_owing_zero(
    server: str, phone: Any, staff_api: Any, shoot: Any
) -> None:
    """特困人员: medical assistance pays the whole contribution; the look-up says so in the
    head, in the year and in the household table, never "应缴 ¥0.00"."""
    from yibao.services.common import today_beijing

    clerk = staff_api("clerk1")
    year = today_beijing().year
    number = make_id_number(CHENGZHONG, date(1958, 2, 2), 404, "male")
    made = clerk.post("/api/v1/persons", json={
        "id_number": number, "name": "覃老伯", "region": CHENGZHONG,
        "covered_years": list(range(2018, year))})
    assert made.status_code == 201, made.text
    member = clerk.post(f"/api/v1/persons/{number}/special-groups", json={
        "group": "tekun", "valid_from": f"{year - 1}-01-01", "source": "民政部门认定（测试）"})
    assert member.status_code == 201, member.text
    look(phone, server, number, "覃老伯")
    assert phone.inner_text("#total-due") == "医疗救助全额资助，无需缴费"
    assert "个人无需缴费" in phone.inner_text("#next-step")
    assert "医疗救助全额资助参保" in phone.inner_text(f"#year-{year}")
    assert "¥0.00" not in phone.inner_text("#lookup-result")
    shoot(phone, "lookup-assisted-phone")


def test_the_language_toggle_keeps_the_answer_without_spending_a_look_up(
    server: str, phone: Any, staff_api: Any, shoot: Any
) -> None:
    """English shows the same answer; switching six times spends nothing (three look-ups of
    one number an hour on the test server) and audits nothing."""
    from yibao.services.common import today_beijing

    number = make_id_number(CHENGZHONG, date(1979, 3, 8), 404, "female")
    made = staff_api("clerk1").post("/api/v1/persons", json={
        "id_number": number, "name": "韦秀兰", "region": CHENGZHONG,
        "covered_years": list(range(2018, today_beijing().year))})
    assert made.status_code == 201, made.text
    look(phone, server, number, "韦秀兰")
    chinese = phone.inner_text("#lookup-result")
    years = phone.locator("#lookup-result .year").evaluate_all("els => els.map(e => e.id)")
    toggle(phone)
    english = phone.inner_text("#lookup-result")
    assert phone.get_attribute("html", "lang") == "en"
    assert "韦*兰" in english and mask_id_number(number) in english
    assert "Each year" in english and "各年度" not in english
    assert phone.locator("#lookup-result .year").evaluate_all(
        "els => els.map(e => e.id)") == years
    shoot(phone, "lookup-english-phone")
    for _ in range(5):
        toggle(phone)
    assert phone.get_attribute("html", "lang") == "zh-CN"
    assert phone.inner_text("#lookup-result") == chinese  # the same answer, word for word
    assert number not in phone.content()
    log = staff_api("admin1").get("/api/v1/audit", params={"action": "self_lookup",
                                                           "per_page": 100}).json()
    assert [e["after"]["id_number"] for e in log["items"]].count(mask_id_number(number)) == 1
    look(phone, server, number, "韦秀兰")  # the second of three: still allowed
    assert phone.inner_text("#lookup-result") == chinese


def test_an_altered_toggle_shows_no_answer_and_spends_nothing(server: str, phone: Any) -> None:
    response = phone.request.post(server + "/lookup?lang=en", form={"answer": "bm90IGEgdG9rZW4"})
    assert response.status == 200
    page = response.text()
    assert 'id="lookup-expired"' in page and 'id="lookup-result"' not in page
