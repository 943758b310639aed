"""The English of an answer's notes, from the registry (yibao.rules.messages).

A quote's ``notes`` carry the Chinese text and its citation; the registry holds both
languages. Regional notes exist only in Chinese: their English is "" and the page
shows the Chinese marked as such.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from yibao.rules.messages import NOTE_BIRTH_YEAR_PAID, NOTE_BIRTH_YEAR_UNPAID, NOTES_LAPSE

__all__ = ["note_english"]

_LAPSE = {n.text: n.text_en for n in NOTES_LAPSE}
_YEAR = re.compile(r"(\d{4})年")
_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def note_english(text: str, result: dict[str, Any]) -> str:
    """The English of note ``text`` of ``result`` ("" when the note is Chinese only)."""
    if text in _LAPSE:
        return _LAPSE[text]
    year = str(result.get("coverage_year", ""))
    found = _YEAR.search(text)
    birth_year = found.group(1) if found else ""
    if text.startswith(NOTE_BIRTH_YEAR_PAID.text.split("(")[0]):
        day = _DAY.search(text.split("自")[-1])
        birth_en = date(*map(int, day.groups())).isoformat() if day else ""
        return NOTE_BIRTH_YEAR_PAID.text_en.format(birth_year=birth_year, birth_en=birth_en)
    if text.startswith(NOTE_BIRTH_YEAR_UNPAID.text.split("(")[0]):
        return NOTE_BIRTH_YEAR_UNPAID.text_en.format(birth_year=birth_year, year=year)
    return ""
