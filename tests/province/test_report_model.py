"""The report's pure parts: the checked parameters, the waiting day, shares, the roll-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yibao.errors import InputError
from yibao.operations.reports.model import RegionCounts, ReportParams, build_report, share


def test_waiting_day_stays_inside_the_coverage_year() -> None:
    def day(as_of: dt.date) -> dt.date:
        return ReportParams.make(2025, as_of=as_of).waiting_day

    assert day(dt.date(2024, 11, 2)) == dt.date(2025, 1, 1)   # during the concentrated period
    assert day(dt.date(2025, 3, 1)) == dt.date(2025, 3, 1)
    assert day(dt.date(2026, 11, 29)) == dt.date(2025, 12, 31)


def test_shares_round_half_up_and_are_empty_for_nobody() -> None:
    assert share(1, 3) == Decimal("0.3333") and share(2, 3) == Decimal("0.6667")
    assert share(1, 8) == Decimal("0.1250") and share(0, 0) is None


@pytest.mark.parametrize(("year", "region", "field"), [
    (1999, None, "year"), (2200, None, "year"), (2025, "459999", "region")])
def test_bad_parameters_name_their_field(year: int, region: str | None, field: str) -> None:
    with pytest.raises(InputError) as err:
        ReportParams.make(year, as_of=dt.date(2025, 1, 1), region=region)
    assert err.value.field == field and err.value.message and err.value.message_en


def test_cities_are_the_sums_of_their_counties() -> None:
    params = ReportParams.make(2025, as_of=dt.date(2025, 3, 1), region="450000")
    report = build_report(params, {
        "450202": RegionCounts(registered=4, paid=3, on_time=2, collected_fen=120000),
        "450203": RegionCounts(registered=2, paid=1, collected_fen=40000),
        "450200": RegionCounts(registered=1),  # registered at the city's own code
    })
    counties = {r.code: r for r in report.level("county")}
    assert len(counties) == 112 and counties["450200"].name == "柳州市(本级)"
    liuzhou = next(r for r in report.level("city") if r.code == "450200")
    assert (liuzhou.counts.registered, liuzhou.counts.paid, liuzhou.counts.collected_fen) == \
        (7, 4, 160000)
    assert liuzhou.counts.paid_share == Decimal("0.5714")
    assert liuzhou.counts.on_time_share == Decimal("0.5000") and liuzhou.counts.unpaid == 3
    assert report.total.counts.registered == 7 and report.total.name == "广西壮族自治区"
    assert report.level("province") == []  # inside a scope the total is the province
    assert report.periods["450202"].first == dt.date(2024, 9, 1)
