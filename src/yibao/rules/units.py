"""The units a policy parameter file may declare, and what a value of each looks like.

    >>> check_unit("fen", 40000), check_unit("fen", 1.5)
    (True, False)
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNITS", "check_unit"]

_WAITING_KEYS = {"fixed_months", "variable_months_per_lapse_year",
                 "repair_months_per_back_paid_year", "repair_floor_months",
                 "repair_floor_from_lapse_years"}


def _nonneg(value: Any, high: int | None = None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0
            and (high is None or value <= high))


def _month_day(value: Any) -> bool:
    if not (isinstance(value, str) and len(value) == 5 and value[2] == "-"):
        return False
    month, day = value[:2], value[3:]
    return month.isdigit() and day.isdigit() and 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _waiting(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == _WAITING_KEYS | {"count_from_next_month"}
            and all(_nonneg(value[k], 24) for k in _WAITING_KEYS)
            and isinstance(value["count_from_next_month"], bool))


def _assistance(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v in ("full", "unpublished") or _nonneg(v))
        for k, v in value.items())


def _tilt(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"min_percent", "max_percent", "annual_cap"}
            and all(_nonneg(v) for v in value.values())
            and value["min_percent"] <= value["max_percent"] <= 100)


def _period(value: Any) -> bool:
    return (isinstance(value, dict) and len(value) == 1 and set(value) <= {"months", "days"}
            and all(_nonneg(v, 400) and v > 0 for v in value.values()))


CHECKS = {
    "fen": _nonneg,
    "month_day": _month_day,
    "month_day_pair": lambda v: isinstance(v, list) and len(v) == 2 and all(map(_month_day, v)),
    "month": lambda v: _nonneg(v, 12),
    "months": lambda v: _nonneg(v, 24),
    "enum[old,new]": lambda v: v in ("old", "new"),
    "period": _period,
    "waiting": _waiting,
    "assistance": _assistance,
    "notes": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "base_rate": lambda v: isinstance(v, dict) and set(v) == {"base", "rate_bp"}
    and all(_nonneg(x) for x in v.values()),
    "tilt": _tilt,
}
UNITS = tuple(CHECKS)


def check_unit(unit: str, value: Any) -> bool:
    """Whether ``value`` fits ``unit`` (an unpublished value, None, always fits)."""
    if value is None:
        return True
    check = CHECKS.get(unit)
    return bool(check and check(value))
