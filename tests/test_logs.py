"""No personal data in the logs: every server log of the session is free of ID numbers.

Runs last (see tests/conftest.py), after the service and browser tests registered, paid
for and read hundreds of residents, sent hostile input and provoked errors.
"""

from __future__ import annotations

import re

import pytest

from yibao.idcard import check_character

from .conftest import LOG_DIR

_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def id_numbers_in(text: str) -> list[str]:
    """Valid 18-character resident ID numbers (checksum right) found in ``text``."""
    return [m for m in _CANDIDATE.findall(text) if check_character(m[:17]) == m[17].upper()]


def test_the_scanner_finds_id_numbers() -> None:
    assert id_numbers_in("GET /api/v1/persons/450802198001010011 200") == []  # bad checksum
    assert id_numbers_in("name=韦秀梅 id=450802198001010013") == ["450802198001010013"]


def test_no_id_numbers_in_the_logs(request: pytest.FixtureRequest) -> None:
    servers = [i for i in request.session.items
               if i.nodeid.startswith(("tests/service/", "tests/web/test_web_"))]
    logs = sorted(LOG_DIR.glob("*.log"))
    if servers:  # servers ran in this session: their logs must be there to be scanned
        assert logs and any(p.stat().st_size for p in logs), "no server log to scan"
    found = {}
    for path in logs:
        hits = id_numbers_in(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[path.name] = hits[:5]
    assert found == {}, f"ID numbers in server logs: {found}"
