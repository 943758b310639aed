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


def _characters(text: pa.Array, n: int) -> npt.NDArray[np.uint8]:
    """18 × n matrix of character values minus '0' (text: non-null, 18 bytes each)."""
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    start = int(np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset])
    return np.ascontiguousarray(data[start:start + 18 * n].reshape(n, 18).T) - np.uint8(ord("0"))


_LOWER_X = np.uint8(ord("x") - ord("0"))
_UPPER_X = np.uint8(ord("X") - ord("0"))


def _fast_characters(arr: pa.Array, n: int) -> npt.NDArray[np.uint8] | None:
    """The character matrix without any string copies, when every value is 18 clean bytes."""
    if not pa.types.is_string(arr.type) or arr.null_count or n == 0:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + n + 1]
    if not (np.diff(offsets) == 18).all():
        return None
    c = _characters(arr, n)
    if not ((c[:17] <= 9).all() and ((c[17] <= 9) | (c[17] == _UPPER_X) | (c[17] == _LOWER_X)).all()):
        return None  # whitespace or stray characters: the general path reports them exactly
    c[17][c[17] == _LOWER_X] = _UPPER_X
    return c


def check_id_numbers(arr: pa.Array) -> IdColumn:
    """Check every ID number of a string column (nulls and empty strings are absent)."""
    n = len(arr)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    fast = _fast_characters(arr, n)
    if fast is not None:  # every value is 17 digits + digit/X: no character checks needed
        c = d = fast
        present = length_ok = digits_ok = last_ok = np.ones(n, dtype=np.bool_)
    else:
        text = pc.utf8_upper(pc.utf8_trim_whitespace(arr.cast(pa.string())))
        present = np.asarray(pc.and_(pc.is_valid(text), pc.not_equal(text, "")).fill_null(False)
                             .to_numpy(zero_copy_only=False), dtype=np.bool_)
        length_ok = np.asarray(pc.equal(pc.binary_length(text), 18).fill_null(False)
                               .to_numpy(zero_copy_only=False), dtype=np.bool_)
        fixed = pc.if_else(pa.array(length_ok), text, "0" * 18)
        fixed = fixed.combine_chunks() if isinstance(fixed, pa.ChunkedArray) else fixed
        c = _characters(fixed, n)
        digit = c <= 9
        digits_ok = np.logical_and.reduce(digit[:17])
        last_ok = digit[17] | (c[17] == _UPPER_X)
        d = np.where(digit, c, np.uint8(0))

    def number(first: int, width: int) -> npt.NDArray[np.int32]:
        out = d[first].astype(np.int32)
        for k in range(first + 1, first + width):
            out *= 10
            out += d[k]
        return np.asarray(out, dtype=np.int32)

    province_ok = _PROVINCES[number(0, 2)]
    year, month, day = number(6, 4), number(10, 2), number(12, 2)
    date_ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900) & (year <= 2299)
    m = np.where(date_ok, (year - 1970) * 12 + month - 1, 0).astype(np.int32)
    first = month_start(m)
    date_ok &= day <= month_start(m + 1) - first
    total = np.zeros(n, dtype=np.int32)
    for k in range(17):
        total += d[k] * int(_WEIGHTS[k])
    check_ok = _CHECK[total % 11] == c[17] + np.uint8(ord("0"))
    error = np.zeros(n, dtype=np.int8)
    for code, bad in ((5, ~check_ok), (4, ~date_ok), (3, ~province_ok),
                      (2, ~(digits_ok & last_ok)), (1, ~length_ok)):
        error[bad] = code
    error[~present] = 0
    region = number(0, 6)
    return IdColumn(present=present, error=error,
                    birth=np.where(date_ok, first + day - 1, 0).astype(np.int32), region=region)
