"""Step 5 of the engine: what a lapse costs besides money (R-LAPSE-NOCLAIM, R-LAPSE-RESET),
and the bits of every rule applied and every warning, for explanations.

R-LAPSE-RESET counts only where continuous enrollment years count (``lapse_reset``
parameter: Guangxi from coverage year 2025).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import year_of
from yibao.rules.facts import Facts
from yibao.rules.fees import Fees
from yibao.rules.messages import WARNING_BIT
from yibao.rules.policy import F
from yibao.rules.registry import RULE_BIT
from yibao.rules.start import pick

__all__ = ["continuous_years", "lapse_effects", "resets"]

I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]
R, W = RULE_BIT, WARNING_BIT
_ASSIST_ONTIME = R["R-FEE-ASSIST"] | R["R-FEE-ONTIME"]


def resets(f: Facts, start: I32, start_rules: I32, start_known: Bool) -> Bool:
    """R-LAPSE-RESET: the count of continuous years starts again (from 2025): a lapse year,
    or a resident covered last year left without cover for more than the reset months."""
    is_transfer = (start_rules & R["R-START-TRANSFER"]) != 0
    prior_covered = ~f.first_enroll & ~f.born_y & ~f.born_prev & ~is_transfer
    counted = f.p(F.RESET_MONTHS) > 0
    return np.asarray(counted & ((f.lapse >= 1) | (prior_covered & (
        ~start_known | (start > f.p(F.RESET_DAY))))), dtype=np.bool_)


def continuous_years(f: Facts, start_known: Bool, reset: Bool) -> I32:
    """连续参保年限 at the coverage year if paid as quoted (C36): the coverage year counts
    when this payment covers it; the years before count back to the first year counted
    (``lapse_reset`` > 0) unless a reset restarts the count; -1 where not counted."""
    count_from = np.asarray(f.p(F.COUNT_FROM))
    year = year_of(np.asarray(f.jan1, dtype=np.int32))
    before = np.minimum(f.covered_before, np.maximum(year - count_from, 0))
    years = np.where(start_known, 1, 0) + np.where(reset | ~start_known, 0, before)
    return np.asarray(np.where(count_from > 0, years, -1), dtype=np.int32)


def lapse_effects(f: Facts, money: Fees, hardship: Bool, start: I32, start_rules: I32,
                  start_known: Bool, reset: Bool | None = None) -> tuple[I32, I32]:
    """Bits of every rule applied (R-FEE-*, the start rules, R-LAPSE-*) and of the warnings;
    ``reset``: :func:`resets` of the same rows when the caller has it already."""
    p, late, has_group = f.p, money.late, f.has_group
    fee_rule = pick(
        [(has_group & late, R["R-FEE-ASSIST"]),
         (has_group, _ASSIST_ONTIME),
         (f.born_y | f.nb_in, R["R-FEE-NEWBORN"]),
         (late, R["R-FEE-LATE"])],
        R["R-FEE-ONTIME"],
    )
    is_transfer = (start_rules & R["R-START-TRANSFER"]) != 0
    # a child born the year before is covered from Jan 1 only when paid within the window
    # (C4); paid after it, cover starts later and the months before are the family's to
    # bear (seed 000 四.4 "享受新发生的…待遇"; C26)
    covered_from_birth = (f.born_y & (start == f.birth)) | (f.born_prev & f.nb_in)
    noclaim = ((f.lapse >= 1) | ~start_known
               | ((start > f.jan1) & ~covered_from_birth & ~is_transfer))
    if reset is None:
        reset = resets(f, start, start_rules, start_known)
    rules = (fee_rule | start_rules
             | np.where(noclaim, R["R-LAPSE-NOCLAIM"], 0)
             | np.where(reset, R["R-LAPSE-RESET"], 0))
    warnings = (np.where(noclaim, W["noclaim"], 0) | np.where(reset, W["reset"], 0)
                | np.where(~start_known & ~f.child_period, W["no_benefit"], 0)
                | np.where(hardship & (p(F.DEFERRAL_MONTH) == 0), W["deferral_ignored"], 0)
                | np.where(~money.amount_known | ((f.n_back > 0) & ~money.back_pay_known),
                           W["missing"], 0)
                | np.where(f.status_given & ~f.status_listed, W["status_change_no_effect"], 0)
                | np.where(f.status_listed & ~f.status_exempt, W["status_change_window_passed"], 0)
                | np.where(f.child_period, W["concentrated_period_only"], 0))
    return np.asarray(rules, dtype=np.int32), np.asarray(warnings, dtype=np.int32)
