"""Continuous enrollment years (连续参保年限) and the catastrophic-cover rise they earn.

    >>> rise = catastrophic_rise(6, 2025, {"after_years": 4, "rise_per_year": 200000,
    ...     "zero_claim_rise": 200000, "max_percent_of_base": 20}, None, source="…")
    >>> rise.rise_fen, rise.limit_fen, rise.missing
    (400000, None, ('catastrophic_base_cap',))

The count itself is the engine's (:func:`yibao.rules.lapse.continuous_years`, C36); this
module turns it into what the incentive of 国办发〔2024〕38号 gives in a region that
publishes it (Guangxi: +2,000 a year after 4 full continuous years, the total at most 20%
of the base cap).  The base cap is not in the requirement documents, so the limit is
named as missing, never invented (C13).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CatastrophicRise", "catastrophic_rise"]


@dataclass(frozen=True, slots=True)
class CatastrophicRise:
    """The rise of the catastrophic-illness (大病保险) cap a person's continuous years earn."""

    continuous_years: int
    after_years: int
    rise_per_year_fen: int
    zero_claim_rise_fen: int
    max_percent_of_base: int
    base_cap_fen: int | None
    rise_fen: int  # earned by the continuous years, before the limit
    limit_fen: int | None  # max_percent_of_base of the base cap; None while it is unpublished
    rise_from_year: int  # the first coverage year with a rise, paying on time from now on
    source: str
    missing: tuple[str, ...] = ()

    @property
    def capped_fen(self) -> int | None:
        """The rise within the limit (None while the limit is unknown)."""
        return None if self.limit_fen is None else min(self.rise_fen, self.limit_fen)


def catastrophic_rise(continuous_years: int, coverage_year: int, incentive: Mapping[str, Any],
                      base_cap_fen: int | None, *, source: str) -> CatastrophicRise:
    """What ``continuous_years`` at ``coverage_year`` earns under ``incentive`` (a published
    ``catastrophic_incentive`` value); ``base_cap_fen`` None = the base cap is unpublished."""
    after = int(incentive["after_years"])
    per_year = int(incentive["rise_per_year"])
    percent = int(incentive["max_percent_of_base"])
    years = max(continuous_years, 0)
    rise = max(years - after, 0) * per_year
    first = coverage_year + (after + 1 if years == 0 else max(after + 1 - years, 0))
    limit = None if base_cap_fen is None else base_cap_fen * percent // 100
    return CatastrophicRise(
        continuous_years=years, after_years=after, rise_per_year_fen=per_year,
        zero_claim_rise_fen=int(incentive["zero_claim_rise"]), max_percent_of_base=percent,
        base_cap_fen=base_cap_fen, rise_fen=rise, limit_fen=limit, rise_from_year=first,
        source=source, missing=() if base_cap_fen is not None else ("catastrophic_base_cap",))
