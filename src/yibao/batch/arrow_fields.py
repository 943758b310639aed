"""Strict, vectorized parsing of Arrow columns into engine inputs.

Each parser returns the parsed values and a per-row ``bad`` mask for values
that are present but invalid, so that the runner can report the row's error
and carry on.  Accepts what Parquet stores natively (date32, integers, lists,
booleans) and the strings of a CSV file (ISO dates, ``;``-separated years).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.rules.calendar import month_start

__all__ = ["Parsed", "parse_bool", "parse_date", "parse_int", "parse_text", "parse_years"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Parsed:
    """Values of one column, whether each is present, and whether it is present but invalid."""

    values: npt.NDArray[np.int32]
    present: Bool
    bad: Bool


def _np_bool(arr: pa.Array | pa.ChunkedArray) -> Bool:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _ints_from_text(text: pa.Array, start: int, length: int) -> I32:
    part = pc.utf8_slice_codeunits(text, start, start + length)
    return np.asarray(pc.cast(part, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int32)


def parse_text(arr: pa.Array) -> pa.Array:
    """Strings with surrounding whitespace removed; empty strings become null."""
    if arr.null_count == len(arr):
        return pa.nulls(len(arr), pa.string())
    text = pc.utf8_trim_whitespace(arr.cast(pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def parse_date(arr: pa.Array) -> Parsed:
    """Day numbers of a date32/timestamp column or of strict ISO ``YYYY-MM-DD`` strings."""
    n = len(arr)
    if arr.null_count == n:
        nothing = np.zeros(n, dtype=np.bool_)
        return Parsed(np.zeros(n, dtype=np.int32), nothing, nothing)
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        days = pc.cast(pc.cast(arr, pa.date32()), pa.int32())
        present = _np_bool(pc.is_valid(days))
        values = np.asarray(days.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int32)
        return Parsed(values, present, np.zeros(n, dtype=np.bool_))
    text = parse_text(arr)
    present = _np_bool(pc.is_valid(text))
    shaped = _np_bool(pc.match_substring_regex(text, _DATE)) & present
    safe = pc.if_else(pa.array(shaped), text, "1970-01-01")
    year, month, day = (_ints_from_text(safe, 0, 4), _ints_from_text(safe, 5, 2),
                        _ints_from_text(safe, 8, 2))
    ok = shaped & (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900) & (year <= 2299)
    m = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype(np.int32)
    first = month_start(m)
    ok &= day <= month_start(m + 1) - first
    values = np.where(ok, first + day - 1, 0).astype(np.int32)
    return Parsed(values, present, present & ~ok)


def parse_int(arr: pa.Array) -> Parsed:
    """Integers of an integer column or of decimal-digit strings."""
    if pa.types.is_integer(arr.type) and arr.null_count == 0:
        plain = arr.to_numpy()  # no copy
        if len(plain) == 0 or (plain.min() >= -10**6 and plain.max() <= 10**6):
            return Parsed(plain.astype(np.int32, copy=False), np.ones(len(arr), dtype=np.bool_),
                          np.zeros(len(arr), dtype=np.bool_))
        wide = np.asarray(plain, dtype=np.int64)
        big = np.abs(wide) > 10**6
        small_values: npt.NDArray[np.int32] = np.where(big, 0, wide).astype(np.int32)
        return Parsed(small_values, np.ones(len(arr), dtype=np.bool_), big)
    if pa.types.is_integer(arr.type):
        present = _np_bool(pc.is_valid(arr))
        wide = np.asarray(pc.cast(arr, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        big = np.abs(wide) > 10**6
        small: npt.NDArray[np.int32] = np.where(big, 0, wide).astype(np.int32)
        return Parsed(small, present, big)
    text = parse_text(arr)
    present = _np_bool(pc.is_valid(text))
    ok = present & _np_bool(pc.match_substring_regex(text, r"^\d{1,6}$"))
    safe = pc.if_else(pa.array(ok), text, "0")
    values = np.asarray(pc.cast(safe, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int32)
    return Parsed(values, present, present & ~ok)


def parse_bool(arr: pa.Array) -> Parsed:
    """Booleans of a bool column or of true/false/1/0/yes/no strings (case-insensitive)."""
    n = len(arr)
    if arr.null_count == n:
        nothing = np.zeros(n, dtype=np.bool_)
        return Parsed(np.zeros(n, dtype=np.int32), nothing, nothing)
    if pa.types.is_boolean(arr.type):
        values = _np_bool(arr)
        return Parsed(values.astype(np.int32), _np_bool(pc.is_valid(arr)), np.zeros(n, np.bool_))
    text = pc.utf8_lower(parse_text(arr))
    present = _np_bool(pc.is_valid(text))
    yes = _np_bool(pc.is_in(text, pa.array(["true", "1", "yes"])))
    no = _np_bool(pc.is_in(text, pa.array(["false", "0", "no"])))
    return Parsed(yes.astype(np.int32), present, present & ~yes & ~no)


@dataclass(frozen=True)
class Years:
    """A list-of-years column as flat values and offsets."""

    values: I64
    offsets: I64
    given: Bool
    bad: Bool


def _list_buffers(arr: pa.Array, given: Bool) -> Years | None:
    """Years straight from a list column's offsets and values, when no null hides a value."""
    if isinstance(arr, pa.ChunkedArray) or not pa.types.is_list(arr.type):
        return None
    raw = np.asarray(arr.offsets, dtype=np.int64)
    if (np.diff(raw)[~given] != 0).any():
        return None  # a null list over values: let list_flatten drop them
    flat = arr.values.slice(int(raw[0]), int(raw[-1] - raw[0]))
    if flat.null_count or not pa.types.is_integer(flat.type):
        return None
    n = len(arr)
    return Years(flat.to_numpy().astype(np.int64), raw - raw[0], given, np.zeros(n, np.bool_))


