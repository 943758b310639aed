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


@settings(deadline=None)
@given(requests(), st.integers(1, 400))
def test_paying_earlier_never_starts_cover_later(req: dict[str, Any], extra: int) -> None:
    later = _later_date(req, extra)
    assume("employee_insurance_end_date" not in req)  # a transfer needs the end date first (C17)
    a, b = _try(req), _try(later)
    assume(a is not None and b is not None)
    assert (a["benefit_start"] or FAR) <= (b["benefit_start"] or FAR)


@settings(deadline=None)
@given(requests(), st.integers(1, 200))
def test_amount_never_drops_as_the_payment_moves_later_in_the_year(
    req: dict[str, Any], extra: int
) -> None:
    later = _later_date(req, extra)
    a, b = _try(req), _try(later)
    assume(a is not None and b is not None)
    assume(a["amount_due"] is not None and b["amount_due"] is not None)
    assert Decimal(a["amount_due"]) <= Decimal(b["amount_due"])


@settings(deadline=None)
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


@settings(deadline=None)
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


@settings(deadline=None)
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


@settings(deadline=None)
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


# --- contract §2.1: what to do now (C22–C24) -------------------------------------------


@settings(deadline=None)
@given(requests(years=(2021, 2027)))
def test_total_due_is_the_amount_plus_the_back_pay(req: dict[str, Any]) -> None:
    result = _try(req)
    assume(result is not None)
    assert result is not None
    amount, back = result["amount_due"], result["breakdown"]["back_pay"]
    if amount is None or back is None:
        assert result["total_due"] is None
    else:
        assert Decimal(result["total_due"]) == Decimal(amount) + Decimal(back)
    effect = result["back_pay_effect"]
    assert (effect is not None) == bool(req.get("back_pay_years"))
    if effect is not None:
        assert effect["months_earlier"] >= 0
        assert ("back_pay_no_effect" in result["warning_codes"]) == (effect["months_earlier"] == 0)
    else:
        assert "back_pay_no_effect" not in result["warning_codes"]


@settings(deadline=None)
@given(requests(years=(2025, 2027), regions=["450202", "450802", "630000"]), st.integers(1, 8),
       st.integers(0, 7))
def test_back_paying_more_lapse_years_never_starts_cover_later(
    req: dict[str, Any], lapse: int, paid: int
) -> None:
    year = req["coverage_year"]
    base = {k: req[k] for k in ("region", "coverage_year", "payment_date")}
    base["covered_years"] = [year - 1 - lapse]
    fewer = dict(base, back_pay_years=list(range(year - min(paid, lapse), year)) or None)
    more = dict(base, back_pay_years=list(range(year - min(paid + 1, lapse), year)))
    a, b = _try({k: v for k, v in fewer.items() if v is not None}), _try(more)
    assume(a is not None and b is not None)
    assert a is not None and b is not None
    assert (b["benefit_start"] or FAR) <= (a["benefit_start"] or FAR)
    if a["back_pay_effect"] is not None:
        assert b["back_pay_effect"]["months_earlier"] >= a["back_pay_effect"]["months_earlier"]


def _covered_next_year(req: dict[str, Any]) -> list[int]:
    """``covered_years`` of the next coverage year as the engine reads it (C23): the coverage
    year unpaid, every year before it as the request says (absent: all covered)."""
    year = req["coverage_year"]
    if "covered_years" in req:
        return [y for y in req["covered_years"] if y < year]
    return list(range(year - 60, year))


