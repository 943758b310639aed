"""Money in yibao: integer fen inside, a decimal string of yuan at the edges.

    >>> fen_to_yuan(28000), fen_to_yuan(-5)
    ('280.00', '-0.05')
    >>> parse_yuan("280.5")
    28050

This module is the only place that turns yuan text into fen and back.
"""

from __future__ import annotations

import re

__all__ = ["YUAN_PATTERN", "fen_to_yuan", "parse_yuan"]

#: A non-negative amount of yuan with at most two decimal places (no sign, no spaces).
YUAN_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
_YUAN = re.compile(YUAN_PATTERN)


def fen_to_yuan(fen: int) -> str:
    """Exact decimal string in yuan: 28000 → "280.00", -28000 → "-280.00"."""
    value = int(fen)
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def parse_yuan(text: str) -> int:
    """``"280.00"`` → 28000; raises ``ValueError`` unless ``text`` matches ``YUAN_PATTERN``."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise ValueError(f"not an amount of yuan: {text!r}")
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])
