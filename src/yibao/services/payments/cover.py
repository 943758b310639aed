"""An enrollment's cover and a payment's settlement, as pure functions over column values.

An enrollment (one person, one coverage year) is *anchored* once a payment fixed its
cover dates; later payments for the year only add money (``settle``). A *pending*
enrollment was paid while a figure was unpublished: no cover until ``yibao payments
settle`` quotes it. Status: ``open`` → ``pending`` | ``paid`` | ``underpaid`` |
``overpaid``; ``cancelled`` once every payment was reversed. An ``underpaid`` enrollment
keeps what is still owed in ``balance_due_fen`` (due − paid), so that it is asked for again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from yibao.rules.answer import Quote

__all__ = [
    "ANCHORED",
    "balance_of",
    "fix_cover",
    "make_pending",
    "settle",
    "snapshot",
    "status_of",
    "update_status",
]

#: Statuses whose cover dates are fixed.
ANCHORED = ("paid", "underpaid", "overpaid")


def status_of(due: int | None, paid: int) -> str:
    """The enrollment status for what is due and what arrived (``cancelled`` is set by
    reversals, never from amounts alone)."""
    if due is None:
        return "pending"
    if paid == due:
        return "paid"
    return "overpaid" if paid > due else "underpaid"


def balance_of(due: int | None, paid: int) -> int:
    """What is still owed (fen): due − paid while less than due arrived, else 0."""
    return 0 if due is None else max(due - paid, 0)


def update_status(state: dict[str, Any]) -> None:
    """Status and balance of an enrollment's values from what is due and what arrived."""
    due, paid = state["amount_due_fen"], int(state["amount_paid_fen"])
    state["status"] = status_of(due, paid)
    state["balance_due_fen"] = balance_of(due, paid)


def _reason(quote: Quote) -> dict[str, str] | None:
    r = quote.start_reason
    return None if r is None else {"code": r.code, "text": r.text, "text_en": r.text_en}


def fix_cover(state: dict[str, Any], quote: Quote, *, history_unknown: bool) -> None:
    """Write the quote's cover (dates, waiting, rules, due) into an enrollment's values."""
    state.update(
        amount_due_fen=quote.total_due_fen,
        benefit_start=quote.benefit_start,
        benefit_end=quote.benefit_end,
        waiting_fixed=quote.waiting_fixed,
        waiting_variable=quote.waiting_variable,
        rules=[{"id": r.id, "source": r.source, "text": r.text} for r in quote.rules],
        rule_ids=list(quote.rule_ids),
        warnings=list(quote.warnings),
        warning_codes=list(quote.warning_codes),
        history_basis="unknown" if history_unknown else "registry",
        policy_version=quote.policy_version or None,
        start_reason=_reason(quote),
    )


def make_pending(state: dict[str, Any], quote: Quote, *, history_unknown: bool) -> None:
    """No cover yet: a figure of the year is unpublished (the quote says which)."""
    state.update(
        amount_due_fen=None,
        benefit_start=None,
        benefit_end=None,
        waiting_fixed=0,
        waiting_variable=0,
        rules=[],
        rule_ids=[],
        warnings=list(quote.warnings),
        warning_codes=list(quote.warning_codes),
        history_basis="unknown" if history_unknown else "registry",
        policy_version=quote.policy_version or None,
        start_reason=None,
    )


def settle(state: dict[str, Any], amount: int) -> tuple[int | None, int | None, str]:
    """Add ``amount`` to the enrollment; returns (expected, difference, settlement).

    ``expected`` is what was still due before this payment (None while pending).
    """
    due, paid_before = state["amount_due_fen"], state["amount_paid_fen"]
    expected = None if due is None else max(due - paid_before, 0)
    diff = None if expected is None else amount - expected
    settlement = (
        "unquoted" if diff is None else "exact" if diff == 0 else "over" if diff > 0 else "under"
    )
    state["amount_paid_fen"] = paid_before + amount
    update_status(state)
    return expected, diff, settlement


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def snapshot(e: Mapping[str, Any]) -> dict[str, Any]:
    """An enrollment's state for the audit log and corrections."""
    return {
        "status": e["status"],
        "amount_due_fen": e["amount_due_fen"],
        "amount_paid_fen": e["amount_paid_fen"],
        "benefit_start": _iso(e["benefit_start"]),
        "benefit_end": _iso(e.get("benefit_end")),
        "waiting_fixed": e.get("waiting_fixed", 0),
        "waiting_variable": e.get("waiting_variable", 0),
        "rule_ids": list(e["rule_ids"]),
    }