@settings(deadline=None)
@given(requests(years=(2021, 2027)))
def test_the_next_step_is_dated_and_checked_by_the_engine(req: dict[str, Any]) -> None:
    """pay_by is never before the payment date; the code follows the answer; the advice,
    quoted again as a request of its own, gives the start and amounts it promises."""
    result = _try(req)
    assume(result is not None)
    assert result is not None
    step, paid, year = result["next_step"], req["payment_date"], req["coverage_year"]
    if step["pay_by"] is not None:
        assert step["pay_by"] >= paid
    if step["pay_from"] is not None:
        assert step["code"] == "wait_for_next_period" and step["pay_from"] > paid
        assert step["pay_by"] is not None and step["pay_by"] >= step["pay_from"]
    if result["amount_due"] == "0.00":
        assert step["code"] == "nothing_to_pay"
    elif result["benefit_start"] is not None:
        assert step["code"] == "pay_this_year" and step["coverage_year"] == year
    else:
        assert step["code"] in ("pay_next_year", "wait_for_next_period")
        assert step["coverage_year"] == year + 1
    if step["code"] == "nothing_to_pay":
        return
    advised = {k: v for k, v in req.items() if k not in ("back_pay_years", "hardship_deferral")}
    if step["coverage_year"] != year:
        advised.update(coverage_year=year + 1, covered_years=_covered_next_year(req))
        if step["pay_from"] is not None:
            advised["payment_date"] = step["pay_from"]
    elif "hardship_deferral" in req:
        advised["hardship_deferral"] = req["hardship_deferral"]
    if step["back_pay_years"]:
        advised["back_pay_years"] = step["back_pay_years"]
    again = _try(advised)
    if again is None:  # the next year is beyond the policy data: nothing was promised
        assert step["benefit_start"] is None and step["amount_due"] is None
        return
    assert again["benefit_start"] == step["benefit_start"]
    assert again["amount_due"] == step["amount_due"]
    assert again["total_due"] == step["total_due"]
    if step["back_pay_years"]:
        assert step["months_earlier"] > 0
        assert max(step["back_pay_years"]) == step["coverage_year"] - 1  # latest first (C24)


@settings(deadline=None)
@given(requests(years=(2021, 2027)))
def test_the_newborn_window_is_given_for_children_of_this_year_and_last(
    req: dict[str, Any]
) -> None:
    result = _try(req)
    assume(result is not None)
    assert result is not None
    birth = req.get("birth_date")
    young = birth is not None and int(birth[:4]) >= req["coverage_year"] - 1
    last = result["newborn_last_day"]
    if not young:
        assert last is None
    elif last is not None:
        assert birth is not None and last > birth
        inside = req["payment_date"] <= last
        if inside and result["main_rule"] not in ("R-START-TRANSFER",):
            assert result["next_step"]["code"] != "pay_this_year" or \
                result["next_step"]["pay_by"] is not None


@settings(max_examples=60, deadline=None)
@given(st.lists(requests(years=(2021, 2027)), min_size=2, max_size=12))
def test_the_advice_of_many_requests_at_once_is_each_request_alone(
    reqs: list[dict[str, Any]]
) -> None:
    """One engine call for many requests (their scenario rows side by side, the renewal's
    and the ledger's way) gives each the answer it gets alone."""
    from yibao.quoting.answers import answer, answer_many

    many = answer_many(reqs)
    for req, got in zip(reqs, many, strict=True):
        if isinstance(got, InputError):
            continue
        assert got == answer(req)


@settings(max_examples=30, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=40), st.integers(1, 9))
def test_a_few_rows_and_many_rows_give_the_same_results(reqs: list[dict[str, Any]],
                                                        size: int) -> None:
    """The engine's paths for a quote's few rows (parameters gathered at once, input errors
    resolved in one pass) give what its batch paths (more than 256 rows) give: the same
    errors, and the same answer on every row without one (a refused row's other columns
    mean nothing)."""
    from dataclasses import fields

    import numpy as np

    from yibao.rules.engine import evaluate_slices

    policy = shipped_policy()
    parsed = [QuoteRequest.model_validate(r) for r in reqs]
    cols = columns_for((parsed * (300 // len(parsed) + 1))[:300], policy)
    whole = evaluate(policy, cols)
    for start, part in evaluate_slices(policy, cols, size):
        ok = part.error == 0
        for f in fields(whole):
            got, want = getattr(part, f.name), getattr(whole, f.name)[start:start + size]
            assert got.dtype == want.dtype, f.name
            assert np.array_equal(got[ok], want[ok]), f.name
        assert np.array_equal(part.error, whole.error[start:start + size])
