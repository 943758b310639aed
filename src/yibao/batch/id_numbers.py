"""Resident ID numbers (GB 11643-1999) checked a whole column at a time.

The same checks, in the same order and with the same error codes, as
``yibao.idcard.parse_id_number``: length, characters, province, birth date,
check character.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.idcard import PROVINCE_CODES
from yibao.rules.calendar import month_start

__all__ = ["IdColumn", "check_id_numbers"]

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_PROVINCES = np.zeros(100, dtype=np.bool_)
_PROVINCES[[int(p) for p in PROVINCE_CODES]] = True
ERROR_CODES = ("", "id_number_length", "id_number_format", "id_number_region",
               "id_number_birth_date", "id_number_checksum")


@dataclass(frozen=True)
class IdColumn:
    """Per row: present, error index into ERROR_CODES (0 = valid), birth day, region code."""

    present: npt.NDArray[np.bool_]
    error: npt.NDArray[np.int8]
    birth: npt.NDArray[np.int32]
    region: npt.NDArray[np.int32]


def check_id_numbers(arr: pa.Array) -> IdColumn:
    """Check every ID number of a string column (nulls and empty strings are absent)."""
    n = len(arr)
    text = pc.utf8_upper(pc.utf8_trim_whitespace(arr.cast(pa.string())))
    present = np.asarray(pc.and_(pc.is_valid(text), pc.not_equal(text, "")).fill_null(False)
                         .to_numpy(zero_copy_only=False), dtype=np.bool_)
    length_ok = np.asarray(pc.equal(pc.binary_length(text), 18).fill_null(False)
                           .to_numpy(zero_copy_only=False), dtype=np.bool_)
    fixed = pc.if_else(pa.array(length_ok), text, "0" * 18)
    fixed = fixed.combine_chunks() if isinstance(fixed, pa.ChunkedArray) else fixed
    data = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)
    start = int(np.frombuffer(fixed.buffers()[1], dtype=np.int32)[fixed.offset])
    chars = data[start:start + 18 * n].reshape(n, 18).astype(np.int64) - ord("0")
    digits_ok = ((chars[:, :17] >= 0) & (chars[:, :17] <= 9)).all(axis=1)
    last = chars[:, 17]
    last_ok = ((last >= 0) & (last <= 9)) | (last == ord("X") - ord("0"))
    safe = np.where((chars >= 0) & (chars <= 9), chars, 0)
    province_ok = _PROVINCES[safe[:, 0] * 10 + safe[:, 1]]
    year = safe[:, 6] * 1000 + safe[:, 7] * 100 + safe[:, 8] * 10 + safe[:, 9]
    month = safe[:, 10] * 10 + safe[:, 11]
    day = safe[:, 12] * 10 + safe[:, 13]
    date_ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900) & (year <= 2299)
    m = np.where(date_ok, (year - 1970) * 12 + month - 1, 0).astype(np.int32)
    first = month_start(m)
    date_ok &= day <= month_start(m + 1) - first
    expected = _CHECK[(safe[:, :17] * _WEIGHTS).sum(axis=1) % 11]
    check_ok = expected == (chars[:, 17] + ord("0"))
    error = np.select(
        [~length_ok, ~(digits_ok & last_ok), ~province_ok, ~date_ok, ~check_ok],
        [1, 2, 3, 4, 5], 0,
    ).astype(np.int8)
    error = np.where(present, error, 0).astype(np.int8)
    region = (safe[:, :6] * np.array([100000, 10000, 1000, 100, 10, 1])).sum(axis=1)
    return IdColumn(present=present, error=error,
                    birth=np.where(date_ok, first + day - 1, 0).astype(np.int32),
                    region=region.astype(np.int32))
