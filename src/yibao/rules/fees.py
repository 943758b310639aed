"""Step 2 of the engine: what is due (R-FEE-ONTIME, R-FEE-LATE, R-FEE-NEWBORN, R-FEE-ASSIST).

Money in fen.  The July-1 surcharge (C12), special groups (C7, C16), unpublished figures
(C13) and back-payment prices (C10, C19) are decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yibao.rules.facts import Facts, per_row
from yibao.rules.policy import (
    ASSIST_FIXED,
    ASSIST_FIXED_UNPUBLISHED,
    ASSIST_FULL,
    PUBLISHED,
    F,
    Policy,
)

__all__ = ["MISSING", "Fees", "fees"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bool = npt.NDArray[np.bool_]

#: Bits of the ``missing`` column, by figure name.  ``individual_share`` also marks an
#: unpublished share of a newborn's birth year: that back-payment cannot be priced either.
MISSING: tuple[str, ...] = ("individual_share", "fiscal_subsidy", "ontime_fee_deadline",
                            "assistance")
M_SHARE, M_SUBSIDY, M_DEADLINE, M_ASSIST = (1 << i for i in range(len(MISSING)))


@dataclass(frozen=True, slots=True)
class Fees:
    """Amounts per row and which figures they lacked."""

    late: Bool
    individual: I64
    subsidy: I64
    assistance: I64
    back_pay: I64
    amount: I64
    amount_known: Bool
    share_known: Bool
    assistance_known: Bool
    back_pay_known: Bool
    missing: I32


def fees(policy: Policy, f: Facts) -> Fees:
    """The coverage year's amount and its parts, and the back-payment (separately)."""
    n, p = f.n, f.p
    late = f.pay > p(F.DEADLINE_DAY)
    exempt_surcharge = f.nb_in | f.has_group
    need_subsidy = late & ~exempt_surcharge
    individual = per_row(p(F.SHARE), n).astype(np.int64)
    subsidy = np.where(need_subsidy, p(F.SUBSIDY), 0).astype(np.int64)
    full = f.kind == ASSIST_FULL
    if np.count_nonzero(f.has_group):
        fixed_amount = policy.assist_amount_t[f.g, f.key]
        assistance = np.where(full, -individual, np.where(
            f.kind == ASSIST_FIXED, -np.minimum(fixed_amount, individual), 0))
    else:
        assistance = np.zeros(n, dtype=np.int64)
    amount = individual + subsidy + assistance

    share_status = p(F.SHARE_ST)  # a scalar when every row shares one profile
    known = np.asarray(share_status == PUBLISHED)
    share_known = np.full(n, bool(known)) if known.ndim == 0 else known
    subsidy_missing = need_subsidy & (p(F.SUBSIDY_ST) != PUBLISHED)
    assist_missing = f.has_group & (f.kind == ASSIST_FIXED_UNPUBLISHED)
    missing = (
        np.where(share_status != PUBLISHED, M_SHARE, 0)
        | np.where(subsidy_missing, M_SUBSIDY, 0)
        | np.where((p(F.DEADLINE_ST) != PUBLISHED) & (f.pay >= f.jan1) & ~exempt_surcharge,
                   M_DEADLINE, 0)
        | np.where(assist_missing, M_ASSIST, 0)
    ).astype(np.int32)
    amount_known = (missing == 0) | (full & ~subsidy_missing)

    # back-payment (C10, C19): the coverage year's share per lapse year; a newborn's birth
    # year at the birth year's share, which may be unpublished
    back_pay = f.n_back * individual
    back_pay_known = share_known
    if np.count_nonzero(f.birth_back):
        prev_known = policy.table_t[F.PREV_SHARE_ST].take(f.key) == PUBLISHED
        prev = policy.table_t[F.PREV_SHARE].take(f.key).astype(np.int64)
        back_pay = np.where(f.birth_back, back_pay - individual + prev, back_pay)
        birth_known = ~f.birth_back | prev_known
        back_pay_known = share_known & birth_known
        missing |= np.where(birth_known, 0, M_SHARE).astype(np.int32)
    return Fees(
        late=late, individual=individual, subsidy=subsidy, assistance=assistance,
        back_pay=back_pay, amount=amount, amount_known=amount_known, share_known=share_known,
        assistance_known=~assist_missing, back_pay_known=back_pay_known, missing=missing,
    )
