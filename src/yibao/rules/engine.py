"""The rules engine: whole columns in, whole columns out (one code path for 1 or 10⁸ rows).

``evaluate(policy, columns)`` validates every row, then applies the amount
rules (R-FEE-*), the benefit-start rules of the old regime (R-START-*, before
2025) or the new one (R-WAIT-*, from 2025), and the lapse consequences
(R-LAPSE-*).  Exceptions override the general rule in the order of C15; each
row records which rules fired as bits of ``rules`` and its ``main_rule``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import add_months, month_index, month_start, year_of
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

__all__ = ["MISSING", "QuoteResults", "evaluate", "evaluate_slices"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
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


def _bits(*rule_ids: str) -> int:
    out = 0
    for rule_id in rule_ids:
        out |= R[rule_id]
    return out


def _parameters(policy: Policy, key: I32) -> Callable[[int], I32]:
    """Field → that parameter for every row; a scalar when all rows share one profile."""
    profiles = policy.profile_of_key.take(key)
    if len(key) and profiles.min() == profiles.max():
        column = int(profiles[0])
        return lambda field: policy.profile_t[field, column]

    def gather(field: int) -> I32:
        return np.asarray(policy.table_t[field].take(key), dtype=np.int32)

    return gather


def _pick(cases: list[tuple[Bool, I32 | int]], default: I32 | int) -> I32:
    """The value of the first matching case (cases in priority order), else ``default``."""
    out = np.full(cases[0][0].shape, default, dtype=np.int32) if isinstance(default, int) \
        else default
    for cond, value in reversed(cases):
        out = np.where(cond, value, out)
    return np.asarray(out, dtype=np.int32)


def _new_regime(
    p: Callable[[int], I32], pay: I32, jan1: I32, next_month: I32, this_month: I32,
    birth: I32, lapse: I32, repaired: I32, nb_in: Bool, born_y: Bool, has_group: Bool,
    concentrated: Bool, transfer: Bool,
) -> tuple[I32, I32, I32, I32, I32]:
    """Start, rules, fixed, variable and pre-repair variable months of the new regime."""
    fixed = p(F.FIXED)
    variable_before = np.maximum(lapse - 1, 0) * p(F.VAR_PER)
    variable = np.maximum(variable_before - repaired * p(F.REPAIR_PER), 0)
    variable = np.where(lapse >= p(F.FLOOR_FROM), np.maximum(variable, p(F.FLOOR) - fixed),
                        variable)
    anchor = np.maximum(np.where(p(F.FROM_NEXT) == 1, next_month, pay), jan1)  # C6
    general_start = add_months(anchor, fixed + variable)
    general_rule = (R["R-WAIT-FIXED"]
                    | np.where(variable_before > 0, R["R-WAIT-VARIABLE"], 0)
                    | np.where(repaired > 0, R["R-WAIT-REPAIR"], 0))
    exempt = R["R-WAIT-EXEMPT"]
    new_cases: list[tuple[Bool, I32 | int, int]] = [  # C15: the order of exemptions
        (nb_in & born_y, birth, exempt | R["R-START-NEWBORN"]),
        (nb_in, jan1, exempt | R["R-START-NEWBORN"]),
        (has_group, np.maximum(pay, jan1), exempt),
        (concentrated & (lapse == 0), jan1, R["R-START-ONTIME"]),
        (transfer, this_month, R["R-START-TRANSFER"]),
    ]
    new_start = _pick([(x[0], x[1]) for x in new_cases], general_start)
    new_rule = _pick([(x[0], x[2]) for x in new_cases], general_rule)
    return new_start, new_rule, fixed, variable, variable_before


def _explanation(
    c: QuoteColumns, p: Callable[[int], I32], late: Bool, has_group: Bool, born_y: Bool,
    born_prev: Bool, nb_in: Bool, lapse: I32, first_enroll: Bool, start: I32,
    start_rules: I32, start_known: Bool, birth: I32, jan1: I32, amount_known: Bool,
) -> tuple[I32, I32]:
    """Bits of every rule applied (R-FEE-*, the start rules, R-LAPSE-*) and of the warnings."""
    fee_rule = _pick(
        [(has_group & late, R["R-FEE-ASSIST"]),
         (has_group, _bits("R-FEE-ASSIST", "R-FEE-ONTIME")),
         (born_y | nb_in, R["R-FEE-NEWBORN"]),
         (late, R["R-FEE-LATE"])],
        R["R-FEE-ONTIME"],
    )
    is_transfer = (start_rules & R["R-START-TRANSFER"]) != 0
    covered_from_birth = (born_y & (start == birth)) | born_prev
    noclaim = (lapse >= 1) | ~start_known | ((start > jan1) & ~covered_from_birth & ~is_transfer)
    prior_covered = ~first_enroll & ~born_y & ~born_prev & ~is_transfer
    reset = (lapse >= 1) | (prior_covered & (~start_known | (start > p(F.APR1))))
    rules = (fee_rule | start_rules
             | np.where(noclaim, R["R-LAPSE-NOCLAIM"], 0)
             | np.where(reset, R["R-LAPSE-RESET"], 0))
    warnings = (np.where(noclaim, W["noclaim"], 0) | np.where(reset, W["reset"], 0)
                | np.where(~start_known, W["no_benefit"], 0)
                | np.where(c.hardship & (p(F.DEFERRAL_MONTH) == 0), W["deferral_ignored"], 0)
                | np.where(~amount_known, W["missing"], 0))
    return np.asarray(rules, dtype=np.int32), np.asarray(warnings, dtype=np.int32)


def evaluate(policy: Policy, c: QuoteColumns, *, explain: bool = True) -> QuoteResults:
    """Apply every rule to every row of ``c``.

    With ``explain=False`` (batch runs) the per-row bits of every applied rule and
    warning are left at zero; amounts, dates, waiting months and the main rule are
    computed by the same code either way.
    """
    n = len(c)
    err = np.zeros(n, dtype=np.int64)
    year = c.coverage_year
    pay = c.payment

    # --- region and year: gather each row's resolved parameters -------------------------
    known_region = c.region_idx >= 0
    yoff = year - policy.first_year
    ok = known_region & (yoff >= 0) & (yoff < policy.n_years)
    key = np.where(ok, c.region_idx * policy.n_years + yoff, 0)
    p = _parameters(policy, key)

    regime = np.where(ok, p(F.REGIME), 0)
    first_error(err, ~known_region, "unknown_region")
    first_error(err, (regime == 0) | (p(F.CONC_ST) != PUBLISHED), "unsupported_year")
    jan1, dec31 = p(F.JAN1), np.broadcast_to(p(F.DEC31), (n,))
    conc_end = p(F.CONC_END_DAY)
    first_error(err, pay < p(F.CONC_START_DAY), "payment_too_early")
    first_error(err, pay > dec31, "payment_too_late")

    # --- newborns (C3, C4) --------------------------------------------------------------
    birth, has_birth = c.birth, c.has_birth
    birth_year = year_of(birth)
    first_error(err, has_birth & (birth > pay), "born_after_payment")
    first_error(err, has_birth & (birth_year > year), "born_after_coverage_year")
    young = has_birth & (birth_year >= year - 1)
    in_window = np.zeros(n, dtype=np.bool_)
    if young.any():  # only the few rows born this year or last year need the window
        i = np.flatnonzero(young)
        k = key[i]
        nb_days = policy.table_t[F.NB_DAYS].take(k)
        nb_months = policy.table_t[F.NB_MONTHS].take(k)
        window_end = np.where(nb_days > 0, birth[i] + nb_days, add_months(birth[i], nb_months))
        in_window[i] = (pay[i] < window_end) & (policy.table_t[F.NB_ST].take(k) == PUBLISHED)
    born_y = has_birth & (birth_year == year)
    born_prev = has_birth & (birth_year == year - 1)
    nb_in = (born_y | born_prev) & in_window

    # --- special groups (R-FEE-ASSIST) --------------------------------------------------
    group = c.group
    has_group = group > 0
    any_group = bool(has_group.any())
    g = np.maximum(group, 0)
    kind = policy.assist_kind_t[g, key] if any_group else np.zeros(n, np.int32)
    first_error(err, (group < 0) | (has_group & (kind == 0)), "unknown_special_group")

    # --- lapse years (C5) ----------------------------------------------------------------
    cov = c.covered.mask
    first_enroll = c.covered.given & (cov == 0)
    trailing_zeros = np.bitwise_count((cov & (~cov + np.uint64(1))) - np.uint64(1))
    lapse = np.where(c.covered.given & ~first_enroll, trailing_zeros.astype(np.int32), 0)
    lapse = np.where(has_birth, np.minimum(lapse, np.maximum(year - 1 - birth_year, 0)), lapse)

    # --- back-payment (C4, C10, C19) -----------------------------------------------------
    bp = c.back_pay
    is_new, is_old = regime == NEW, regime == OLD
    if bp.given.any():
        lapse_bits = np.left_shift(np.uint64(1), lapse.astype(np.uint64)) - np.uint64(1)
        birth_bit = np.where(born_prev & nb_in, np.uint64(1), np.uint64(0))
        first_error(err, bp.duplicate, "back_pay_duplicate")
        first_error(err, bp.future, "back_pay_not_past")
        first_error(err, is_old & (bp.too_old | ((bp.mask & ~birth_bit) != 0)),
                    "back_pay_not_allowed")
        first_error(err, is_new & (bp.too_old | ((bp.mask & ~(lapse_bits | birth_bit)) != 0)),
                    "back_pay_outside_lapse")
        repaired = np.where(is_new, np.bitwise_count(bp.mask & lapse_bits), 0).astype(np.int32)
        n_back = np.bitwise_count(bp.mask).astype(np.int32)
    else:
        repaired = n_back = np.zeros(n, dtype=np.int32)

    # --- amounts (R-FEE-*, C12, C13, C16, C19) --------------------------------------------
    deadline_known = p(F.DEADLINE_ST) == PUBLISHED
    late = pay > p(F.DEADLINE_DAY)
    exempt_surcharge = nb_in | has_group
    need_subsidy = late & ~exempt_surcharge
    individual = np.broadcast_to(p(F.SHARE), (n,)).astype(np.int64)
    subsidy = np.where(need_subsidy, p(F.SUBSIDY), 0).astype(np.int64)
    full = kind == ASSIST_FULL
    fixed_amount = policy.assist_amount_t[g, key] if any_group else 0
    assistance = np.where(full, -individual,
                          np.where(kind == ASSIST_FIXED, -np.minimum(fixed_amount, individual), 0))
    back_pay = n_back * individual
    amount = individual + subsidy + assistance
    subsidy_missing = need_subsidy & (p(F.SUBSIDY_ST) != PUBLISHED)
    missing = (
        np.where(p(F.SHARE_ST) != PUBLISHED, M_SHARE, 0)
        | np.where(subsidy_missing, M_SUBSIDY, 0)
        | np.where(~deadline_known & (pay >= jan1) & ~exempt_surcharge, M_DEADLINE, 0)
        | np.where(has_group & (kind == ASSIST_FIXED_UNPUBLISHED), M_ASSIST, 0)
    ).astype(np.int32)
    amount_known = (missing == 0) | (full & ~subsidy_missing)

    # --- benefit start -------------------------------------------------------------------
    pay_month = month_index(pay)
    next_month = month_start(pay_month + 1)
    this_month = np.maximum(month_start(pay_month), jan1)
    transfer = np.zeros(n, dtype=np.bool_)
    if c.has_employee_end.any():  # only rows whose employee insurance ended
        i = np.flatnonzero(c.has_employee_end)
        k, end, paid = key[i], c.employee_end[i], pay[i]
        months = policy.table_t[F.TRANSFER_MONTHS].take(k)
        transfer[i] = (paid >= end) & (policy.table_t[F.TRANSFER_ST].take(k) == PUBLISHED) & np.where(
            months == 0,
            year_of(paid) == year_of(end),  # old regime: the same calendar year (C8)
            paid < add_months(end, months),  # new regime: [end, end + 3 months) (C17)
        )
    concentrated = pay <= conc_end
    in_deferral = c.hardship & (pay <= p(F.DEFERRAL_END_DAY))  # C9

    if is_old.any():
        old_cases: list[tuple[Bool, I32 | int, int]] = [
            (born_y & in_window, birth, R["R-START-NEWBORN"]),
            (born_y, next_month, R["R-START-NEWBORN"]),
            (born_prev & in_window, jan1, R["R-START-NEWBORN"]),
            (concentrated | in_deferral, jan1, R["R-START-ONTIME"]),
            (born_prev, next_month, R["R-START-NEWBORN"]),
            (transfer, this_month, R["R-START-TRANSFER"]),
            (lapse >= 1, month_start(pay_month + 3), R["R-START-GAP"]),
        ]
        old_start = _pick([(x[0], x[1]) for x in old_cases], next_month)
        old_rule = _pick([(x[0], x[2]) for x in old_cases], R["R-START-LATE"])
    else:
        old_start = old_rule = np.zeros(n, dtype=np.int32)

    if is_new.any():
        new_start, new_rule, fixed, variable, variable_before = _new_regime(
            p, pay, jan1, next_month, this_month, birth, lapse, repaired,
            nb_in, born_y, has_group, concentrated, transfer)
    else:
        new_start = new_rule = fixed = variable = variable_before = np.zeros(n, dtype=np.int32)
    general = is_new & ~(nb_in | has_group | (concentrated & (lapse == 0)) | transfer)

    exempt = R["R-WAIT-EXEMPT"]
    start = np.where(is_new, new_start, old_start)
    start_rules = np.where(is_new, new_rule, old_rule)
    wait_fixed = np.where(general, fixed, 0)
    wait_variable = np.where(general, variable, 0)
    start_known = start <= dec31
    main_rule = np.where(
        general,
        np.where(repaired > 0, R["R-WAIT-REPAIR"],
                 np.where(variable > 0, R["R-WAIT-VARIABLE"], R["R-WAIT-FIXED"])),
        np.where((start_rules & (R["R-START-NEWBORN"] | R["R-START-TRANSFER"]
                                 | R["R-START-ONTIME"] | R["R-START-LATE"] | R["R-START-GAP"])) == 0,
                 start_rules, start_rules & ~exempt),
    )

    # --- explanation: every rule applied, lapse consequences (R-LAPSE-*), warnings ---------
    if explain:
        rules, warnings = _explanation(
            c, p, late, has_group, born_y, born_prev, nb_in, lapse, first_enroll, start,
            start_rules, start_known, birth, jan1, amount_known)
    else:
        rules = warnings = np.zeros(n, dtype=np.int32)

    return QuoteResults(
        error=err, individual=individual, subsidy=subsidy, assistance=assistance,
        back_pay=back_pay, amount=amount, amount_known=amount_known,
        start=start, start_known=start_known, end=dec31,
        wait_fixed=wait_fixed, wait_variable=wait_variable,
        rules=rules, main_rule=main_rule, warnings=warnings, missing=missing,
        lapse=lapse, repaired=repaired, variable_before_repair=np.where(general, variable_before, 0),
        newborn_in_window=nb_in, born_this_year=born_y, born_last_year=born_prev,
        first_enrollment=first_enroll, regime=regime,
    )


SLICE_ROWS = 16_384


def evaluate_slices(policy: Policy, c: QuoteColumns, size: int = SLICE_ROWS, *,
                    explain: bool = True) -> Iterator[tuple[int, QuoteResults]]:
    """``evaluate`` over slices of ``size`` rows (keeps the work in the CPU cache): (start, results)."""
    for start in range(0, len(c), size):
        yield start, evaluate(policy, c.slice(start, start + size), explain=explain)

