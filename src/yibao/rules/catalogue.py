"""Names kept for the modules that read the catalogue by its old name (the batch runner).

Everything is defined in :mod:`yibao.rules.registry` (rules and conventions) and
:mod:`yibao.rules.messages` (warnings and notes); this module only re-exports it.
"""

from __future__ import annotations

from yibao.rules.conventions import CONVENTIONS
from yibao.rules.messages import NOTES_LAPSE, WARNING, WARNING_BIT
from yibao.rules.registry import RULE_BIT, RULES, Rule

__all__ = [
    "CONVENTIONS",
    "NOTES_LAPSE",
    "RULES",
    "RULE_BIT",
    "SERVICE_WARNINGS",
    "WARNING_BIT",
    "Rule",
]

#: warning code → Chinese text, for warnings the registry of persons adds
SERVICE_WARNINGS: dict[str, str] = {"history_unknown": WARNING["history_unknown"].text}
