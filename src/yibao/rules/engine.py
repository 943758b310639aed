"""The rules engine: whole columns in, whole columns out (one code path for 1 or 10⁸ rows).

``evaluate(policy, columns)`` runs the named steps of docs/rules.md §4 in order:

1. ``facts``       — region and year figures, newborn, special group, lapse, back-pay,
                     transfer, and the input errors (:mod:`yibao.rules.facts`);
2. ``fees``        — what is due: R-FEE-* (:mod:`yibao.rules.fees`);
3. ``old_start``   — seed 000's start rules R-START-*, before 2025 (:mod:`yibao.rules.start`);
4. ``new_start``   — the waiting periods R-WAIT-*, from 2025, exemptions in the order of C15;
5. ``lapse_effects`` — R-LAPSE-* and the bits of every rule and warning (:mod:`yibao.rules.lapse`).

Each row records which rules fired as bits of ``rules`` and its ``main_rule``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from yibao.rules.facts import Facts, facts
from yibao.rules.fees import MISSING, fees
from yibao.rules.inputs import QuoteColumns
from yibao.rules.lapse import continuous_years, lapse_effects, resets
from yibao.rules.policy import F, Policy
from yibao.rules.registry import RULE_BIT
from yibao.rules.start import new_start, old_start

__all__ = ["MISSING", "QuoteResults", "evaluate", "evaluate_slices"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]
R = RULE_BIT
_START_RULES = (R["R-START-NEWBORN"] | R["R-START-TRANSFER"] | R["R-START-ONTIME"]
                | R["R-START-LATE"] | R["R-START-GAP"] | R["R-CHILD-PERIOD"])


@dataclass(frozen=True)
class QuoteResults:
    """Engine output, one entry per row; money in fen, dates as day numbers."""

    error: I64
    individual: I64
    subsidy: I64
    assistance: I64
    back_pay: I64
    amount: I64
    amount_known: Bool
    start: I32
    start_known: Bool
    end: I32
    wait_fixed: I32
    wait_variable: I32
    rules: I32
    main_rule: I32
    warnings: I32
    missing: I32
    lapse: I32
    repaired: I32
    variable_before_repair: I32
    newborn_in_window: Bool
    born_this_year: Bool
    born_last_year: Bool
    first_enrollment: Bool
    regime: I32
    share_known: Bool
    assistance_known: Bool
    back_pay_known: Bool
    back_pay_years: I32
    wait_fixed_days: I32  # the fixed wait in days where the region counts it so (C32)
    status_exempt: Bool  # a status change skipped the wait (C30)
    continuous: I32  # continuous enrollment years at the coverage year, -1 = not counted (C36)
    #: last day of the newborn window (C3) for a child born this year or last, else 0
    newborn_last: I32
    #: last payment day that keeps the same benefit start (end of the concentrated period,
    #: of the hardship deferral or of the newborn window, whichever applies), else 0;
    #: computed only with ``explain`` (single quotes), 0 in batch runs
    same_start_until: I32
    #: the birth date where a newborn's birth year is back-paid (cover from birth, C4), else 0
    birth_year_from: I32
    #: where the general waiting rules decided: the day the wait is counted from (C6), else 0
    wait_from: I32

    def __len__(self) -> int:
        return len(self.error)

    def slice(self, start: int, stop: int) -> QuoteResults:
        """Rows ``start:stop`` (views, no copies)."""
        return QuoteResults(**{f.name: getattr(self, f.name)[start:stop] for f in fields(self)})


def evaluate(policy: Policy, c: QuoteColumns, *, explain: bool = True) -> QuoteResults:
    """Apply every rule to every row of ``c``.

    With ``explain=False`` (batch runs) the per-row bits of every applied rule and
    warning are left at zero; amounts, dates, waiting months and the main rule are
    computed by the same code either way.
    """
    n = len(c)
    err = np.zeros(n, dtype=np.int64)
    f = facts(policy, c, err)
    money = fees(policy, f)

    if np.count_nonzero(f.is_old):
        old_start_day, old_rule = old_start(f)
    else:
        old_start_day = old_rule = np.zeros(n, dtype=np.int32)
    n_new = np.count_nonzero(f.is_new)
    if n_new:
        new = new_start(f)
        general = f.is_new & new.general
        new_start_day, new_rule = new.start, new.rule
        fixed, variable, variable_before = new.fixed, new.variable, new.variable_before
        fixed_days = new.fixed_days
        anchor = new.anchor
    else:
        general = np.zeros(n, dtype=np.bool_)
        new_start_day = new_rule = fixed = variable = variable_before = np.zeros(n, np.int32)
        fixed_days = np.zeros(n, np.int32)
        anchor = np.zeros(n, np.int32)

    if n_new == n:  # every row under the new regime (from 2025)
        start, start_rules = new_start_day, new_rule
    else:
        start = np.where(f.is_new, new_start_day, old_start_day)
        start_rules = np.where(f.is_new, new_rule, old_rule)
    start_known = start <= f.dec31
    main_rule = np.where(
        general,
        np.where(f.relapse, R["R-START-RELAPSE"], np.where(
            f.repaired > 0, R["R-WAIT-REPAIR"],
            np.where(variable > 0, R["R-WAIT-VARIABLE"], R["R-WAIT-FIXED"]))),
        np.where((start_rules & _START_RULES) == 0, start_rules,
                 start_rules & ~R["R-WAIT-EXEMPT"]),
    )

    reset = resets(f, start, start_rules, start_known)
    if explain:
        rules, warnings = lapse_effects(f, money, c.hardship, start, start_rules, start_known,
                                        reset)
        same_start_until = _same_start_until(f)
    else:
        rules = warnings = same_start_until = np.zeros(n, dtype=np.int32)
    continuous = continuous_years(f, start_known, reset)

    return QuoteResults(
        error=err, individual=money.individual, subsidy=money.subsidy,
        assistance=money.assistance, back_pay=money.back_pay, amount=money.amount,
        amount_known=money.amount_known, start=start, start_known=start_known, end=f.dec31,
        wait_fixed=np.where(general, fixed, 0), wait_variable=np.where(general, variable, 0),
        rules=rules, main_rule=main_rule, warnings=warnings, missing=money.missing,
        lapse=f.lapse, repaired=f.repaired,
        variable_before_repair=np.where(general, variable_before, 0),
        newborn_in_window=f.nb_in, born_this_year=f.born_y, born_last_year=f.born_prev,
        first_enrollment=f.first_enroll, regime=f.regime, share_known=money.share_known,
        assistance_known=money.assistance_known, back_pay_known=money.back_pay_known,
        back_pay_years=f.n_back,
        wait_fixed_days=np.where(general, fixed_days, 0).astype(np.int32),
        status_exempt=f.status_exempt & ~f.nb_in & ~f.has_group & (main_rule == R["R-WAIT-EXEMPT"]),
        continuous=continuous,
        newborn_last=f.nb_last, same_start_until=same_start_until,
        birth_year_from=np.where(f.birth_back, f.birth, 0).astype(np.int32),
        wait_from=np.where(general, anchor, 0).astype(np.int32),
    )


def _same_start_until(f: Facts) -> I32:
    """The last payment day that keeps the start: paying any day of the concentrated period
    (or of the hardship deferral, C9) gives the same start (Jan 1, or Jan 1 + the wait,
    C6), and so does paying any day inside the newborn window (C3, C4)."""
    p = f.p
    until = np.where(f.concentrated, p(F.CONC_END_DAY), 0)
    until = np.maximum(until, np.where(f.in_deferral, p(F.DEFERRAL_END_DAY), 0))
    until = np.maximum(until, np.where(f.nb_in, f.nb_last, 0))
    return np.asarray(np.minimum(until, f.dec31), dtype=np.int32)


SLICE_ROWS = 16_384


def evaluate_slices(policy: Policy, c: QuoteColumns, size: int = SLICE_ROWS, *,
                    explain: bool = True) -> Iterator[tuple[int, QuoteResults]]:
    """``evaluate`` over slices of ``size`` rows (keeps the work in the CPU cache): (start, results)."""
    for start in range(0, len(c), size):
        yield start, evaluate(policy, c.slice(start, start + size), explain=explain)
