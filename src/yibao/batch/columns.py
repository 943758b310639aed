"""Arrow record batch → engine columns, and engine results → Arrow output columns.

Row errors found here (a malformed date, a bad ID number, ...) take precedence
over the engine's, in the order the single quote reports them, so that one
row gives the same error code either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.batch.arrow_fields import (
    Parsed,
    parse_bool,
    parse_date,
    parse_int,
    parse_text,
    parse_years,
)
from yibao.batch.id_numbers import ERROR_CODES as ID_ERRORS
from yibao.batch.id_numbers import check_id_numbers
from yibao.rules.catalogue import RULES
from yibao.rules.engine import MISSING, QuoteResults
from yibao.rules.inputs import QuoteColumns, YearMask, encode_year_lists_flat
from yibao.rules.policy import Policy
from yibao.rules.units import STATUS_KINDS
from yibao.rules.validation import ERRORS

__all__ = ["INPUT_COLUMNS", "OUTPUT_SCHEMA", "Prepared", "prepare", "results_table"]

INPUT_COLUMNS = ("region", "coverage_year", "payment_date", "id_number", "birth_date",
                 "special_group", "covered_years", "employee_insurance_end_date",
                 "back_pay_years", "hardship_deferral", "status_change_kind",
                 "status_change_date")

# Errors found before the engine runs, in the single quote's order: (code, field)
PRE_ERRORS: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("invalid_value", "region"),
    ("missing_field", "coverage_year"),
    ("invalid_value", "coverage_year"),
    ("missing_field", "payment_date"),
    ("invalid_value", "payment_date"),
    ("invalid_value", "birth_date"),
    ("invalid_value", "covered_years"),
    ("invalid_value", "employee_insurance_end_date"),
    ("invalid_value", "back_pay_years"),
    ("invalid_value", "hardship_deferral"),
    ("invalid_value", "status_change_kind"),
    ("missing_field", "status_change_kind"),
    ("missing_field", "status_change_date"),
    ("invalid_date", "status_change_date"),
    *((code, "id_number") for code in ID_ERRORS[1:]),
    ("birth_date_mismatch", "birth_date"),
    ("missing_field", "region"),
)
PRE = {pair: i for i, pair in enumerate(PRE_ERRORS)}
# The error column's dictionary: pre-engine errors, then the engine's
ERROR_LABELS = [code for code, _ in PRE_ERRORS] + [e.code for e in ERRORS[1:]]
ERROR_FIELDS = [f for _, f in PRE_ERRORS] + [e.field for e in ERRORS[1:]]
RULE_LABELS = ["", *(r.id for r in RULES)]
_MAIN_RULE_INDEX = np.zeros(1 << len(RULES), dtype=np.int32)
_MAIN_RULE_INDEX[[1 << i for i in range(len(RULES))]] = np.arange(1, len(RULES) + 1)
_MISSING_LABELS = [";".join(name for b, name in enumerate(MISSING) if m & (1 << b))
                   for m in range(1 << len(MISSING))]

LABEL = pa.dictionary(pa.int32(), pa.string())
OUTPUT_SCHEMA = pa.schema([
    ("amount_due", pa.int64()),
    ("back_pay", pa.int64()),
    ("benefit_start", pa.date32()),
    ("benefit_end", pa.date32()),
    ("waiting_fixed", pa.int32()),
    ("waiting_variable", pa.int32()),
    ("rule", LABEL),
    ("missing", LABEL),
    ("error", LABEL),
    ("error_field", LABEL),
    ("waiting_fixed_days", pa.int32()),  # a fixed wait counted in days (Jieyang, C32)
    ("continuous_years", pa.int32()),  # 连续参保年限 at the coverage year; null = not counted (C36)
])


@dataclass(frozen=True)
class Prepared:
    """Engine columns of a batch and the errors found while parsing it (index into PRE_ERRORS)."""

    columns: QuoteColumns
    pre_error: npt.NDArray[np.int32]


def _column(batch: pa.RecordBatch, name: str, n: int) -> pa.Array:
    if name in batch.schema.names:
        return batch.column(name)
    return pa.nulls(n, pa.string())


def _set(err: npt.NDArray[np.int32], mask: npt.NDArray[np.bool_], code: str, field: str) -> None:
    if mask.any():  # most checks find nothing: skip the two passes over the rows
        np.copyto(err, PRE[(code, field)], where=mask & (err == 0))


def _year_mask(parsed_values: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
               given: npt.NDArray[np.bool_], years: npt.NDArray[np.int32]) -> YearMask:
    values, offsets = parsed_values
    return encode_year_lists_flat(values, offsets, given, years)


def prepare(batch: pa.RecordBatch, policy: Policy) -> Prepared:
    """Parse one record batch into engine columns and per-row parse errors."""
    n = batch.num_rows
    err = np.zeros(n, dtype=np.int32)
    region_present, region_ok, region_code = _regions(_column(batch, "region", n))
    _set(err, region_present & ~region_ok, "invalid_value", "region")
    year = parse_int(_column(batch, "coverage_year", n))
    _set(err, ~year.present, "missing_field", "coverage_year")
    year_bad = year.bad | (year.values < 1900) | (year.values > 2200)
    _set(err, year.present & year_bad, "invalid_value", "coverage_year")
    pay = parse_date(_column(batch, "payment_date", n))
    _set(err, ~pay.present, "missing_field", "payment_date")
    _set(err, pay.bad, "invalid_value", "payment_date")
    birth = parse_date(_column(batch, "birth_date", n))
    _set(err, birth.bad, "invalid_value", "birth_date")
    covered = parse_years(_column(batch, "covered_years", n))
    cov_range = _out_of_range(covered.values, covered.offsets, n)
    _set(err, covered.bad | cov_range, "invalid_value", "covered_years")
    employee_end = parse_date(_column(batch, "employee_insurance_end_date", n))
    _set(err, employee_end.bad, "invalid_value", "employee_insurance_end_date")
    back = parse_years(_column(batch, "back_pay_years", n))
    _set(err, back.bad | _out_of_range(back.values, back.offsets, n), "invalid_value",
         "back_pay_years")
    hardship: Parsed = parse_bool(_column(batch, "hardship_deferral", n))
    _set(err, hardship.bad, "invalid_value", "hardship_deferral")
    status_kind, status_date = _status_change(batch, n, err)
    ids = check_id_numbers(_column(batch, "id_number", n))
    for i, code in enumerate(ID_ERRORS[1:], start=1):
        _set(err, ids.error == i, code, "id_number")
    id_ok = ids.present & (ids.error == 0)
    _set(err, id_ok & birth.present & (birth.values != ids.birth), "birth_date_mismatch",
         "birth_date")
    _set(err, ~region_present & ~id_ok, "missing_field", "region")

    region_code = np.where(region_present, region_code, np.where(id_ok, ids.region, 0))
    group = _groups(_column(batch, "special_group", n), policy)
    years = np.where(year_bad, 0, year.values).astype(np.int32)
    has_birth = (birth.present & ~birth.bad) | id_ok
    columns = QuoteColumns(
        region_idx=policy.region_lut[region_code],
        coverage_year=years,
        payment=pay.values,
        birth=np.where(birth.present, birth.values, ids.birth).astype(np.int32),
        has_birth=has_birth,
        group=group.astype(np.int32),
        covered=_year_mask((covered.values, covered.offsets), covered.given, years),
        back_pay=_year_mask((back.values, back.offsets), back.given, years),
        employee_end=employee_end.values,
        has_employee_end=employee_end.present & ~employee_end.bad,
        hardship=hardship.values.astype(np.bool_),
        status_kind=status_kind,
        status_date=status_date,
    )
    return Prepared(columns, err)


def _status_change(batch: pa.RecordBatch, n: int,
                   err: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """``status_change_kind`` / ``status_change_date``: the quote's ``status_change`` (contract
    §2.2) as two columns, both or neither; errors in the single quote's order."""
    kinds = parse_text(_column(batch, "status_change_kind", n))
    index = pc.index_in(kinds, value_set=pa.array(STATUS_KINDS, pa.string()))
    present = np.asarray(pc.is_valid(kinds).to_numpy(zero_copy_only=False), dtype=np.bool_)
    kind = np.asarray(index.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int32) + 1
    day = parse_date(_column(batch, "status_change_date", n))
    _set(err, present & (kind == 0), "invalid_value", "status_change_kind")
    _set(err, ~present & day.present, "missing_field", "status_change_kind")
    _set(err, present & ~day.present, "missing_field", "status_change_date")
    _set(err, day.bad, "invalid_date", "status_change_date")
    ok = present & (kind > 0) & day.present & ~day.bad
    return (np.where(ok, kind, 0).astype(np.int32),
            np.where(ok, day.values, 0).astype(np.int32))


