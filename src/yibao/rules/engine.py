"""The rules engine: whole columns in, whole columns out (one code path for 1 or 10⁸ rows).

``evaluate(policy, columns)`` validates every row, then applies the amount
rules (R-FEE-*), the benefit-start rules of the old regime (R-START-*, before
2025) or the new one (R-WAIT-*, from 2025), and the lapse consequences
(R-LAPSE-*).  Exceptions override the general rule in the order of C15; each
row records which rules fired as bits of ``rules`` and its ``main_rule``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import add_months, first_of_month_after, month_start, year_of
from yibao.rules.catalogue import RULE_BIT, WARNING_BIT
from yibao.rules.inputs import QuoteColumns
from yibao.rules.policy import (
    ASSIST_FIXED,
    ASSIST_FIXED_UNPUBLISHED,
    ASSIST_FULL,
    NEW,
    OLD,
    PUBLISHED,
    F,
    Policy,
)
from yibao.rules.validation import first_error

__all__ = ["MISSING", "QuoteResults", "evaluate"]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

# Bits of QuoteResults.missing: (bit, parameter name)
MISSING: tuple[str, ...] = ("individual_share", "fiscal_subsidy", "ontime_fee_deadline",
                            "assistance")
M_SHARE, M_SUBSIDY, M_DEADLINE, M_ASSIST = (1 << i for i in range(4))
R = RULE_BIT
W = WARNING_BIT


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
    start: I64
    start_known: Bool
    end: I64
    wait_fixed: I64
    wait_variable: I64
    rules: I64
    main_rule: I64
    warnings: I64
    missing: I64
    lapse: I64
    repaired: I64
    variable_before_repair: I64
    newborn_in_window: Bool
    born_this_year: Bool
    born_last_year: Bool
    first_enrollment: Bool
    regime: I64


def _ymd(year: I64, md: I64) -> I64:
    """Day number of year + month*100+day."""
    return month_start((year - 1970) * 12 + md // 100 - 1) + md % 100 - 1


def _bits(rule_ids: tuple[str, ...]) -> int:
    out = 0
    for rule_id in rule_ids:
        out |= R[rule_id]
    return out


def evaluate(policy: Policy, c: QuoteColumns) -> QuoteResults:  # noqa: PLR0915
    """Apply every rule to every row of ``c``."""
    n = len(c)
    err = np.zeros(n, dtype=np.int64)
    year = c.coverage_year
    pay = c.payment

    # --- region and year: gather the resolved parameters of each row -------------------
    known_region = c.region_idx >= 0
    yoff = year - policy.first_year
    year_ok = (yoff >= 0) & (yoff < policy.n_years)
    key = np.where(known_region & year_ok, c.region_idx * policy.n_years + yoff, 0)
    p = policy.table[key]
    regime = np.where(known_region & year_ok, p[:, F.REGIME], 0)
    first_error(err, ~known_region, "unknown_region")
    first_error(err, (regime == 0) | (p[:, F.CONC_ST] != PUBLISHED), "unsupported_year")

    jan1 = month_start((year - 1970) * 12)
    dec31 = month_start((year - 1970) * 12 + 12) - 1
    conc_start = _ymd(year - 1, p[:, F.CONC_START])
    conc_end = _ymd(year - 1, p[:, F.CONC_END])
    first_error(err, pay < conc_start, "payment_too_early")
    first_error(err, pay > dec31, "payment_too_late")

    # --- newborns (C3, C4) --------------------------------------------------------------
    birth = c.birth
    has_birth = c.has_birth
    birth_year = year_of(birth)
    first_error(err, has_birth & (birth > pay), "born_after_payment")
    first_error(err, has_birth & (birth_year > year), "born_after_coverage_year")
    window_end = np.where(p[:, F.NB_DAYS] > 0, birth + p[:, F.NB_DAYS],
                          add_months(birth, p[:, F.NB_MONTHS]))
    in_window = has_birth & (pay < window_end) & (p[:, F.NB_ST] == PUBLISHED)
    born_y = has_birth & (birth_year == year)
    born_prev = has_birth & (birth_year == year - 1)
    nb_in = (born_y | born_prev) & in_window

    # --- special groups (R-FEE-ASSIST) --------------------------------------------------
    group = c.group
    kind = policy.assist_kind[key, np.maximum(group, 0)]
    has_group = group > 0
    first_error(err, (group < 0) | (has_group & (kind == 0)), "unknown_special_group")

    # --- lapse years (C5) ----------------------------------------------------------------
    cov = c.covered.mask
    first_enroll = c.covered.given & (cov == 0)
    lowest = cov & (~cov + np.uint64(1))
    trailing_zeros = np.bitwise_count(lowest - np.uint64(1)).astype(np.int64)
    lapse = np.where(c.covered.given & ~first_enroll, trailing_zeros, 0)
    lapse = np.where(has_birth, np.minimum(lapse, np.maximum(year - 1 - birth_year, 0)), lapse)

    # --- back-payment (C4, C10, C19) -----------------------------------------------------
    bp = c.back_pay
    lapse_bits = np.left_shift(np.uint64(1), lapse.astype(np.uint64)) - np.uint64(1)
    birth_bit = np.where(born_prev & nb_in, np.uint64(1), np.uint64(0))
    first_error(err, bp.duplicate, "back_pay_duplicate")
    first_error(err, bp.future, "back_pay_not_past")
    first_error(err, (regime == OLD) & (bp.too_old | ((bp.mask & ~birth_bit) != 0)),
                "back_pay_not_allowed")
    first_error(err, (regime == NEW) & (bp.too_old | ((bp.mask & ~(lapse_bits | birth_bit)) != 0)),
                "back_pay_outside_lapse")
    repaired = np.where(regime == NEW, np.bitwise_count(bp.mask & lapse_bits), 0).astype(np.int64)
    n_back = np.bitwise_count(bp.mask).astype(np.int64)

    # --- amounts (R-FEE-*, C12, C13, C16, C19) --------------------------------------------
    deadline_known = p[:, F.DEADLINE_ST] == PUBLISHED
    late = pay > _ymd(year, np.where(deadline_known, p[:, F.DEADLINE], 1231))
    exempt_surcharge = nb_in | has_group
    need_subsidy = late & ~exempt_surcharge
    individual = p[:, F.SHARE]
    subsidy = np.where(need_subsidy, p[:, F.SUBSIDY], 0)
    full = kind == ASSIST_FULL
    assistance = np.where(full, -individual,
                          np.where(kind == ASSIST_FIXED,
                                   -np.minimum(policy.assist_amount[key, np.maximum(group, 0)],
                                               individual), 0))
    back_pay = n_back * individual
    amount = individual + subsidy + assistance
    share_missing = p[:, F.SHARE_ST] != PUBLISHED
    missing = (
        np.where(share_missing & (~full | (n_back > 0)), M_SHARE, 0)
        | np.where(need_subsidy & (p[:, F.SUBSIDY_ST] != PUBLISHED), M_SUBSIDY, 0)
        | np.where(~deadline_known & (pay >= jan1) & ~exempt_surcharge, M_DEADLINE, 0)
        | np.where(has_group & (kind == ASSIST_FIXED_UNPUBLISHED), M_ASSIST, 0)
    ).astype(np.int64)
    amount_known = (missing & (M_SHARE | M_SUBSIDY | M_DEADLINE | M_ASSIST)) == 0
    amount_known |= full & ~(need_subsidy & (p[:, F.SUBSIDY_ST] != PUBLISHED))
    fee_rule = np.select(
        [has_group & late, has_group, born_y | nb_in, late],
        [R["R-FEE-ASSIST"], R["R-FEE-ASSIST"] | R["R-FEE-ONTIME"], R["R-FEE-NEWBORN"],
         R["R-FEE-LATE"]],
        R["R-FEE-ONTIME"],
    )

    # --- benefit start -------------------------------------------------------------------
    next_month = first_of_month_after(pay, 1)
    pay_month = np.maximum(first_of_month_after(pay, 0), jan1)
    has_emp = c.has_employee_end & (pay >= c.employee_end) & (p[:, F.TRANSFER_ST] == PUBLISHED)
    months = p[:, F.TRANSFER_MONTHS]
    transfer = has_emp & np.where(
        months == 0,
        year_of(pay) == year_of(c.employee_end),  # old regime: the same calendar year (C8)
        pay < add_months(c.employee_end, months),  # new regime: [end, end + 3 months) (C17)
    )
    deferral = p[:, F.DEFERRAL_MONTH]
    deferral_end = month_start((year - 1970) * 12 + deferral) - 1
    in_deferral = c.hardship & (deferral > 0) & (pay <= deferral_end)
    concentrated = pay <= conc_end

    old_cases = [
        (born_y & in_window, birth, "R-START-NEWBORN"),
        (born_y, next_month, "R-START-NEWBORN"),
        (born_prev & in_window, jan1, "R-START-NEWBORN"),
        (concentrated | in_deferral, jan1, "R-START-ONTIME"),
        (born_prev, next_month, "R-START-NEWBORN"),
        (transfer, pay_month, "R-START-TRANSFER"),
        (lapse >= 1, first_of_month_after(pay, 3), "R-START-GAP"),
    ]
    old_start = np.select([x[0] for x in old_cases], [x[1] for x in old_cases], next_month)
    old_rule = np.select([x[0] for x in old_cases], [R[x[2]] for x in old_cases],
                         R["R-START-LATE"])

    fixed = p[:, F.FIXED]
    variable_before = np.maximum(lapse - 1, 0) * p[:, F.VAR_PER]
    variable = np.maximum(variable_before - repaired * p[:, F.REPAIR_PER], 0)
    variable = np.where(lapse >= p[:, F.FLOOR_FROM],
                        np.maximum(variable, p[:, F.FLOOR] - fixed), variable)
    anchor = np.maximum(np.where(p[:, F.FROM_NEXT] == 1, next_month, pay), jan1)  # C6
    general_start = add_months(anchor, fixed + variable)
    general_rule = (R["R-WAIT-FIXED"]
                    | np.where(variable_before > 0, R["R-WAIT-VARIABLE"], 0)
                    | np.where(repaired > 0, R["R-WAIT-REPAIR"], 0))
    exempt = R["R-WAIT-EXEMPT"]
    new_cases = [  # C15: the order of exemptions
        (nb_in & born_y, birth, exempt | R["R-START-NEWBORN"]),
        (nb_in, jan1, exempt | R["R-START-NEWBORN"]),
        (has_group, np.maximum(pay, jan1), exempt),
        (concentrated & (lapse == 0), jan1, R["R-START-ONTIME"]),
        (transfer, pay_month, R["R-START-TRANSFER"]),
    ]
    new_conds = [x[0] for x in new_cases]
    new_start = np.select(new_conds, [x[1] for x in new_cases], general_start)
    new_rule = np.select(new_conds, [np.full(n, x[2]) for x in new_cases], general_rule)
    general = (regime == NEW) & ~np.logical_or.reduce(new_conds)

    is_new = regime == NEW
    start = np.where(is_new, new_start, old_start)
    start_rules = np.where(is_new, new_rule, old_rule)
    wait_fixed = np.where(general, fixed, 0)
    wait_variable = np.where(general, variable, 0)
    start_known = start <= dec31
    main_rule = np.where(
        general,
        np.where(repaired > 0, R["R-WAIT-REPAIR"],
                 np.where(variable > 0, R["R-WAIT-VARIABLE"], R["R-WAIT-FIXED"])),
        np.where(is_new & (start_rules & R["R-START-NEWBORN"] == 0) & (start_rules & exempt != 0),
                 exempt, start_rules & ~exempt),
    )

    # --- lapse consequences (R-LAPSE-*) ---------------------------------------------------
    covered_from_birth = (born_y & (start == birth)) | born_prev
    is_transfer = (start_rules & R["R-START-TRANSFER"]) != 0
    noclaim = (lapse >= 1) | ~start_known | ((start > jan1) & ~covered_from_birth & ~is_transfer)
    prior_covered = ~first_enroll & ~born_y & ~born_prev & ~is_transfer
    reset = (lapse >= 1) | (prior_covered & (~start_known | (start > add_months(jan1, 3))))
    rules = (fee_rule | start_rules
             | np.where(noclaim, R["R-LAPSE-NOCLAIM"], 0)
             | np.where(reset, R["R-LAPSE-RESET"], 0))
    warnings = (np.where(noclaim, W["noclaim"], 0) | np.where(reset, W["reset"], 0)
                | np.where(~start_known, W["no_benefit"], 0)
                | np.where(c.hardship & (deferral == 0), W["deferral_ignored"], 0)
                | np.where(~amount_known, W["missing"], 0))

    return QuoteResults(
        error=err, individual=individual, subsidy=subsidy, assistance=assistance,
        back_pay=back_pay, amount=amount, amount_known=amount_known,
        start=start, start_known=start_known, end=dec31,
        wait_fixed=wait_fixed, wait_variable=wait_variable,
        rules=rules.astype(np.int64), main_rule=main_rule.astype(np.int64),
        warnings=warnings.astype(np.int64), missing=missing,
        lapse=lapse, repaired=repaired, variable_before_repair=np.where(general, variable_before, 0),
        newborn_in_window=nb_in, born_this_year=born_y, born_last_year=born_prev,
        first_enrollment=first_enroll, regime=regime,
    )
