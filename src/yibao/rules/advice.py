"""What to do now (contract §2.1): the answer without the back-pay, and the one next step —
pay for this year, pay for next year, wait for next year's period, or nothing to pay —
with the lapse years whose back-payment brings cover earlier (C22–C24).

The engine answers these questions itself, on extra rows (*scenarios*) evaluated in the
same call as the requests:

- ``THIS``, k = 0 … lapse: the request paid on its payment date with the latest k lapse
  years back-paid (k = 0 is the request without its back-pay);
- ``NEXT``, k = 0 … lapse': the same person paying for the next coverage year — on the
  payment date when that year's concentrated period is open, else on its first day —
  with the coverage year itself unpaid (a lapse year, C23) and the latest k of that
  year's lapse years back-paid.

    results, advice = evaluate_with_advice(policy, columns)
    advice.code[i], advice.months_earlier[i], advice.best_k[i]

No rule is restated here: every date and amount comes from ``evaluate``; this module only
builds the rows and picks, per request, the earliest start and the fewest years that
reach it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from yibao.rules.calendar import month_index, year_of
from yibao.rules.engine import QuoteResults, evaluate
from yibao.rules.facts import lapse_years, policy_key
from yibao.rules.inputs import MASK_YEARS, QuoteColumns, YearMask
from yibao.rules.policy import PUBLISHED, F, Policy

__all__ = [
    "NEXT_STEP_CODES",
    "NOTHING_TO_PAY",
    "PAY_NEXT_YEAR",
    "PAY_THIS_YEAR",
    "WAIT_FOR_NEXT_PERIOD",
    "Advice",
    "evaluate_with_advice",
]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]

#: ``next_step.code`` by number (0: the request has an error, no advice)
NEXT_STEP_CODES = ("", "pay_this_year", "pay_next_year", "wait_for_next_period",
                   "nothing_to_pay")
PAY_THIS_YEAR, PAY_NEXT_YEAR, WAIT_FOR_NEXT_PERIOD, NOTHING_TO_PAY = 1, 2, 3, 4
THIS, NEXT = 0, 1
_NEVER = np.int32(2**31 - 1)


@dataclass(frozen=True)
class Advice:
    """Per request row: the answer without its back-pay and the next step.

    Row indices (``*_row``) point into ``scenario``, the engine's results of the requests
    and their extra rows, so that a caller can read any field of those answers (waiting
    months, rules, amounts).
    """

    scenario: QuoteResults
    code: I32  # NEXT_STEP_CODES index
    step_year: I32  # the coverage year to pay for now
    pay_from: I32  # day number, 0 = none
    pay_by: I32  # day number, 0 = none
    without_row: I32  # THIS, k = 0: the request without back-pay
    months_earlier: I32  # the request's back-pay: months gained (C22); 0 without back-pay
    step_row: I32  # the step's year, k = 0 (no back-pay)
    best_row: I32  # the step's year with the fewest latest lapse years giving the earliest start
    best_k: I32  # how many lapse years that is (0: back-pay brings nothing, or no lapse)
    best_months: I32  # months that back-pay brings cover earlier (C24)
    step_lapse: I32  # lapse years of the step's year (what back-pay could repair)

    def back_pay_years(self, i: int) -> tuple[int, ...]:
        """The lapse years advised for back-payment with the step of row ``i``, oldest first."""
        year, k = int(self.step_year[i]), int(self.best_k[i])
        return tuple(range(year - k, year))


def _latest(k: I32) -> U64:
    """Mask of the latest ``k`` years before the coverage year (bits 0 … k-1)."""
    k64 = np.minimum(k, MASK_YEARS - 1).astype(np.uint64)
    return np.left_shift(np.uint64(1), k64) - np.uint64(1)


def _next_year_covered(covered: YearMask) -> U64:
    """The covered-years mask seen from the next coverage year: the coverage year unpaid."""
    mask = np.where(covered.given, covered.mask, np.uint64(2**64 - 1))
    return np.left_shift(mask, np.uint64(1))


_FIELDS = tuple(f.name for f in fields(QuoteColumns))


@dataclass(frozen=True)
class _Scenarios:
    columns: QuoteColumns  # the requests (rows 0 … n-1), then their scenarios
    group_start: I64  # first row of each (request, kind) group, request-major
    group_rows: I64  # rows of each group
    next_open: Bool  # per request: next year's concentrated period is open on the payment day
    next_from: I32  # per request: first day of next year's period (0 unknown)
    next_until: I32  # per request: last day of next year's period (0 unknown)


@dataclass(frozen=True)
class _Layout:
    """Where the scenario rows of a set of requests go, given their lapse counts."""

    idx: I64  # per row (requests, then scenarios): the request it copies
    nxt: Bool  # per row: a NEXT scenario (the requests: False)
    nxt_years: I32  # ``nxt`` as years to add to the coverage year
    stay: Bool  # ``~nxt``
    back_given: Bool  # per scenario row: k > 0
    back_mask: U64  # per scenario row: the latest k lapse years
    none: Bool  # per scenario row: False
    group_start: I64  # first row of each (request, kind) group, request-major
    group_rows: I64  # rows of each group


#: layouts of a few requests, by their lapse counts (a single quote's is one of a few
#: hundred); larger sets are laid out on each call
_LAYOUTS: dict[bytes, _Layout] = {}
_FEW_REQUESTS = 4


def _layout(k_this: I32, per_owner: I32) -> _Layout:
    n = len(k_this)
    key = k_this.astype(np.int32).tobytes() + per_owner.astype(np.int32).tobytes()
    if n <= _FEW_REQUESTS:
        found = _LAYOUTS.get(key)
        if found is not None:
            return found
    owner = np.repeat(np.arange(n), per_owner)
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_owner, out=first[1:])
    pos = np.arange(len(owner)) - first[owner]
    is_next = pos >= k_this[owner]
    k = np.where(is_next, pos - k_this[owner], pos).astype(np.int32)
    nxt = np.concatenate([np.zeros(n, np.bool_), is_next])
    group_start = n + np.sort(np.concatenate([first[:-1], first[:-1] + k_this]))
    layout = _Layout(
        idx=np.concatenate([np.arange(n), owner]), nxt=nxt, nxt_years=nxt.astype(np.int32),
        stay=~nxt, back_given=k > 0, back_mask=_latest(k),
        none=np.zeros(len(owner), np.bool_),
        group_start=group_start,
        group_rows=np.diff(np.append(group_start, n + len(owner))))
    if n <= _FEW_REQUESTS:
        for name in _LAYOUT_FIELDS:
            getattr(layout, name).flags.writeable = False
        if len(_LAYOUTS) > 4096:
            _LAYOUTS.clear()
        _LAYOUTS[key] = layout
    return layout


_LAYOUT_FIELDS = tuple(f.name for f in fields(_Layout))


def _scenarios(policy: Policy, c: QuoteColumns) -> _Scenarios:
    """The requests followed by their scenario rows, as one set of engine columns."""
    n = len(c)
    year, pay = c.coverage_year, c.payment
    birth_year = year_of(c.birth)
    next_mask = _next_year_covered(c.covered)
    # this year's lapse and next year's (the coverage year unpaid) in one call
    cov = c.covered
    both = YearMask(given=np.concatenate([cov.given, np.ones(n, np.bool_)]),
                    mask=np.concatenate([cov.mask, next_mask]), duplicate=cov.duplicate,
                    future=cov.future, too_old=cov.too_old)
    lapses, _ = lapse_years(both, np.concatenate([c.has_birth, c.has_birth]),
                            np.concatenate([birth_year, birth_year]),
                            np.concatenate([year, year + 1]))
    lapse, lapse_next = lapses[:n], lapses[n:]

    known, key = policy_key(policy, c.region_idx, year + 1)
    known &= policy.table_t[F.CONC_ST].take(key) == PUBLISHED
    opens = np.where(known, policy.table_t[F.CONC_START_DAY].take(key), 0).astype(np.int32)
    closes = np.where(known, policy.table_t[F.CONC_END_DAY].take(key), 0).astype(np.int32)
    next_open = known & (opens <= pay) & (pay <= closes)

    k_this = np.minimum(lapse, MASK_YEARS - 1) + 1
    lay = _layout(k_this, k_this + np.minimum(lapse_next, MASK_YEARS - 1) + 1)
    idx, nxt = lay.idx, lay.nxt
    values: dict[str, Any] = {name: getattr(c, name).take(idx) for name in _FIELDS
                              if name not in ("covered", "back_pay")}
    values["coverage_year"] = values["coverage_year"] + lay.nxt_years
    opens_of = opens.take(idx)
    wait = nxt & ~next_open.take(idx) & (opens_of > 0)
    values["payment"] = np.where(wait, np.maximum(values["payment"], opens_of),
                                 values["payment"]).astype(np.int32)
    values["hardship"] = values["hardship"] & lay.stay
    values["covered"] = YearMask(
        given=cov.given.take(idx) | nxt,
        mask=np.where(nxt, next_mask.take(idx), cov.mask.take(idx)),
        duplicate=cov.duplicate.take(idx), future=cov.future.take(idx),
        too_old=cov.too_old.take(idx))
    bp, none = c.back_pay, lay.none
    values["back_pay"] = YearMask(
        given=np.concatenate([bp.given, lay.back_given]),
        mask=np.concatenate([bp.mask, lay.back_mask]),
        duplicate=np.concatenate([bp.duplicate, none]),
        future=np.concatenate([bp.future, none]),
        too_old=np.concatenate([bp.too_old, none]))
    return _Scenarios(QuoteColumns(**values), lay.group_start, lay.group_rows, next_open,
                      opens, closes)


def _best(res: QuoteResults, sc: _Scenarios) -> I64:
    """Per (request, kind) group: its best row — the earliest start, the fewest years.  A
    row the engine refuses (an error) is never best; a group with no answer gives its
    first row."""
    n0 = int(sc.group_start[0])
    ok = res.error[n0:] == 0
    start = np.where(ok, res.start[n0:], _NEVER)
    starts = sc.group_start - n0
    earliest = np.minimum.reduceat(start, starts)
    rows = np.arange(len(start))
    candidate = np.where(ok & (start == np.repeat(earliest, sc.group_rows)), rows, len(start))
    best = np.minimum.reduceat(candidate, starts)
    return np.where(best == len(start), starts, best) + n0


def _months_between(earlier: I32, later: I32) -> I32:
    """Calendar months from ``earlier``'s month to ``later``'s (C22), never below 0."""
    return np.asarray(np.maximum(month_index(later) - month_index(earlier), 0), dtype=np.int32)


def evaluate_with_advice(policy: Policy, c: QuoteColumns) -> tuple[QuoteResults, Advice]:
    """``evaluate`` the requests and their scenarios in one engine call: the results (rows
    0 … n-1 are the requests, the scenario rows follow) and the advice for each request."""
    n = len(c)
    sc = _scenarios(policy, c)
    res = evaluate(policy, sc.columns)
    k0 = sc.group_start
    best = _best(res, sc)
    this0, this_best = k0[0::2], best[0::2]
    next0, next_best = k0[1::2], best[1::2]

    ok = res.error[:n] == 0
    start, error = res.start, res.error
    nothing = ok & res.amount_known[:n] & (res.amount[:n] == 0)
    code = np.where(~ok, 0, np.where(nothing, NOTHING_TO_PAY, np.where(
        res.start_known[:n], PAY_THIS_YEAR,
        np.where(sc.next_open, PAY_NEXT_YEAR, WAIT_FOR_NEXT_PERIOD)))).astype(np.int32)
    later = code >= PAY_NEXT_YEAR
    later &= code != NOTHING_TO_PAY
    step_row = np.where(later, next0, this0)
    best_row = np.where(later, next_best, this_best)

    # the request's own back-pay (C22): a back-paid birth year covers from birth (C4)
    first_day = np.where(res.birth_year_from[:n] > 0, res.birth_year_from[:n], start[:n])
    months_earlier = np.where(ok & (error.take(this0) == 0),
                              _months_between(first_day, start.take(this0)), 0)
    best_months = np.where(error.take(step_row) == 0,
                           _months_between(start.take(best_row), start.take(step_row)), 0)
    return res, Advice(
        scenario=res,
        code=code,
        step_year=(c.coverage_year + later).astype(np.int32),
        pay_from=np.where(code == WAIT_FOR_NEXT_PERIOD, sc.next_from, 0).astype(np.int32),
        pay_by=np.where(code == PAY_THIS_YEAR, res.same_start_until[:n],
                        np.where(later, sc.next_until, 0)).astype(np.int32),
        without_row=this0.astype(np.int32), months_earlier=months_earlier.astype(np.int32),
        step_row=step_row.astype(np.int32), best_row=best_row.astype(np.int32),
        best_k=np.where(best_months > 0, res.back_pay_years.take(best_row), 0).astype(np.int32),
        best_months=best_months.astype(np.int32),
        step_lapse=res.lapse.take(step_row).astype(np.int32),
    )
