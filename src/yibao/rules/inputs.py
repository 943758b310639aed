"""Columnar engine input: one numpy array per field, one row per person.

Year lists (``covered_years``, ``back_pay_years``) are encoded as 64-bit masks
relative to each row's coverage year: bit k set ⇔ year (coverage_year − 1 − k)
is in the list.  That makes lapse counting and repair a few integer operations
per row instead of Python loops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

__all__ = ["QuoteColumns", "YearMask", "encode_year_lists", "encode_year_lists_flat"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]
Bool = npt.NDArray[np.bool_]
MASK_YEARS = 64


@dataclass(frozen=True)
class YearMask:
    """A year list per row as a bit mask, with what did not fit in it."""

    given: Bool  # the list was present (even if empty)
    mask: U64  # bit k = year (coverage_year - 1 - k)
    duplicate: Bool  # a year appears twice
    future: Bool  # a year at or after the coverage year
    too_old: Bool  # a year more than 64 years before the coverage year


@dataclass(frozen=True)
class QuoteColumns:
    """Validated-shape inputs of the engine (dates as day numbers, 0 where absent)."""

    region_idx: I32  # index into Policy.region_codes, -1 if unknown
    coverage_year: I32
    payment: I32
    birth: I32
    has_birth: Bool
    group: I32  # 0 none, 1.. Policy.groups, -1 unknown code
    covered: YearMask
    back_pay: YearMask
    employee_end: I32
    has_employee_end: Bool
    hardship: Bool
    status_kind: I32  # 0 none, 1.. index+1 in units.STATUS_KINDS (contract §2.2)
    status_date: I32  # the day the status began (0 where absent)

    def __len__(self) -> int:
        return len(self.coverage_year)

    def slice(self, start: int, stop: int) -> QuoteColumns:
        """Rows ``start:stop`` (views, no copies)."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, YearMask):
                value = YearMask(*(getattr(value, g.name)[start:stop] for g in fields(value)))
            else:
                value = value[start:stop]
            values[f.name] = value
        return QuoteColumns(**values)


def encode_year_lists_flat(
    values: I64, offsets: I64, given: Bool, coverage_year: I32
) -> YearMask:
    """Encode Arrow-style lists (flat ``values`` + ``offsets`` of length n+1) as masks."""
    n = len(coverage_year)
    lengths = np.diff(offsets)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    k = coverage_year[rows].astype(np.int64) - 1 - values
    fits = (k >= 0) & (k < MASK_YEARS)
    bits = np.where(fits, np.left_shift(np.uint64(1), np.clip(k, 0, 63).astype(np.uint64)),
                    np.uint64(0))
    mask = np.zeros(n, dtype=np.uint64)
    if len(lengths) and lengths.max() <= 1:
        mask[rows] = bits  # at most one year per row: no OR-accumulation needed
    else:
        np.bitwise_or.at(mask, rows, bits)
    n_fit = np.bincount(rows, weights=fits, minlength=n).astype(np.int64)
    future = np.bincount(rows, weights=k < 0, minlength=n) > 0
    too_old = np.bincount(rows, weights=k >= MASK_YEARS, minlength=n) > 0
    duplicate = np.bitwise_count(mask).astype(np.int64) != n_fit
    return YearMask(given=given, mask=mask, duplicate=duplicate, future=future, too_old=too_old)


def encode_year_lists(lists: Sequence[Sequence[int] | None], coverage_year: I32) -> YearMask:
    """Encode Python lists (None = absent) as masks (plain Python for a handful of rows)."""
    if len(lists) <= 16:
        return _encode_few(lists, coverage_year)
    lengths = np.fromiter((len(x) if x is not None else 0 for x in lists), np.int64, len(lists))
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter((v for x in lists if x is not None for v in x), np.int64, int(offsets[-1]))
    given = np.fromiter((x is not None for x in lists), np.bool_, len(lists))
    return encode_year_lists_flat(flat, offsets, given, coverage_year)


def _encode_few(lists: Sequence[Sequence[int] | None], coverage_year: I32) -> YearMask:
    n = len(lists)
    mask = np.zeros(n, dtype=np.uint64)
    given, duplicate, future, too_old = (np.zeros(n, dtype=np.bool_) for _ in range(4))
    for row, years in enumerate(lists):
        if years is None:
            continue
        given[row] = True
        bits = 0
        for year in years:
            k = int(coverage_year[row]) - 1 - year
            if k < 0:
                future[row] = True
            elif k >= MASK_YEARS:
                too_old[row] = True
            elif bits >> k & 1:
                duplicate[row] = True
            else:
                bits |= 1 << k
        mask[row] = bits
    return YearMask(given=given, mask=mask, duplicate=duplicate, future=future, too_old=too_old)
