"""What a report is: its parameters, the counts per region, and the roll-up county → city
→ province → total. Pure: the SQL and the Parquet paths both end here.

    params = ReportParams.make(2025, as_of=date(2025, 3, 1), region="450800")
    report = build_report(params, {"450802": RegionCounts(registered=3, paid=2, ...)})
    report.rows[-1].counts.paid_share     # Decimal('0.6667')

Definitions (docs/reports.md "Definitions"): every count is of *registered persons* —
persons of the registry whose region lies in the scope and who were born by Dec 31 of the
coverage year — and each count is additive, so a city is the sum of its counties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from yibao.errors import InputError
from yibao.policy import reference_data as reference

__all__ = [
    "COUNT_FIELDS",
    "COVERED_STATUSES",
    "Period",
    "RegionCounts",
    "Report",
    "ReportParams",
    "ReportRow",
    "build_report",
    "periods_for",
    "share",
]

#: Enrollment statuses in which money for the year arrived (history.COVERED_STATUSES).
COVERED_STATUSES = ("paid", "overpaid", "underpaid", "pending")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class Period:
    """A concentrated collection period, first and last day included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time())

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period (``paid_at < end``)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time())


@dataclass(frozen=True, slots=True)
class ReportParams:
    """Coverage year, the day the waiting count looks at, and the scope (None = all)."""

    year: int
    as_of: dt.date
    region: str | None = None

    @classmethod
    def make(cls, year: int, *, as_of: dt.date, region: str | None = None) -> ReportParams:
        """Checked parameters: exit 2 / 422 for a year without policy data or an unknown region."""
        from yibao.quoting.answers import concentrated_window

        if not FIRST_YEAR <= year <= LAST_YEAR or concentrated_window(year) is None:
            raise InputError(
                "unknown_year",
                f"没有{year}年度的政策数据(集中参保缴费期),无法统计",
                f"no policy data (concentrated period) for coverage year {year}",
                field="year")
        if region is not None:
            if region not in reference.load_regions():
                raise InputError("unknown_region", f"未知的行政区划代码“{region}”",
                                 f"unknown region code {region!r}", field="region")
            if region == "000000":
                region = None
        return cls(year, as_of, region)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def waiting_day(self) -> dt.date:
        """The day "in waiting" looks at: the report date, kept inside the coverage year."""
        return min(max(self.as_of, self.first_day), self.last_day)

    def scope_codes(self) -> tuple[str, ...] | None:
        return reference.region_subtree(self.region) if self.region else None


def periods_for(year: int, codes: Iterable[str]) -> dict[str, Period]:
    """Each region's concentrated period for ``year`` from the policy data (regions whose
    period is unpublished are left out: nobody there is counted on time)."""
    from yibao.quoting.answers import concentrated_period

    out: dict[str, Period] = {}
    for code in codes:
        try:
            found = concentrated_period(code, year)
        except KeyError:
            found = None
        if found is not None:
            out[code] = Period(*found)
    return out


@dataclass(slots=True)
class RegionCounts:
    """Additive counts of one region (persons, except ``collected_fen``: net fen)."""

    registered: int = 0
    paid: int = 0
    underpaid: int = 0
    pending: int = 0
    on_time: int = 0
    lapsed: int = 0
    lapsed_paid: int = 0
    history_unknown: int = 0
    late_start: int = 0
    waiting: int = 0
    collected_fen: int = 0

    def add(self, other: RegionCounts) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def unpaid(self) -> int:
        return self.registered - self.paid

    @property
    def paid_share(self) -> Decimal | None:
        return share(self.paid, self.registered)

    @property
    def on_time_share(self) -> Decimal | None:
        return share(self.on_time, self.paid)

    def as_dict(self) -> dict[str, int | str | None]:
        out: dict[str, int | str | None] = {n: getattr(self, n) for n in COUNT_FIELDS}
        out["unpaid"] = self.unpaid
        out["paid_share"] = _text(self.paid_share)
        out["on_time_share"] = _text(self.on_time_share)
        return out


COUNT_FIELDS = tuple(f.name for f in fields(RegionCounts))


def share(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to 4 places, half up; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One row: ``level`` county, city, province or total."""

    level: str
    code: str
    name: str
    parent: str | None
    counts: RegionCounts


@dataclass(slots=True)
class Report:
    params: ReportParams
    rows: list[ReportRow] = field(default_factory=list)
    periods: dict[str, Period] = field(default_factory=dict)

    def level(self, level: str) -> list[ReportRow]:
        return [r for r in self.rows if r.level == level]

    @property
    def total(self) -> ReportRow:
        return self.rows[-1]


def _ancestor(code: str, level: str) -> str | None:
    regions = reference.load_regions()
    for c in reference.region_chain(code):
        if regions[c].level == level:
            return c
    return None


def build_report(params: ReportParams, by_region: Mapping[str, RegionCounts]) -> Report:
    """County rows (every county-level unit of the scope, zeros included, plus any other
    region persons are registered in directly), city rows, province rows, and the total."""
    regions = reference.load_regions()
    scope = set(params.scope_codes() or ())
    if params.region is None:  # every county of every province the registry holds persons in
        provinces = {p for c in by_region if c in regions and (p := _ancestor(c, "province"))}
        scope = {c for p in provinces for c in reference.region_subtree(p)}
    areas = {c for c in scope if regions[c].level == "county"} | set(by_region)
    counts = {c: by_region.get(c, RegionCounts()) for c in areas}
    rows: list[ReportRow] = []
    for code in sorted(areas):
        name = regions[code].name if code in regions else code
        if code in regions and regions[code].level != "county":
            name += "(本级)"
        parent = _ancestor(code, "city") if code in regions else None
        rows.append(ReportRow("county", code, name, parent, counts[code]))
    for level in ("city", "province"):
        sums: dict[str, RegionCounts] = {}
        for code, c in counts.items():
            up = _ancestor(code, level) if code in regions else None
            if up is not None:
                sums.setdefault(up, RegionCounts()).add(c)
        for code in sorted(sums):
            if params.region is not None and (level == "province" or code not in scope
                                             or code == params.region):
                continue  # inside a scope the total says it; no partial city
            rows.append(ReportRow(level, code, regions[code].name,
                                  _ancestor(code, "province") if level == "city" else None,
                                  sums[code]))
    total = RegionCounts()
    for c in counts.values():
        total.add(c)
    name = regions[params.region].name if params.region else "合计"
    rows.append(ReportRow("total", params.region or "000000", name, None, total))
    return Report(params, rows, periods_for(params.year, areas))