def _spread(arr: pa.DictionaryArray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
    """A dictionary column's rows: (not null, index into its dictionary; 0 where null)."""
    indices = arr.indices
    valid = np.asarray(pc.is_valid(indices).to_numpy(zero_copy_only=False), dtype=np.bool_)
    at = np.asarray(indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.intp)
    return valid, at


def _groups(arr: pa.Array, policy: Policy) -> npt.NDArray[np.int64]:
    """Special groups: 0 none, -1 unknown, else the policy's group index + 1."""
    if pa.types.is_dictionary(arr.type) and len(arr.dictionary):
        valid, at = _spread(arr)  # each distinct value once (a column read as a dictionary)
        return np.where(valid, _groups(arr.dictionary, policy)[at], 0)
    groups = parse_text(arr)
    group_idx = pc.index_in(groups, value_set=pa.array(policy.groups, pa.string()))
    return np.where(np.asarray(pc.is_valid(groups).to_numpy(zero_copy_only=False), bool),
                    np.asarray(group_idx.fill_null(-2).to_numpy(zero_copy_only=False)) + 1, 0)


def _regions(arr: pa.Array) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_],
                                     npt.NDArray[np.int32]]:
    """Region codes: (present, six digits, code) per row."""
    n = len(arr)
    if pa.types.is_dictionary(arr.type) and len(arr.dictionary):
        valid, at = _spread(arr)  # each distinct value once (a column read as a dictionary)
        present, ok, code = _regions(arr.dictionary)
        return valid & present[at], valid & ok[at], np.where(valid, code[at], 0).astype(np.int32)
    if pa.types.is_string(arr.type) and arr.null_count == 0 and n:
        lengths = pc.binary_length(arr).to_numpy(zero_copy_only=False)
        if (lengths == 6).all():
            try:
                code = np.asarray(pc.cast(arr, pa.int32()).to_numpy(zero_copy_only=False),
                                  dtype=np.int32)
            except pa.ArrowInvalid:
                pass  # some value is not a number: the general path says which
            else:
                if (code >= 100_000).all():  # six digits, no sign
                    ones = np.ones(n, dtype=np.bool_)
                    return ones, ones, code
    text = parse_text(arr)
    present = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=np.bool_)
    ok = np.asarray(pc.match_substring_regex(text, r"^\d{6}$").fill_null(False)
                    .to_numpy(zero_copy_only=False), dtype=np.bool_)
    code = np.asarray(pc.cast(pc.if_else(pa.array(ok), text, "0"), pa.int32())
                      .to_numpy(zero_copy_only=False), dtype=np.int32)
    return present, ok, code


