"""Fast checks of the page logic without a browser (forms, timeline, routes)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from yibao.web import mount_web
from yibao.web.forms import ResidentForm, default_coverage_year
from yibao.web.timeline import build_timeline


def test_history_questions_become_covered_years() -> None:
    today = date(2025, 3, 1)
    form = ResidentForm.from_mapping({"region": "450802", "coverage_year": "2025",
                                      "insured_last_year": "no", "last_paid_year": "2022"},
                                     today=today)
    payload, errors = form.to_payload()
    assert errors == {}
    assert payload["covered_years"] == [2022]
    assert payload["payment_date"] == "2025-03-01"
    never = ResidentForm.from_mapping({"region": "450802", "insured_last_year": "never"},
                                      today=today)
    assert never.to_payload()[0]["covered_years"] == []
    assert "covered_years" not in ResidentForm.blank(today).to_payload()[0] | {}


def test_form_errors_name_their_field() -> None:
    form = ResidentForm.from_mapping({"coverage_year": "x", "insured_last_year": "no"},
                                     today=date(2025, 3, 1))
    _, errors = form.to_payload()
    assert set(errors) == {"coverage_year", "region", "last_paid_year"}


def test_default_coverage_year_switches_when_the_period_opens() -> None:
    """Guangxi's concentrated period opens on Sep 1 (policy data, not the form)."""
    assert default_coverage_year(date(2025, 8, 31)) == 2025
    assert default_coverage_year(date(2025, 9, 1)) == 2026


def test_timeline_parts() -> None:
    tl = build_timeline(coverage_year=2025, payment_date=date(2025, 3, 15),
                        benefit_start=date(2025, 7, 15), lapse_years=[2023, 2024],
                        waiting_from=date(2025, 3, 15))
    kinds = [b.kind for b in tl.boxes]
    assert kinds == ["lapse", "lapse", "none", "wait", "cover"]
    assert tl.summary == {"lapse_years": 2, "waiting": 4, "covered": 6}
    period = (date(2024, 9, 1), date(2024, 12, 31))
    early = build_timeline(coverage_year=2025, payment_date=date(2024, 11, 1),
                           benefit_start=date(2025, 1, 1), lapse_years=[], period=period)
    assert [b.kind for b in early.boxes] == ["pre", "cover"]
    assert early.boxes[0].label2 == "9–12"  # the period's months, from the policy data
    none = build_timeline(coverage_year=2025, payment_date=date(2025, 11, 1),
                          benefit_start=None, lapse_years=[2024], waiting_from=date(2025, 11, 1))
    assert "cover" not in [b.kind for b in none.boxes]
    # a region counting the wait from the next month: the answer's anchor, not the payment day
    later = build_timeline(coverage_year=2025, payment_date=date(2025, 3, 15),
                           benefit_start=date(2025, 7, 1), lapse_years=[],
                           waiting_from=date(2025, 4, 1))
    wait = next(b for b in later.boxes if b.kind == "wait")
    assert wait.x > next(m.x for m in later.markers if m.kind == "pay")


def test_public_pages_render_without_the_service() -> None:
    app = FastAPI()
    mount_web(app)
    client = TestClient(app)
    for path in ("/", "/plan", "/pay", "/pay?region=450802", "/?lang=en", "/static/yibao.css"):
        assert client.get(path).status_code == 200, path
    answer = client.post("/", data={"region": "450802", "coverage_year": "2021",
                                    "payment_date": "2021-03-15", "insured_last_year": "no",
                                    "last_paid_year": "2019"})
    assert answer.status_code == 200
    assert 'id="benefit-start">2021-06-01<' in answer.text
    assert "¥280.00" in answer.text


