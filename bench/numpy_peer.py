"""A plain numpy reading of yibao's rules, as a peer for the rules benchmark (issue 19).

    out = peer(policy, columns)      # the same parsed columns the engine reads

What one engineer would write straight from docs/rules.md with numpy: per-row parameters
gathered from the policy table of (region, year), dates with ``datetime64``, one pass of
``np.where`` per decision, no rule registry, no explanation bits, no slicing.  ``cal=TABLES``
swaps ``datetime64`` for the engine's month tables (``yibao.rules.calendar``): the bench
reports that variant too, in the engine's slices, to show what the engine's lead is made of.  It covers
what the bench's population (``bench/population.py``) exercises: the regime from 2025
(waiting periods), newborns, special groups, lapses with back-payment, transfers from
employee insurance; it refuses rows that need anything else (the regime before 2025,
hardship deferral, status changes, Guilin's start after a lapse, Jieyang's wait in days,
Qinghai's children, a newborn window of the whole birth year).

It answers the batch's output columns (``amount_due``, ``back_pay``, ``benefit_start``,
``benefit_end``, the waiting months, the main rule, ``missing``, the row error and the
continuous years); ``tests/test_numpy_peer.py`` checks it agrees with the engine row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from yibao.rules import calendar
from yibao.rules.inputs import QuoteColumns
from yibao.rules.policy import F, Policy

__all__ = ["DT64", "ERROR_CODES", "MAIN_RULES", "TABLES", "Calendar", "peer"]

Array = npt.NDArray[Any]
PUBLISHED = 1
NEW = 2
ASSIST_FULL, ASSIST_FIXED, ASSIST_FIXED_UNPUBLISHED = 1, 2, 3
#: the row errors, in the order a row reports the first that applies
ERROR_CODES = ("ok", "unknown_region", "unsupported_year", "payment_too_early",
               "payment_too_late", "born_after_payment", "born_after_coverage_year",
               "unknown_special_group", "back_pay_duplicate", "back_pay_not_past",
               "back_pay_not_allowed", "back_pay_outside_lapse")
#: the main rule of a row, by index
MAIN_RULES = ("R-START-NEWBORN", "R-WAIT-EXEMPT", "R-START-ONTIME", "R-START-TRANSFER",
              "R-WAIT-FIXED", "R-WAIT-VARIABLE", "R-WAIT-REPAIR")
NEWBORN, EXEMPT, ONTIME, TRANSFER, FIXED, VARIABLE, REPAIR = range(len(MAIN_RULES))
_UNSUPPORTED = (F.FIXED_DAYS, F.RELAPSE_ON, F.NB_BIRTH_YEAR, F.CHILD_PERIOD_ONLY,
                F.STOP_NEXT_MONTH)


def _month_dt64(days: Array) -> Array:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start_dt64(months: Array) -> Array:
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _year_dt64(days: Array) -> Array:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class Calendar(NamedTuple):
    """Month and year of day numbers: ``datetime64`` (plain) or yibao's lookup tables."""

    month: Callable[[Array], Array]
    month_start: Callable[[Array], Array]
    year: Callable[[Array], Array]

    def add_months(self, days: Array, months: Array | int) -> Array:
        """Same day of month ``months`` later, clamped to the month's last day."""
        m = self.month(days)
        day = days - self.month_start(m)
        first = self.month_start(m + months)
        last = self.month_start(m + months + 1) - 1
        return np.minimum(first + day, last)


DT64 = Calendar(_month_dt64, _month_start_dt64, _year_dt64)
TABLES = Calendar(lambda d: calendar.month_index(np.asarray(d)),
                  lambda m: calendar.month_start(np.asarray(m)),
                  lambda d: calendar.year_of(np.asarray(d)))


def _bits(x: Array) -> Array:
    return np.bitwise_count(x).astype(np.int64)