def parse_years(arr: pa.Array) -> Years:
    """Parquet ``list<int>`` or CSV strings like ``2019;2020`` (``[]`` = an empty list)."""
    n = len(arr)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        if arr.null_count == n:
            nothing = np.zeros(n, dtype=np.bool_)
            return Years(np.zeros(0, np.int64), np.zeros(n + 1, np.int64), nothing, nothing)
        given = _np_bool(pc.is_valid(arr))
        fast = _list_buffers(arr, given)
        if fast is not None:
            return fast
        lengths = np.asarray(pc.list_value_length(arr).fill_null(0).to_numpy(), dtype=np.int64)
        flat = pc.list_flatten(arr)
        values = np.asarray(pc.cast(flat, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if flat.null_count == 0:
            return Years(values, offsets, given, np.zeros(n, dtype=np.bool_))
        rows = np.repeat(np.arange(n), lengths)
        bad = np.bincount(rows, weights=_np_bool(pc.is_null(flat)), minlength=n) > 0
        return Years(values, offsets, given, bad)
    text = parse_text(arr)
    given = _np_bool(pc.is_valid(text))
    empty = _np_bool(pc.equal(text, "[]")) & given
    text = pc.if_else(pa.array(empty | ~given), "", text)
    tokens = pc.split_pattern(text, ";")
    lengths = np.asarray(pc.list_value_length(tokens).to_numpy(), dtype=np.int64)
    lengths = np.where(empty | ~given, 0, lengths)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(pc.if_else(pa.array(empty | ~given),
                                                              pa.scalar([], tokens.type), tokens)))
    ok_items = _np_bool(pc.match_substring_regex(flat, r"^\d{4}$"))
    safe = pc.if_else(pa.array(ok_items), flat, "0")
    values = np.asarray(pc.cast(safe, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    rows = np.repeat(np.arange(n), lengths)
    bad = np.bincount(rows, weights=~ok_items, minlength=n) > 0
    return Years(values, offsets, given, bad)
