"""Row errors the engine reports instead of an answer (exit code 2 / HTTP 422 for one quote)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["ERRORS", "RowError", "first_error", "first_errors"]


@dataclass(frozen=True)
class RowError:
    """A reason a row cannot be answered."""

    code: str
    field: str
    message: str
    message_en: str


ERRORS: tuple[RowError, ...] = (
    RowError("ok", "", "", ""),
    RowError("unknown_region", "region", "地区代码不在政策数据中", "unknown region code"),
    RowError("unsupported_year", "coverage_year", "该地区该参保年度没有政策数据",
             "no policy data for this region and coverage year"),
    RowError("payment_too_early", "payment_date",
             "缴费日期早于该参保年度集中缴费期的开始日,该年度还不能缴费",
             "payment date is before the concentrated period of this coverage year opens (C11)"),
    RowError("payment_too_late", "payment_date",
             "缴费日期晚于参保年度12月31日,该年度已不能缴费;断保年度可在当前年度缴费时一并补缴",
             "payment date is after Dec 31 of the coverage year; use back_pay_years on a current "
             "quote instead (C11)"),
    RowError("born_after_payment", "birth_date", "出生日期晚于缴费日期",
             "birth date is after the payment date"),
    RowError("born_after_coverage_year", "birth_date", "出生日期晚于参保年度",
             "birth date is after the coverage year"),
    RowError("unknown_special_group", "special_group", "该地区没有这个特殊群体代码",
             "unknown special_group code for this region"),
    RowError("back_pay_duplicate", "back_pay_years", "补缴年度重复列出",
             "a year is listed twice in back_pay_years (C19)"),
    RowError("back_pay_not_past", "back_pay_years", "补缴年度必须早于参保年度",
             "back_pay_years must be before the coverage year"),
    RowError("back_pay_not_allowed", "back_pay_years",
             "2025年以前只能为新生儿补缴出生当年",
             "before 2025 only a newborn's birth year can be back-paid (C10, C4)"),
    RowError("back_pay_outside_lapse", "back_pay_years",
             "补缴年度不在断保期内", "a back-paid year lies outside the lapse (C10)"),
    RowError("status_change_after_payment", "status_change.date",
             "身份变化日期晚于缴费日期", "the status change began after the payment date"),
)
CODE = {e.code: i for i, e in enumerate(ERRORS)}


def first_error(err: npt.NDArray[np.int64], condition: npt.NDArray[np.bool_], code: str) -> None:
    """Set ``code`` on rows matching ``condition`` that have no error yet (in place)."""
    np.copyto(err, CODE[code], where=condition & (err == 0))


#: up to this many rows the conditions are resolved at once (a quote and its scenario rows)
_FEW_ROWS = 256


def first_errors(err: npt.NDArray[np.int64], found: list[tuple[npt.NDArray[np.bool_], str]]
                 ) -> None:
    """:func:`first_error` for each (condition, code) of ``found`` in order; for a few rows
    in one pass over the stacked conditions instead of three array operations each."""
    if len(err) > _FEW_ROWS:
        for condition, code in found:
            first_error(err, condition, code)
        return
    hits = np.array([condition for condition, _ in found], dtype=np.bool_).reshape(
        len(found), len(err))
    row_hit = hits.any(axis=0)
    if np.count_nonzero(row_hit):
        codes = np.array([CODE[code] for _, code in found], dtype=np.int64)
        np.copyto(err, codes.take(hits.argmax(axis=0)), where=row_hit & (err == 0))
