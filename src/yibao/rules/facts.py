"""Step 1 of the engine: who each row is — region and year figures, newborn, special
group, lapse, back-payment and transfer — with the input errors found on the way.

Every later step (fees, old start, new start, lapse effects) reads a :class:`Facts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import add_months, month_index, month_start, year_of
from yibao.rules.inputs import QuoteColumns, YearMask
from yibao.rules.policy import NEW, OLD, PUBLISHED, F, Policy
from yibao.rules.validation import first_errors

__all__ = ["Facts", "Param", "facts", "lapse_years", "newborn_last_day", "per_row", "policy_key"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]
Param = Callable[[int], I32]
#: up to this many rows (a quote and its scenario rows) the parameters are gathered at once
_FEW_ROWS = 256


@dataclass(frozen=True, slots=True)
class Facts:
    """Per-row facts every rule step reads (dates as day numbers)."""

    n: int
    key: I32  # row of the policy table: (region, coverage year)
    p: Param  # a policy field for every row (a scalar when all rows share one profile)
    regime: I32
    is_old: Bool
    is_new: Bool
    pay: I32
    jan1: I32
    dec31: I32
    next_month: I32  # 1st of the month after the payment month (C1)
    this_month: I32  # 1st of the payment month, never before Jan 1
    pay_month: I32  # months since 1970-01 of the payment
    concentrated: Bool
    in_deferral: Bool
    birth: I32
    born_y: Bool
    born_prev: Bool
    in_window: Bool
    nb_in: Bool
    nb_last: I32  # last day of the newborn window (C3) for a child born this year or last, else 0
    has_group: Bool
    kind: I32
    g: I32
    lapse: I32
    first_enroll: Bool
    repaired: I32
    n_back: I32
    birth_back: Bool  # the birth year of a newborn born last year is back-paid (C4, C19)
    transfer: Bool
    # regional variants (docs/rules.md C30-C34) and continuous years (C36)
    status_given: Bool  # a status change was given (contract §2.2)
    status_listed: Bool  # ... and the region exempts that kind from waiting (Yunfu)
    status_exempt: Bool  # ... and this payment lies in its window (C30)
    relapse: Bool  # the region's own start after a lapse decides (Guilin, C31)
    child_period: Bool  # a child past the newborn window, outside the concentrated period (C34)
    covered_before: I32  # consecutive covered years just before the coverage year (C36)


def _parameters(policy: Policy, key: I32) -> Param:
    """Field → that parameter for every row; a scalar when all rows share one profile, or
    when the field is the same in every profile of the rows (Guilin's counties differ from
    the rest of Guangxi in a few fields only); else the field gathered once per call."""
    profiles = policy.profile_of_key.take(key)
    if not len(key):
        return lambda field: policy.profile_t[field].take(profiles)
    if len(key) <= _FEW_ROWS:  # a quote's few rows: every field in one gather, not one each
        few: dict[bytes, tuple[int, list[bool] | None]] = policy.memo.setdefault(
            ("few_profiles", 0), {})
        found = few.get(profiles.tobytes())
        if found is None:
            if len(few) > 4096:
                few.clear()
            found = few[profiles.tobytes()] = _profile_set(policy, profiles)
        low, same = found
        if same is None:
            return lambda field: policy.profile_t[field, low]
        uniform_few = same
        table = policy.profile_t[:, profiles]
        return lambda field: policy.profile_t[field, low] if uniform_few[field] else table[field]
    low, uniform = _profile_set(policy, profiles)
    if uniform is None:
        return lambda field: policy.profile_t[field, low]
    gathered: dict[int, Any] = {}

    def gather(field: int) -> Any:
        found = gathered.get(field)
        if found is None:
            found = gathered[field] = (policy.profile_t[field, low] if uniform[field] else
                                       np.asarray(policy.profile_t[field].take(profiles),
                                                  dtype=np.int32))
        return found

    return gather


def _profile_set(policy: Policy, profiles: I32) -> tuple[int, list[bool] | None]:
    """The lowest profile of the rows, and which fields are the same in every profile
    present (None: one profile), once per set of profiles."""
    low, high = int(profiles.min()), int(profiles.max())
    if low == high:
        return low, None
    present = np.flatnonzero(np.bincount(profiles - low)) + low
    memo_key = (f"uniform_fields:{present.tobytes().hex()}", 0)
    uniform: list[bool] | None = policy.memo.get(memo_key)
    if uniform is None:
        values = policy.profile_t[:, present]
        uniform = policy.memo[memo_key] = (values == values[:, :1]).all(axis=1).tolist()
    return low, uniform


def per_row(value: I32 | np.int32, n: int) -> I32:
    """A parameter as one value per row (``p`` gives a scalar when the rows share it)."""
    if isinstance(value, np.ndarray) and value.shape == (n,):
        return value
    return np.full(n, value, dtype=np.int32)


def newborn_last_day(policy: Policy, key: I32, birth: I32, young: Bool) -> I32:
    """The last day inside the newborn window [birth, birth + window] (C3), for the rows
    ``young`` (born in the coverage year or the year before) whose window is published;
    0 elsewhere.  A window in days (Qinghai's 180) or in months (C2 clamping)."""
    last = np.zeros(len(birth), dtype=np.int32)
    if np.count_nonzero(young):  # only the few rows born this year or last year need the window
        i = np.flatnonzero(young)
        k = key[i]
        days = policy.table_t[F.NB_DAYS].take(k)
        months = policy.table_t[F.NB_MONTHS].take(k)
        whole_year = policy.table_t[F.NB_BIRTH_YEAR].take(k) == 1  # no window stated (C33)
        end = np.where(whole_year, month_start(month_index(birth[i]) // 12 * 12 + 12) - 1,
                       np.where(days > 0, birth[i] + days, add_months(birth[i], months)))
        last[i] = np.where(policy.table_t[F.NB_ST].take(k) == PUBLISHED, end, 0)
    return last


def _stopped(policy: Policy, key: I32, end: I32) -> I32:
    """The day a lapse begins after cover ended on ``end``: the end day itself (C17), or the
    1st of the next month where benefits stop "从停保次月起" (Guilin, C31)."""
    next_month = policy.table_t[F.STOP_NEXT_MONTH].take(key) == 1
    return np.where(next_month, month_start(month_index(end) + 1), end).astype(np.int32)


def _transfer(policy: Policy, c: QuoteColumns, key: I32) -> Bool:
    """Employee insurance ended, then resident insurance paid in the transfer window (C8, C17)."""
    transfer = np.zeros(len(c), dtype=np.bool_)
    if np.count_nonzero(c.has_employee_end):  # only rows whose employee insurance ended
        i = np.flatnonzero(c.has_employee_end)
        k, end, paid = key[i], c.employee_end[i], c.payment[i]
        months = policy.table_t[F.TRANSFER_MONTHS].take(k)
        published = policy.table_t[F.TRANSFER_ST].take(k) == PUBLISHED
        transfer[i] = (paid >= end) & published & np.where(
            months == 0,
            year_of(paid) == year_of(end),  # old regime: the same calendar year (C8)
            paid <= add_months(_stopped(policy, k, end), months),  # new regime (C17, C31)
        )
    return transfer


def _status(p: Param, c: QuoteColumns, is_new: Bool) -> tuple[Bool, Bool, Bool]:
    """A status change (contract §2.2): given; of a kind the region exempts from waiting;
    and paid within [status day, status day + window], the end day included (C30)."""
    given = c.status_kind > 0
    if not np.count_nonzero(given):
        return given, given, given
    listed = given & (((p(F.EXEMPT_KINDS) >> np.maximum(c.status_kind - 1, 0)) & 1) == 1)
    days = p(F.EXEMPT_DAYS)
    end = np.where(days > 0, c.status_date + days, add_months(c.status_date, p(F.EXEMPT_MONTHS)))
    exempt = is_new & listed & (c.payment >= c.status_date) & (c.payment <= end)
    return given, listed & is_new, exempt


def _relapse(policy: Policy, c: QuoteColumns, p: Param, key: I32, lapse: I32,
             first_enroll: Bool, is_new: Bool) -> Bool:
    """Where the region words the start after a lapse itself (Guilin): the lapse began when
    benefits stopped (the year before's cover ended Dec 31, or the employee insurance ended)
    and lasted more than ``over_months`` months at the payment (C31)."""
    relapse = np.zeros(len(c), dtype=np.bool_)
    if not np.count_nonzero(p(F.RELAPSE_ON) == 1):
        return relapse
    on = is_new & (p(F.RELAPSE_ON) == 1)
    i = np.flatnonzero(on)  # only the rows of such regions
    k, ended = key[i], c.has_employee_end[i]
    began = np.where(ended, _stopped(policy, k, c.employee_end[i]),
                     policy.table_t[F.JAN1].take(k))
    long_ago = c.payment[i] > add_months(began, policy.table_t[F.RELAPSE_OVER].take(k))
    relapse[i] = (lapse[i] >= 1) | (long_ago & (~first_enroll[i] | ended))
    return relapse


def _trailing_ones(mask: npt.NDArray[np.uint64]) -> I32:
    inverted = ~mask
    lowest = inverted & (~inverted + np.uint64(1))
    return np.bitwise_count(lowest - np.uint64(1)).astype(np.int32)
def policy_key(policy: Policy, region_idx: I32, year: I32) -> tuple[Bool, I32]:
    """Whether the policy knows (region, coverage year) of each row, and its table row."""
    yoff = year - policy.first_year
    ok = (region_idx >= 0) & (yoff >= 0) & (yoff < policy.n_years)
    return ok, np.where(ok, region_idx * policy.n_years + yoff, 0).astype(np.int32)


def lapse_years(covered: YearMask, has_birth: Bool, birth_year: I32, year: I32
                ) -> tuple[I32, Bool]:
    """Lapse years (C5): the run of uncovered years just before ``year``, never counting
    the birth year or earlier; and whether the row is a first enrollment (an empty list)."""
    cov = covered.mask
    first_enroll = covered.given & (cov == 0)
    trailing_zeros = np.bitwise_count((cov & (~cov + np.uint64(1))) - np.uint64(1))
    lapse = np.where(covered.given & ~first_enroll, trailing_zeros.astype(np.int32), 0)
    lapse = np.where(has_birth, np.minimum(lapse, np.maximum(year - 1 - birth_year, 0)), lapse)
    return np.asarray(lapse, dtype=np.int32), first_enroll


def facts(policy: Policy, c: QuoteColumns, err: I64) -> Facts:
    """The facts of every row; input errors are set in ``err`` in the order the single
    quote reports them (the first error of a row wins)."""
    n = len(c)
    year, pay = c.coverage_year, c.payment

    found: list[tuple[Bool, str]] = []  # (condition, error code), first error first
    # region and year: each row's resolved parameters
    known_region = c.region_idx >= 0
    ok, key = policy_key(policy, c.region_idx, year)
    p = _parameters(policy, key)
    regime = np.where(ok, p(F.REGIME), 0)
    found.append((~known_region, "unknown_region"))
    found.append(((regime == 0) | (p(F.CONC_ST) != PUBLISHED), "unsupported_year"))
    jan1, dec31 = p(F.JAN1), per_row(p(F.DEC31), n)
    found.append((pay < p(F.CONC_START_DAY), "payment_too_early"))
    found.append((pay > dec31, "payment_too_late"))

    # newborns (C3, C4)
    birth, has_birth = c.birth, c.has_birth
    birth_year = year_of(birth)
    found.append((has_birth & (birth > pay), "born_after_payment"))
    found.append((has_birth & (birth_year > year), "born_after_coverage_year"))
    nb_last = newborn_last_day(policy, key, birth, has_birth & (birth_year >= year - 1))
    in_window = pay <= nb_last
    born_y = has_birth & (birth_year == year)
    born_prev = has_birth & (birth_year == year - 1)
    nb_in = (born_y | born_prev) & in_window

    # special groups (R-FEE-ASSIST)
    group = c.group
    has_group = group > 0
    g = np.maximum(group, 0)
    kind = policy.assist_kind_t[g, key] if np.count_nonzero(has_group) else np.zeros(n, np.int32)
    found.append(((group < 0) | (has_group & (kind == 0)), "unknown_special_group"))

    # lapse years (C5)
    lapse, first_enroll = lapse_years(c.covered, has_birth, birth_year, year)

    # back-payment (C4, C10, C19)
    bp = c.back_pay
    is_new, is_old = regime == NEW, regime == OLD
    if np.count_nonzero(bp.given):
        lapse_bits = np.left_shift(np.uint64(1), lapse.astype(np.uint64)) - np.uint64(1)
        birth_bit = np.where(born_prev & nb_in, np.uint64(1), np.uint64(0))
        found.append((bp.duplicate, "back_pay_duplicate"))
        found.append((bp.future, "back_pay_not_past"))
        found.append((is_old & (bp.too_old | ((bp.mask & ~birth_bit) != 0)),
                    "back_pay_not_allowed"))
        found.append((is_new & (bp.too_old | ((bp.mask & ~(lapse_bits | birth_bit)) != 0)),
                    "back_pay_outside_lapse"))
        repaired = np.where(is_new, np.bitwise_count(bp.mask & lapse_bits), 0).astype(np.int32)
        n_back = np.bitwise_count(bp.mask).astype(np.int32)
        birth_back = (bp.mask & birth_bit) != 0
    else:
        repaired = n_back = np.zeros(n, dtype=np.int32)
        birth_back = np.zeros(n, dtype=np.bool_)

    # status changes (C30), the start after a lapse (C31), children past the window (C34)
    found.append(((c.status_kind > 0) & (c.status_date > pay), "status_change_after_payment"))
    status_given, status_listed, status_exempt = _status(p, c, is_new)
    relapse = _relapse(policy, c, p, key, lapse, first_enroll, is_new)
    concentrated = pay <= p(F.CONC_END_DAY)
    in_deferral = c.hardship & (pay <= p(F.DEFERRAL_END_DAY))  # C9
    child_period = np.zeros(n, dtype=np.bool_)
    if np.count_nonzero(p(F.CHILD_PERIOD_ONLY) == 1):  # only where a region limits children (Qinghai)
        maybe = has_birth & ~nb_in & (p(F.CHILD_PERIOD_ONLY) == 1) & ~concentrated & ~in_deferral
        i = np.flatnonzero(maybe)
        age = policy.table_t[F.CHILD_AGE].take(key[i])
        # a minor on 1 January of the coverage year stays one for that year (C34): the answer
        # then does not flip at an 18th birthday inside the year
        child_period[i] = per_row(jan1, n)[i] < add_months(birth[i], age * 12)

    # continuous years before the coverage year (C36): absent = continuous (C5)
    covered_before = np.where(c.covered.given, _trailing_ones(c.covered.mask), 64)
    covered_before = np.where(has_birth, np.minimum(covered_before, np.maximum(year - birth_year, 0)),
                              covered_before).astype(np.int32)

    first_errors(err, found)
    pay_month = month_index(pay)
    return Facts(
        n=n, key=key, p=p, regime=regime, is_old=is_old, is_new=is_new, pay=pay,
        jan1=jan1, dec31=dec31,
        next_month=month_start(pay_month + 1),
        this_month=np.maximum(month_start(pay_month), jan1),
        pay_month=pay_month,
        concentrated=concentrated,
        in_deferral=in_deferral,
        birth=birth, born_y=born_y, born_prev=born_prev, in_window=in_window, nb_in=nb_in,
        nb_last=nb_last,
        has_group=has_group, kind=kind, g=g, lapse=lapse, first_enroll=first_enroll,
        repaired=repaired, n_back=n_back, birth_back=birth_back,
        transfer=_transfer(policy, c, key),
        status_given=status_given, status_listed=status_listed, status_exempt=status_exempt,
        relapse=relapse, child_period=child_period, covered_before=covered_before,
    )
