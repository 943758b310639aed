"""Steps 3 and 4 of the engine: when cover starts.

``old_start`` — seed 000's rules (R-START-*), Guangxi before 2025 (C14);
``new_start`` — the waiting periods (R-WAIT-*) from 2025, exemptions in the order of C15.
Each case list is in priority order: the first case that matches a row decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import add_months, month_index, month_start
from yibao.rules.facts import Facts
from yibao.rules.policy import F
from yibao.rules.registry import RULE_BIT

__all__ = ["GAP_MONTHS", "NewStart", "new_start", "old_start", "pick"]

I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]
R = RULE_BIT
#: seed 000 三.1 "第3个月1日": the 1st of the payment month + 3 (C1)
GAP_MONTHS = 3


def pick(cases: list[tuple[Bool, I32 | int]], default: I32 | int) -> I32:
    """The value of the first matching case (cases in priority order), else ``default``.
    A case no row matches is skipped (most cases match no row of a quote)."""
    out = np.full(cases[0][0].shape, default, dtype=np.int32) if isinstance(default, int) \
        else default
    for cond, value in reversed(cases):
        if np.count_nonzero(cond):
            out = np.where(cond, value, out)
    return np.asarray(out, dtype=np.int32)


def old_start(f: Facts) -> tuple[I32, I32]:
    """Start day and start-rule bits under the old regime."""
    cases: list[tuple[Bool, I32 | int, int]] = [
        (f.born_y & f.in_window, f.birth, R["R-START-NEWBORN"]),
        (f.child_period, f.dec31 + 1, R["R-CHILD-PERIOD"]),  # C34: no cover from this payment
        (f.born_y, f.next_month, R["R-START-NEWBORN"]),
        (f.born_prev & f.in_window, f.jan1, R["R-START-NEWBORN"]),
        (f.concentrated | f.in_deferral, f.jan1, R["R-START-ONTIME"]),
        (f.born_prev, f.next_month, R["R-START-NEWBORN"]),
        (f.transfer, f.this_month, R["R-START-TRANSFER"]),
        (f.lapse >= 1, month_start(f.pay_month + GAP_MONTHS), R["R-START-GAP"]),
    ]
    start = pick([(x[0], x[1]) for x in cases], f.next_month)
    rule = pick([(x[0], x[2]) for x in cases], R["R-START-LATE"])
    return start, rule


@dataclass(frozen=True, slots=True)
class NewStart:
    """Start day, start-rule bits and waiting months under the new regime."""

    start: I32
    rule: I32
    fixed: I32
    variable: I32
    variable_before: I32  # before back-payment repaired it (R-WAIT-REPAIR)
    general: Bool  # the general waiting rules decided (no exemption)
    fixed_days: I32  # the fixed wait in days where the region counts it so (C32)
    anchor: I32  # the day the waiting months are counted from (C6)


def new_start(f: Facts) -> NewStart:
    """The waiting periods: fixed + variable months from the waiting anchor (C6, C10); a
    fixed wait in days (C32); the region's own start after a lapse (C31)."""
    p, lapse = f.p, f.lapse
    relapse = bool(np.count_nonzero(f.relapse))
    fixed = np.where(f.relapse, p(F.RELAPSE_MONTH), p(F.FIXED)) if relapse else p(F.FIXED)
    fixed_days = (np.where(f.relapse, 0, p(F.FIXED_DAYS)) if relapse  # Jieyang's 90 days (C32)
                  else p(F.FIXED_DAYS))
    variable_before = np.maximum(lapse - 1, 0) * p(F.VAR_PER)
    variable = np.maximum(variable_before - f.repaired * p(F.REPAIR_PER), 0)
    floor = lapse >= p(F.FLOOR_FROM)
    variable = np.where(floor & (fixed_days == 0), np.maximum(variable, p(F.FLOOR) - fixed),
                        variable)
    anchor = np.maximum(np.where(p(F.FROM_NEXT) == 1, f.next_month, f.pay), f.jan1)  # C6
    general_start = add_months(anchor + fixed_days, fixed + variable)
    if np.count_nonzero(fixed_days):  # C32: a wait in days meets the floor (>= 6 months) as dates
        general_start = np.where(floor & (fixed_days > 0),
                                 np.maximum(general_start, add_months(anchor, p(F.FLOOR))),
                                 general_start)
    if relapse:  # C31: "从补缴成功后的第3个月起" = the 1st of payment month + 3 (+ variable)
        general_start = np.where(
            f.relapse, month_start(month_index(anchor) + fixed + variable), general_start)
    general_start = np.asarray(general_start, dtype=np.int32)
    general_rule = np.asarray((np.where(f.relapse, R["R-START-RELAPSE"], R["R-WAIT-FIXED"])
                               if relapse else R["R-WAIT-FIXED"])
                              | np.where(variable_before > 0, R["R-WAIT-VARIABLE"], 0)
                              | np.where(f.repaired > 0, R["R-WAIT-REPAIR"], 0), dtype=np.int32)
    exempt = R["R-WAIT-EXEMPT"]
    on_time = f.concentrated & (lapse == 0)
    cases: list[tuple[Bool, I32 | int, int]] = [  # C15: the order of exemptions
        (f.nb_in & f.born_y, f.birth, exempt | R["R-START-NEWBORN"]),
        (f.nb_in, f.jan1, exempt | R["R-START-NEWBORN"]),
        (f.has_group, np.maximum(f.pay, f.jan1), exempt),
        (on_time, f.jan1, R["R-START-ONTIME"]),
        (f.child_period, f.dec31 + 1, R["R-CHILD-PERIOD"]),  # C34: no cover from this payment
        (f.transfer, f.this_month, R["R-START-TRANSFER"]),
        (f.status_exempt, np.maximum(f.pay, f.jan1), exempt),  # C30
    ]
    start = pick([(x[0], x[1]) for x in cases], general_start)
    rule = pick([(x[0], x[2]) for x in cases], general_rule)
    general = ~(f.nb_in | f.has_group | on_time | f.child_period | f.transfer | f.status_exempt)
    return NewStart(start, rule, fixed, variable, variable_before, general,
                    np.asarray(fixed_days, dtype=np.int32), np.asarray(anchor, dtype=np.int32))
