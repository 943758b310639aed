"""Tilt assistance (倾斜救助) for catastrophic patients in hardship: a range, not one figure.

    >>> terms = TiltTerms(min_percent=60, max_percent=90, annual_cap_fen=10_000_000)
    >>> r = tilt_range(5_000_000, 0, terms)            # 50,000 yuan of eligible costs
    >>> r.low_fen, r.high_fen                          # 30,000 – 45,000 yuan
    (3000000, 4500000)
    >>> tilt_range(5_000_000, 8_000_000, terms).high_fen   # only 20,000 of the cap is left
    2000000

The source gives 60%–90% of eligible costs and an annual cap of 100,000; the ratio of
one case is decided by the office and not published, so yibao answers with the range
at both ends, each within what is left of the cap.  Money in fen, rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass

from yibao.rules.registry import TILT_RULE

__all__ = ["TILT_RULE", "TiltRange", "TiltTerms", "tilt_range"]

@dataclass(frozen=True, slots=True)
class TiltTerms:
    """A region's published terms: the ratio range and the annual cap."""

    min_percent: int
    max_percent: int
    annual_cap_fen: int


@dataclass(frozen=True, slots=True)
class TiltRange:
    """What tilt assistance can be for one set of costs."""

    low_fen: int  # at the lowest ratio
    high_fen: int  # at the highest ratio
    room_fen: int  # what is left of the annual cap before this grant
    capped: bool  # the cap cut the high end


def _percent(fen: int, percent: int) -> int:
    return (fen * percent + 50) // 100


def tilt_range(eligible_fen: int, granted_fen: int, terms: TiltTerms) -> TiltRange:
    """The range of tilt assistance for ``eligible_fen`` of costs when ``granted_fen`` was
    already granted this year; raises ``ValueError`` on a negative amount."""
    if eligible_fen < 0 or granted_fen < 0:
        raise ValueError("amounts must not be negative")
    room = max(terms.annual_cap_fen - granted_fen, 0)
    high = _percent(eligible_fen, terms.max_percent)
    return TiltRange(low_fen=min(_percent(eligible_fen, terms.min_percent), room),
                     high_fen=min(high, room), room_fen=room, capped=high > room)