def peer(policy: Policy, c: QuoteColumns, cal: Calendar = DT64) -> dict[str, Array]:
    """The batch's answers for every row of ``c`` (money in fen, dates as day numbers);
    ``cal=TABLES`` does the calendar arithmetic with the engine's lookup tables."""
    n = len(c)
    year = c.coverage_year.astype(np.int64)
    pay = c.payment.astype(np.int64)

    # parameters of each row's (region, year)
    yoff = year - policy.first_year
    known = (c.region_idx >= 0) & (yoff >= 0) & (yoff < policy.n_years)
    key = np.where(known, c.region_idx * policy.n_years + yoff, 0)
    gathered: dict[int, Array] = {}

    def p(field: int) -> Array:
        """One parameter for every row (gathered once)."""
        if field not in gathered:
            gathered[field] = policy.table_t[field][key]
        return gathered[field]

    regime = np.where(known, p(F.REGIME), 0)
    if np.any((regime != NEW) & known) or any(np.any(p(f) != 0) for f in _UNSUPPORTED):
        raise ValueError("the peer reads the regime from 2025 without regional variants only")
    if c.hardship.any() or np.any(c.status_kind != 0):
        raise ValueError("the peer reads no hardship deferral or status change")
    jan1, dec31 = p(F.JAN1), p(F.DEC31)

    # newborns: born this year or last, paid within the window after birth
    birth = c.birth.astype(np.int64)
    has_birth = c.has_birth
    birth_year = cal.year(birth)
    born_y = has_birth & (birth_year == year)
    born_prev = has_birth & (birth_year == year - 1)
    window_end = np.where(p(F.NB_DAYS) > 0, birth + p(F.NB_DAYS),
                          cal.add_months(birth, p(F.NB_MONTHS)))
    nb_last = np.where(has_birth & (birth_year >= year - 1) & (p(F.NB_ST) == PUBLISHED),
                       window_end, 0)
    nb_in = (born_y | born_prev) & (pay <= nb_last)

    # special groups
    group = c.group
    has_group = group > 0
    kind = policy.assist_kind[key, np.maximum(group, 0)]

    # lapse: the uncovered years just before the coverage year (never the birth year)
    cov = c.covered.mask
    first_enroll = c.covered.given & (cov == 0)
    lowest = cov & (~cov + np.uint64(1))
    lapse = np.where(c.covered.given & ~first_enroll, _bits(lowest - np.uint64(1)), 0)
    lapse = np.where(has_birth, np.minimum(lapse, np.maximum(year - 1 - birth_year, 0)), lapse)

    # back-payment of lapse years (and of a newborn's birth year)
    bp = c.back_pay
    lapse_bits = (np.uint64(1) << lapse.astype(np.uint64)) - np.uint64(1)
    birth_bit = np.where(born_prev & nb_in, np.uint64(1), np.uint64(0))
    repaired = _bits(bp.mask & lapse_bits)
    n_back = _bits(bp.mask)
    birth_back = (bp.mask & birth_bit) != 0

    # row errors, the first that applies
    checks = [
        ~(c.region_idx >= 0),
        (regime == 0) | (p(F.CONC_ST) != PUBLISHED),
        pay < p(F.CONC_START_DAY),
        pay > dec31,
        has_birth & (birth > pay),
        has_birth & (birth_year > year),
        (group < 0) | (has_group & (kind == 0)),
        bp.given & bp.duplicate,
        bp.given & bp.future,
        np.zeros(n, dtype=bool),  # before 2025 only
        bp.given & (bp.too_old | ((bp.mask & ~(lapse_bits | birth_bit)) != 0)),
    ]
    error = np.select(checks, np.arange(1, len(checks) + 1), 0)

    # what is due
    late = pay > p(F.DEADLINE_DAY)
    no_surcharge = nb_in | has_group
    need_subsidy = late & ~no_surcharge
    individual = p(F.SHARE)
    subsidy = np.where(need_subsidy, p(F.SUBSIDY), 0)
    full = kind == ASSIST_FULL
    assistance = np.where(has_group & full, -individual, np.where(
        has_group & (kind == ASSIST_FIXED),
        -np.minimum(policy.assist_amount[key, np.maximum(group, 0)], individual), 0))
    amount = individual + subsidy + assistance
    subsidy_missing = need_subsidy & (p(F.SUBSIDY_ST) != PUBLISHED)
    missing = (np.where(p(F.SHARE_ST) != PUBLISHED, 1, 0)
               | np.where(subsidy_missing, 2, 0)
               | np.where((p(F.DEADLINE_ST) != PUBLISHED) & (pay >= jan1) & ~no_surcharge, 4, 0)
               | np.where(has_group & (kind == ASSIST_FIXED_UNPUBLISHED), 8, 0))
    amount_known = (missing == 0) | (full & ~subsidy_missing)
    back_pay = n_back * individual + np.where(birth_back, p(F.PREV_SHARE) - individual, 0)
    missing |= np.where(birth_back & (p(F.PREV_SHARE_ST) != PUBLISHED), 1, 0)

    # when cover starts: exemptions first, then the waiting periods
    pay_month = cal.month(pay)
    this_month = np.maximum(cal.month_start(pay_month), jan1)
    concentrated = pay <= p(F.CONC_END_DAY)
    end = c.employee_end.astype(np.int64)
    transfer = (c.has_employee_end & (pay >= end) & (p(F.TRANSFER_ST) == PUBLISHED)
                & np.where(p(F.TRANSFER_MONTHS) == 0, cal.year(pay) == cal.year(end),
                           pay <= cal.add_months(end, p(F.TRANSFER_MONTHS))))
    fixed = p(F.FIXED)
    variable_before = np.maximum(lapse - 1, 0) * p(F.VAR_PER)
    variable = np.maximum(variable_before - repaired * p(F.REPAIR_PER), 0)
    variable = np.where(lapse >= p(F.FLOOR_FROM), np.maximum(variable, p(F.FLOOR) - fixed),
                        variable)
    anchor = np.maximum(np.where(p(F.FROM_NEXT) == 1, cal.month_start(pay_month + 1), pay), jan1)
    waited = cal.add_months(anchor, fixed + variable)
    on_time = concentrated & (lapse == 0)
    cases = [nb_in & born_y, nb_in, has_group, on_time, transfer]
    start = np.select(cases, [birth, jan1, np.maximum(pay, jan1), jan1, this_month], waited)
    general = ~np.any(cases, axis=0)
    main_rule = np.select([*cases, repaired > 0, variable > 0],
                          [NEWBORN, NEWBORN, EXEMPT, ONTIME, TRANSFER, REPAIR, VARIABLE], FIXED)
    start_known = start <= dec31

    # continuous years at the coverage year
    prior_covered = ~first_enroll & ~born_y & ~born_prev & ~(main_rule == TRANSFER)
    reset = (p(F.RESET_MONTHS) > 0) & ((lapse >= 1) | (prior_covered & (
        ~start_known | (start > p(F.RESET_DAY)))))
    ones = ~cov
    trailing_ones = _bits((ones & (~ones + np.uint64(1))) - np.uint64(1))
    before = np.where(c.covered.given, trailing_ones, 64)
    before = np.where(has_birth, np.minimum(before, np.maximum(year - birth_year, 0)), before)
    count_from = p(F.COUNT_FROM)
    before = np.minimum(before, np.maximum(cal.year(jan1) - count_from, 0))
    continuous = np.where(count_from > 0,
                          start_known + np.where(reset | ~start_known, 0, before), -1)

    return {
        "error": error, "amount": amount, "amount_known": amount_known, "back_pay": back_pay,
        "start": start, "start_known": start_known, "end": dec31,
        "wait_fixed": np.where(general, fixed, 0), "wait_variable": np.where(general, variable, 0),
        "main_rule": main_rule, "missing": missing, "continuous": continuous,
    }
