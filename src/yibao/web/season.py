"""Where the year stands: the coverage year in force, the year being collected, the
concentrated period and whether the share is published, all from the policy data.

    s = season(date(2026, 11, 29), "450000")
    s.in_force, s.collecting, s.period        # 2026, 2027, (2026-09-01, 2026-12-31)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from yibao.rules.calendar import add_months_to_date

__all__ = ["Season", "newborn_last_day", "season"]


@dataclass(frozen=True)
class Season:
    today: date
    in_force: int
    collecting: int | None  # the next year while its concentrated period is open
    period: tuple[date, date] | None  # the collecting (or next) year's concentrated period
    share_published: bool
    next_year: int

    @property
    def days_left(self) -> int | None:
        """Days left in the concentrated period, today included (None when not collecting)."""
        if self.collecting is None or self.period is None:
            return None
        return (self.period[1] - self.today).days + 1


def season(today: date, region: str = "450000") -> Season:
    """The season on ``today`` for ``region`` (Guangxi when no region is chosen)."""
    from yibao.policy.files import load_policy
    from yibao.quoting.answers import concentrated_period

    nxt = today.year + 1
    try:
        period = concentrated_period(region, nxt)
    except KeyError:
        period = None
    collecting = nxt if period is not None and period[0] <= today <= period[1] else None
    found = load_policy().resolve("individual_share", region, nxt)
    published = found is not None and found.published
    return Season(today, today.year, collecting, period, published, nxt)


def newborn_last_day(region: str, year: int, birth: date) -> date | None:
    """The last day of the newborn window (inside, rules.md C3), or None if unpublished."""
    from yibao.policy.files import load_policy

    found = load_policy().resolve("newborn_window", region, year)
    if found is None or not found.published:
        return None
    value = dict(found.value)
    if value.get("days"):
        return birth + timedelta(days=int(value["days"]))
    return add_months_to_date(birth, int(value.get("months", 0)))
