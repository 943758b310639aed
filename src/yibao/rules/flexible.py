"""Flexible-employment employee insurance (灵活就业人员职工医保): base × rate, exact to the fen.

    >>> monthly_contribution_fen(520300, 550)   # Dandong 2024: 5203 × 5.5% = 286.165 → 286.17
    28617
"""

from __future__ import annotations

__all__ = ["monthly_contribution_fen"]


def monthly_contribution_fen(base_fen: int, rate_bp: int) -> int:
    """Monthly contribution in fen: ``base_fen`` × ``rate_bp`` / 10000, rounded half up."""
    if base_fen < 0 or rate_bp < 0:
        raise ValueError("base and rate must not be negative")
    return (base_fen * rate_bp + 5_000) // 10_000
