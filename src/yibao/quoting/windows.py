"""The newborn window's last day for many children at once, by the engine's rule (C3).

    newborn_last_days([("450802", date(2026, 10, 15))])     # [date(2027, 1, 15)]

Newborn pre-registration (《贵港市2021年度城乡居民医保参保缴费指南》四.1: register a hukou and
the formal registration "在出生三个月内") uses the same window as the fee and the start of
cover: the region's ``newborn_window`` for the birth year, counted as C3 counts it (months
with C2 clamping, Qinghai's days, the end day inside). None where the window of that region
and year is not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from yibao.policy.files import load_policy
from yibao.rules.calendar import date_to_days, days_to_date
from yibao.rules.facts import newborn_last_day, policy_key
from yibao.rules.policy import Policy

__all__ = ["newborn_last_days"]


def newborn_last_days(children: Sequence[tuple[str, date]], *, policy: Policy | None = None
                      ) -> list[date | None]:
    """The last day inside the newborn window of each (region, birth date): one engine call."""
    if not children:
        return []
    policy = policy or load_policy()
    region_idx = policy.region_lut[np.array([int(r) for r, _ in children], dtype=np.int32)]
    births = np.array([date_to_days(b) for _, b in children], dtype=np.int32)
    years = np.array([b.year for _, b in children], dtype=np.int32)
    known, key = policy_key(policy, region_idx, years)
    last = newborn_last_day(policy, key, births, known)
    return [days_to_date(int(d)) if ok and d else None
            for ok, d in zip(known.tolist(), last.tolist(), strict=True)]
