"""Words people read: plurals as English writes them, one pair of brackets, payment times
as entered (Beijing), no invented hour for a date-only payment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yibao.rules.registry import RULE, render, tidy
from yibao.web.templating import paid_time


def test_plurals_and_brackets_read_as_written() -> None:
    assert tidy("2 year(s) of lapse: each adds 1 month(s)") == "2 years of lapse: each adds 1 month"
    assert tidy("1 lapse year(s) back-paid") == "1 lapse year back-paid"
    assert tidy("the individual share ((amount not published))") == \
        "the individual share (amount not published)"
    assert tidy("个人缴费（（金额未公布））") == "个人缴费（金额未公布）"


def test_a_rule_text_filled_has_no_year_s() -> None:
    template = next(r.text_en for r in RULE.values() if "{lapse} year(s)" in r.text_en)
    fields = {name: "3" for name in __import__("string").Formatter().parse(template)
              for name in [name[1]] if name}
    assert "(s)" not in render(template, {**fields, "lapse": 1})
    assert "1 year of lapse" in render(template, {**fields, "lapse": 1}) or \
        "1 year" in render(template, {**fields, "lapse": 1})
    assert "2 years" in render(template, {**fields, "lapse": 2})


def test_a_payment_entered_with_a_date_shows_the_date_only() -> None:
    assert paid_time(dt.datetime(2025, 2, 10)) == "2025-02-10"  # not "2025-02-10 08:00"
    assert paid_time(dt.datetime(2025, 2, 10, 9, 30)) == "2025-02-10 09:30"  # Beijing, as kept
    assert paid_time("2025-02-10T01:30:00+00:00") == "2025-02-10 09:30"
    assert paid_time(None) == "—"


def _public_client() -> Any:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from yibao.web import mount_web

    app = FastAPI()
    mount_web(app)
    return TestClient(app)


def test_pay_for_a_whole_city_lists_its_counties_offices() -> None:
    page = _public_client().get("/pay", params={"region": "450800"}).text
    assert 'id="no-offices"' not in page and 'id="county-offices"' in page
    for office in ("桂平市医保部门", "平南县税务部门", "港北区", "港南区", "覃塘区"):
        assert office in page, office
    assert "桂平市西山镇禄棠路9号" in page
    county = _public_client().get("/pay", params={"region": "450881"}).text
    assert 'id="county-offices"' not in county and "平南县医保部门" not in county  # its own


def test_an_error_names_the_option_as_the_form_shows_it() -> None:
    """"去年有没有参加医保？" offers “有”: the error says 请选“有”, never 请选“是”."""
    import re

    client = _public_client()
    form = {"region": "450802", "coverage_year": "2025", "payment_date": "2024-12-01",
            "insured_last_year": "no", "last_paid_year": "2024"}
    for lang in ("zh", "en"):
        page = client.post(f"/?lang={lang}", data=form).text
        options = re.findall(r'name="insured_last_year" value="yes"[^>]*> ([^<]+)</label>', page)
        assert options, lang
        shown = options[0].strip()
        error = re.search(r'id="err-last_paid_year"[^>]*>([^<]+)<', page)
        assert error is not None, lang
        assert f"“{shown}”" in error.group(1), (shown, error.group(1))
        assert "“是”" not in error.group(1)


def test_a_sealed_look_up_answer_reads_back_only_unaltered_and_fresh() -> None:
    import pytest

    from yibao.web.answer_view import Lead
    from yibao.web.lookup_seal import MAX_AGE, NotReadable, seal, unseal
    from yibao.web.lookup_view import LookupView, MemberView, YearView

    view = LookupView("韦*兰", "450202********4046", "450202", "柳州市 城中区", None,
                      [YearView(2026, ("2026年度", "2026"), "unpaid", ("未缴费", "Not paid"),
                                [("今天缴费应缴：¥400.00", "Due if paid today: ¥400.00")])],
                      [MemberView("韦*兰", [(2026, "unpaid", ("未缴费", "Not paid"))])],
                      Lead("pay_now", ("请缴费", "Pay"), 2026, ("合计", "Total"), "400.00",
                           False, None, None, ("起", "From"), "2026-01-01", ("无", "None"),
                           None, "2026-12-31", None, False))
    token = seal(view, "k" * 40, now=1_000_000)
    assert unseal(token, "k" * 40, now=1_000_000 + MAX_AGE) == view
    assert unseal(seal(None, "k" * 40), "k" * 40) is None  # nobody matched: said again
    for bad in (lambda: unseal(token, "k" * 40, now=1_000_001 + MAX_AGE),  # expired
                lambda: unseal(token, "j" * 40, now=1_000_000),  # another server's key
                lambda: unseal(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "k" * 40),
                lambda: unseal("not a token!", "k" * 40)):
        with pytest.raises(NotReadable):
            bad()
