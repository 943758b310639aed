"""Hypothesis strategies for quote requests (valid and invalid mixes)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

REGIONS = ["450802", "450881", "450202", "450205", "450000", "630000", "450300",
           # the regional variants of issue 18: Yunfu, Chaozhou, Jieyang, Qinghai's counties,
           # Guilin's counties, a region with unpublished figures (Dandong)
           "445300", "445302", "445100", "445200", "630102", "450305", "210600"]
GROUPS = ["tekun", "orphan", "dibao", "fanpin_monitor"]
STATUS_KINDS = ["released_from_prison", "discharged_veteran", "severe_disability_certified"]


@st.composite
def requests(draw: st.DrawFn, *, years: tuple[int, int] = (2021, 2026),
             regions: list[str] | None = None) -> dict[str, Any]:
    """A quote request whose payment date lies in the coverage year's payment window."""
    year = draw(st.integers(*years))
    first = date(year - 1, 9, 1)
    pay = first + timedelta(days=draw(st.integers(0, (date(year, 12, 31) - first).days)))
    req: dict[str, Any] = {"region": draw(st.sampled_from(regions or REGIONS)),
                           "coverage_year": year, "payment_date": pay.isoformat()}
    if draw(st.booleans()):
        age_days = draw(st.one_of(st.integers(0, 400), st.integers(0, 30000)))
        req["birth_date"] = max(pay - timedelta(days=age_days), date(1930, 1, 1)).isoformat()
    if draw(st.integers(0, 9)) == 0:
        req["special_group"] = draw(st.sampled_from(GROUPS))
    if draw(st.booleans()):
        req["covered_years"] = sorted(draw(st.sets(st.integers(year - 8, year - 1), max_size=5)))
    if draw(st.integers(0, 4)) == 0:
        req["back_pay_years"] = sorted(draw(st.sets(st.integers(year - 6, year - 1), max_size=3)))
    if draw(st.integers(0, 6)) == 0:
        end = pay - timedelta(days=draw(st.integers(0, 200)))
        req["employee_insurance_end_date"] = end.isoformat()
    if draw(st.integers(0, 6)) == 0:
        req["hardship_deferral"] = True
    if draw(st.integers(0, 4)) == 0:  # a status change up to a year before the payment (§2.2)
        began = pay - timedelta(days=draw(st.integers(-5, 370)))
        req["status_change"] = {"kind": draw(st.sampled_from(STATUS_KINDS)),
                                "date": began.isoformat()}
    return req
