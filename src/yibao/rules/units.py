"""The units a policy parameter file may declare, and what a value of each looks like.

    >>> check_unit("fen", 40000), check_unit("fen", 1.5)
    (True, False)
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["STATUS_KINDS", "UNITS", "check_unit"]

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
    """The waiting periods; ``fixed_days`` (optional, Jieyang's 90 days) counts the fixed
    wait in days instead of months, so ``fixed_months`` must then be 0 (C32)."""
    required = _WAITING_KEYS | {"count_from_next_month"}
    return (isinstance(value, dict) and required <= set(value) <= required | {"fixed_days"}
            and all(_nonneg(value[k], 24) for k in _WAITING_KEYS)
            and isinstance(value["count_from_next_month"], bool)
            and (value.get("fixed_days", 0) == 0
                 or (_nonneg(value["fixed_days"], 400) and value["fixed_months"] == 0)))


def _assistance(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v in ("full", "unpublished") or _nonneg(v))
        for k, v in value.items())


def _tilt(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"min_percent", "max_percent", "annual_cap"}
            and all(_nonneg(v) for v in value.values())
            and value["min_percent"] <= value["max_percent"] <= 100)


def _period(value: Any) -> bool:
    """``{months: n}``, ``{days: n}``, or ``{birth_year: true}`` (no window stated: the rest
    of the birth year, C33)."""
    if value == {"birth_year": True}:
        return True
    return (isinstance(value, dict) and len(value) == 1 and set(value) <= {"months", "days"}
            and all(_nonneg(v, 400) and v > 0 for v in value.values()))


#: the status changes of a quote's ``status_change.kind`` (contract §2.2)
STATUS_KINDS = ("released_from_prison", "discharged_veteran", "severe_disability_certified")


def _status_exemption(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"kinds", "window"}
            and isinstance(value["kinds"], list) and len(value["kinds"]) > 0
            and all(k in STATUS_KINDS for k in value["kinds"])
            and len(set(value["kinds"])) == len(value["kinds"])
            and value["window"] != {"birth_year": True} and _period(value["window"]))


def _lapse_restart(value: Any) -> bool:
    return (isinstance(value, dict)
            and set(value) == {"benefits_stop", "over_months", "start_month"}
            and value["benefits_stop"] in ("end_day", "next_month")
            and _nonneg(value["over_months"], 24) and _nonneg(value["start_month"], 24)
            and value["start_month"] > 0)


def _child_enrolment(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) == {"concentrated_period_only", "under_age"}
            and isinstance(value["concentrated_period_only"], bool)
            and _nonneg(value["under_age"], 18) and value["under_age"] > 0)


def _incentive(value: Any) -> bool:
    keys = {"after_years", "rise_per_year", "zero_claim_rise", "max_percent_of_base"}
    return (isinstance(value, dict) and set(value) == keys
            and all(_nonneg(v) for v in value.values())
            and value["after_years"] <= 50 and value["max_percent_of_base"] <= 100)


def _iso_day(value: Any) -> bool:
    if not (isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _online_window(value: Any) -> bool:
    return (isinstance(value, dict)
            and set(value) == {"opens", "closes", "near_retirement", "near_months"}
            and _iso_day(value["opens"]) and _iso_day(value["closes"])
            and value["opens"] <= value["closes"]
            and isinstance(value["near_retirement"], dict)
            and set(value["near_retirement"]) == {"female", "male"}
            and all(_nonneg(v, 100) for v in value["near_retirement"].values())
            and _nonneg(value["near_months"], 60))


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
    "status_exemption": _status_exemption,
    "lapse_restart": _lapse_restart,
    "child_enrolment": _child_enrolment,
    "incentive": _incentive,
    "online_window": _online_window,
}
UNITS = tuple(CHECKS)


def check_unit(unit: str, value: Any) -> bool:
    """Whether ``value`` fits ``unit`` (an unpublished value, None, always fits)."""
    if value is None:
        return True
    check = CHECKS.get(unit)
    return bool(check and check(value))
