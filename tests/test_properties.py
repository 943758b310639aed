"""Invariants of the rules, checked on generated residents (Hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from yibao.errors import InputError
from yibao.policy.files import policy_with, shipped_policy
from yibao.quoting.answers import QuoteRequest, columns_for, quote
from yibao.rules.calendar import add_months_to_date
from yibao.rules.engine import evaluate
from yibao.rules.policy import Policy

from .strategies import requests

FAR = date.max.isoformat()


def _try(req: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return quote(req)
    except InputError:
        return None


def _later_date(req: dict[str, Any], extra_days: int) -> dict[str, Any]:
    moved = dict(req)
    moved["payment_date"] = (date.fromisoformat(req["payment_date"])
                             + timedelta(days=extra_days)).isoformat()
    return moved


@settings(max_examples=400, deadline=None)
@given(requests(), st.integers(1, 400))
def test_paying_earlier_never_starts_cover_later(req: dict[str, Any], extra: int) -> None:
    later = _later_date(req, extra)
    assume("employee_insurance_end_date" not in req)  # a transfer needs the end date first (C17)
    a, b = _try(req), _try(later)
    assume(a is not None and b is not None)
    assert (a["benefit_start"] or FAR) <= (b["benefit_start"] or FAR)


@settings(max_examples=400, deadline=None)
@given(requests(), st.integers(1, 200))
def test_amount_never_drops_as_the_payment_moves_later_in_the_year(
    req: dict[str, Any], extra: int
) -> None:
    later = _later_date(req, extra)
    a, b = _try(req), _try(later)
    assume(a is not None and b is not None)
    assume(a["amount_due"] is not None and b["amount_due"] is not None)
    assert Decimal(a["amount_due"]) <= Decimal(b["amount_due"])


@settings(max_examples=300, deadline=None)
@given(requests(years=(2025, 2026), regions=["450202", "450802"]), st.integers(1, 7),
       st.integers(1, 7))
def test_back_paying_never_lengthens_the_wait(req: dict[str, Any], lapse: int, paid: int) -> None:
    year = req["coverage_year"]
    base = {k: req[k] for k in ("region", "coverage_year", "payment_date")}
    base["covered_years"] = [year - 1 - lapse]
    a = _try(base)
    assume(a is not None)
    assert a["lapse_years"] == lapse
    repaired = dict(base, back_pay_years=list(range(year - min(paid, lapse), year)))
    b = _try(repaired)
    assert b is not None
    wait_a = a["waiting_months"]["fixed"] + a["waiting_months"]["variable"]
    wait_b = b["waiting_months"]["fixed"] + b["waiting_months"]["variable"]
    assert wait_b <= wait_a
    assert wait_b >= (6 if lapse >= 4 else 3) or b["waiting_months"]["fixed"] == 0
    assert (b["benefit_start"] or FAR) <= (a["benefit_start"] or FAR)


@settings(max_examples=400, deadline=None)
@given(requests())
def test_answers_are_consistent(req: dict[str, Any]) -> None:
    result = _try(req)
    assume(result is not None)
    year = req["coverage_year"]
    start = result["benefit_start"]
    assert result["benefit_end"] == f"{year}-12-31"
    if start is not None:
        assert f"{year}-01-01" <= start <= f"{year}-12-31"
    else:  # no cover this year: from this date, or not outside the concentrated period (C34)
        assert {"no_benefit", "concentrated_period_only"} & set(result["warning_codes"])
    waiting = result["waiting_months"]
    assert waiting["fixed"] in (0, 3)
    assert 0 <= waiting["variable"] <= max(result["lapse_years"] - 1, 3)
    if year < 2025:
        assert waiting == {"fixed": 0, "variable": 0}
    if result["amount_due"] is None:
        assert result["missing"]
    elif result["breakdown"]["individual"] is None:  # full assistance owes 0.00 at any date (C7)
        assert result["amount_due"] == "0.00" and "individual_share" in result["missing"]
    else:
        parts = result["breakdown"]
        total = (Decimal(parts["individual"]) + Decimal(parts["fiscal_subsidy"])
                 + Decimal(parts["assistance"]))
        assert Decimal(result["amount_due"]) == total >= 0
    assert result["main_rule"] in {r["id"] for r in result["rules"]}


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2021, 1, 1), date(2025, 12, 31)), st.sampled_from(["450802", "450202"]))
def test_the_newborn_window_ends_on_its_last_day_included(birth: date, region: str) -> None:
    """C3: birth + 3 months (clamped) is inside, the day after is not."""
    last = add_months_to_date(birth, 3)
    if last.year > birth.year + 1 or (region == "450802" and birth.year != 2021):
        return  # paying beyond the coverage year; Guigang has figures for 2021 only
    base = {"region": region, "coverage_year": last.year, "birth_date": birth.isoformat()}
    inside = _try({**base, "payment_date": last.isoformat()})
    after = _try({**base, "payment_date": (last + timedelta(days=1)).isoformat()}) \
        if last.month != 12 or last.day != 31 else None
    assert inside is not None
    assert inside["main_rule"] == "R-START-NEWBORN"
    expected_start = birth if birth.year == last.year else date(last.year, 1, 1)
    assert inside["benefit_start"] == expected_start.isoformat()
    if after is not None:
        assert after["benefit_start"] != expected_start.isoformat()


@settings(max_examples=200, deadline=None)
@given(requests(years=(2025, 2027), regions=["450202", "450802", "450300"]))
def test_publishing_a_share_changes_amounts_never_dates(req: dict[str, Any]) -> None:
    """A published figure of money (here Guangxi's 2026 and 2027 shares) moves no date."""
    try:
        request = QuoteRequest.model_validate(req)
        before = evaluate(shipped_policy(), columns_for([request], shipped_policy()))
    except InputError:
        return
    after = evaluate(_published(), columns_for([request], shipped_policy()))
    assert before.error[0] == after.error[0]
    if before.error[0]:
        return
    assert before.start[0] == after.start[0] and before.start_known[0] == after.start_known[0]
    assert before.wait_fixed[0] == after.wait_fixed[0]
    assert before.wait_variable[0] == after.wait_variable[0]
    if before.amount_known[0]:
        assert after.amount_known[0] and before.amount[0] == after.amount[0]


@cache
def _published() -> Policy:
    """The shipped policy with Guangxi's 2026 and 2027 shares published (a test figure)."""
    folder = Path(tempfile.mkdtemp(prefix="yibao-published-"))
    (folder / "individual_share.yaml").write_text(
        'description: 个人缴费标准\nunit: fen\nvalues:\n  "450000":\n'
        '    - {from: 2026-01-01, to: 2027-12-31, value: 42000, source: "测试: 广西2026-2027年度"}\n',
        encoding="utf-8")
    return policy_with(folder)