def _out_of_range(values: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64],
                  n: int) -> npt.NDArray[np.bool_]:
    outside = (values < 1900) | (values > 2200)
    if not outside.any():
        return np.zeros(n, dtype=np.bool_)
    rows = np.repeat(np.arange(n), np.diff(offsets))
    return np.bincount(rows, weights=outside, minlength=n) > 0


def _labels(index: npt.NDArray[np.int32], labels: list[str]) -> pa.Array:
    """Dictionary-encoded labels (index 0 = null): no string is copied per row."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32(), mask=index == 0),
                                          pa.array(labels, pa.string()))


def results_table(prepared: Prepared, res: QuoteResults, start: int = 0) -> pa.Table:
    """Output columns (contract §3) of the rows ``start:start+len(res)`` of a prepared batch."""
    pre = prepared.pre_error[start:start + len(res.error)]
    err = np.where(pre > 0, pre, np.where(res.error > 0, res.error + len(PRE_ERRORS) - 1, 0))
    ok = err == 0
    amount_ok = ok & res.amount_known
    start_ok = ok & res.start_known
    main = _MAIN_RULE_INDEX.take(res.main_rule)
    return pa.table({
        "amount_due": pa.array(res.amount, pa.int64(), mask=~amount_ok),
        # unknown only when years are back-paid at an unpublished share (none: 0, known)
        "back_pay": pa.array(res.back_pay, pa.int64(),
                             mask=~ok | (((res.missing & 1) != 0) & (res.back_pay_years > 0))),
        "benefit_start": pa.array(res.start, pa.int32(), mask=~start_ok).cast(pa.date32()),
        "benefit_end": pa.array(res.end, pa.int32(), mask=~ok).cast(pa.date32()),
        "waiting_fixed": pa.array(res.wait_fixed, pa.int32(), mask=~ok),
        "waiting_variable": pa.array(res.wait_variable, pa.int32(), mask=~ok),
        "rule": _labels(np.where(ok, main, 0).astype(np.int32), RULE_LABELS),
        "missing": _labels(np.where(ok, res.missing, 0).astype(np.int32), _MISSING_LABELS),
        "error": _labels(err.astype(np.int32), ERROR_LABELS),
        "error_field": _labels(err.astype(np.int32), ERROR_FIELDS),
        "waiting_fixed_days": pa.array(res.wait_fixed_days, pa.int32(), mask=~ok),
        "continuous_years": pa.array(res.continuous, pa.int32(), mask=~ok | (res.continuous < 0)),
    }, schema=OUTPUT_SCHEMA)
