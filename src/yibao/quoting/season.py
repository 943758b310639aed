"""Where the year stands for a region, from the policy data: the coverage year in force, the
year being collected and its concentrated period, and whether its share is published.

    s = season(date(2026, 12, 6), "450802")
    s.in_force, s.collecting, s.period, s.days_left     # 2026, 2027, (2026-09-01, 2026-12-31), 26
    s.share_published, s.reference_share                 # False, (2025, 40000)
    default_coverage_year(date(2026, 12, 6))              # 2027: its collection has opened

The pages show these; they never derive a period or a year themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yibao.policy.files import load_policy
from yibao.quoting.answers import concentrated_period, reference_share

__all__ = ["GUANGXI", "Season", "default_coverage_year", "season"]

#: the region a page assumes before the resident chooses one
GUANGXI = "450000"


@dataclass(frozen=True)
class Season:
    """The season on ``today`` in one region."""

    today: date
    in_force: int  # the coverage year in force (today's year)
    collecting: int | None  # the next year while its concentrated period is open
    period: tuple[date, date] | None  # the next year's concentrated period (None unpublished)
    share_published: bool  # the next year's individual share
    next_year: int
    reference_share: tuple[int, int] | None = None  # (year, fen): latest published share (C27)

    @property
    def days_left(self) -> int | None:
        """Days left in the concentrated period, today included (None when not collecting)."""
        if self.collecting is None or self.period is None:
            return None
        return (self.period[1] - self.today).days + 1

    @property
    def opens_in(self) -> int | None:
        """Days until the next concentrated period opens (None when open, past or unknown)."""
        if self.period is None or self.today >= self.period[0]:
            return None
        return (self.period[0] - self.today).days


def season(today: date, region: str = GUANGXI) -> Season:
    """The season on ``today`` for ``region`` (Guangxi when none is chosen)."""
    policy = load_policy()
    nxt = today.year + 1
    known = region in policy.regions
    period = concentrated_period(region, nxt) if known else None
    collecting = nxt if period is not None and period[0] <= today <= period[1] else None
    found = policy.resolve("individual_share", region, nxt) if known else None
    published = found is not None and found.published
    return Season(today, today.year, collecting, period, published, nxt,
                  None if published or not known else reference_share(region, nxt, policy))


def default_coverage_year(today: date, region: str = GUANGXI) -> int:
    """The year a resident most likely pays for on ``today``: the next year once its
    concentrated period has opened (policy data), else the year in force."""
    s = season(today, region)
    return s.next_year if s.period is not None and today >= s.period[0] else s.in_force