def test_missing_chromium_fails_under_ci(tmp_path: Path) -> None:
    env = {**os.environ, "CI": "true", "YIBAO_CHROMIUM": str(tmp_path / "no-chromium")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(Path(__file__).with_name("test_web_resident.py")) + "::test_on_time_payer"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode != 0
    assert "CI=true: browser tests must run" in run.stdout


def test_citations_name_documents_not_codes() -> None:
    from yibao.web.plain import cite

    text = cite("seed 000_676d7a5ab6b5a1e6.txt 缴费标准; seed 000_676d7a5ab6b5a1e6.txt 缴费标准; "
                "yibao《规则目录》 C6、C10; yibao《规则目录》 R-LAPSE-RESET; "
                "yibao 规则目录 (docs/rules.md) §6 C3", "450802", 2021)
    assert text == "《贵港市2021年度城乡居民医保参保缴费指南》 缴费标准"  # repeated parts once
    for token in ("seed", ".txt", ".md", "R-LAPSE", "C6", "C3", "yibao", "约定", "规则目录"):
        assert token not in text, token
    assert cite("yibao《规则目录》 C20 (yibao 的产品决定): 已公布的标准都远低于此数") == \
        "本地未见公布的文件，按通行做法确定"
    assert cite("未见广西公布的数额(国家最低标准580元、610元只是下限,不是广西的数额)") == \
        "本地未见公布的文件，按通行做法确定"


def test_errors_in_words_name_the_label() -> None:
    from yibao.web.plain import error_words

    labels = {"paid_at": ("缴费日期", "payment date")}
    err = error_words("invalid_date", "paid_at", "“paid_at”不是有效的日期", "paid_at: bad",
                      labels)
    assert (err.field, err.zh, err.en) == ("paid_at", "缴费日期不是有效的日期。",
                                           "The payment date is not a valid date.")
    other = error_words("odd", "covered_years.0", "“covered_years”有误(C11)", "x (C11)", labels)
    assert other.field == "_form" and "covered_years" not in other.zh and "C11" not in other.zh


def test_codes_are_words() -> None:
    from yibao.web.words import word

    assert word("settlement", "unquoted")[0] == "待核定（金额未公布）"
    assert word("channel", "bank_counter") == ("银行柜面", "Bank counter")
    assert word("application_type", "business_owner_unpaid")[0].startswith("企业法定代表人")
    assert word("enrollment_status", "no_such_status") == ("其他", "other")


def test_dates_and_years_are_checked_in_words() -> None:
    form = ResidentForm.from_mapping({"region": "450802", "coverage_year": "1800",
                                      "payment_date": "2025-02-30",
                                      "id_number": " 4508 0219 8005 0100 10 "},
                                     today=date(2026, 11, 29))
    _, errors = form.to_payload()
    assert "1800" in errors["coverage_year"][0]
    assert errors["payment_date"][0] == "缴费日期有误：2025年2月没有30日"
    assert form.id_number == "450802198005010010"


def test_planner_rows_split_where_the_answer_changes() -> None:
    from yibao.web.planner import plan_days

    form = ResidentForm.from_mapping({"region": "450802", "coverage_year": "2021"},
                                     today=date(2020, 11, 15))
    plan = plan_days(form, first=date(2020, 11, 15), days=120)
    firsts = [s.first.isoformat() for s in plan.segments]
    assert firsts[:3] == ["2020-11-15", "2021-01-01", "2021-02-01"]
    assert plan.segments[0].start_first == "2021-01-01" and not plan.segments[0].moving
    assert plan.segments[0].why[0] == "集中期内缴费自1月1日起享受待遇"


def test_lookup_limits_per_number_from_one_client(tmp_path: Path) -> None:
    """Counted in the database; the per-number limit is the number from one client, so
    others cannot spend a person's look-ups (tests/service/test_keys_and_lookup.py runs
    them through servers)."""
    import datetime as dt

    from yibao.store.db import Database
    from yibao.store.migrate import upgrade
    from yibao.web.rate_limit import LookupLimits

    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    upgrade(url)
    db = Database(url)
    limits = LookupLimits(db, key="k" * 48, per_client=(3, 60.0), per_number=(2, 60.0))
    t0 = dt.datetime(2026, 1, 1, 8, 0)

    def at(seconds: int) -> dt.datetime:
        return t0 + dt.timedelta(seconds=seconds)

    try:
        assert limits.check(client="a", id_number="1", now=at(0)) == 0
        assert limits.check(client="b", id_number="1", now=at(1)) == 0
        assert limits.check(client="c", id_number="1", now=at(2)) == 0  # not spent by others
        assert limits.check(client="a", id_number="1", now=at(3)) == 0  # a's second of "1"
        assert limits.check(client="a", id_number="1", now=at(4)) == 56  # then wait
        assert limits.check(client="a", id_number="2", now=at(5)) == 0  # a's third look-up
        assert limits.check(client="a", id_number="3", now=at(6)) == 54  # the client: 3 counted
        assert limits.check(client="a", id_number="1", now=at(61)) == 0  # the window moved on
    finally:
        db.dispose()


def test_console_times_are_beijing_wall_clock() -> None:
    from yibao.web.templating import beijing_time

    assert beijing_time("2026-11-29T06:40:39.123456+00:00") == "2026-11-29 14:40:39"
    assert beijing_time("2026-11-29T20:00:00") == "2026-11-30 04:00:00"  # stored UTC, next day
    assert beijing_time("2025-03-15T10:05:00+08:00", seconds=False) == "2025-03-15 10:05"
    assert beijing_time(None) == "—" and beijing_time("not a time") == "not a time"
