"""Shared fixtures: the worked examples of tests/cases/; the server logs of the session.

Every server the tests start writes its log under ``test-output/logs/``;
``tests/test_logs.py`` runs last and fails if any holds an ID number.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"
LOG_DIR = Path(__file__).resolve().parents[1] / "test-output" / "logs"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every worked example as (file::name, case)."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((f"{path.stem}::{case['name']}", case))
    return out


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start every session with no server logs but its own (a pytest run inside a test,
    or an xdist worker, keeps the outer session's logs)."""
    if not hasattr(session.config, "workerinput") and "YIBAO_TEST_LOG_OWNER" not in os.environ:
        shutil.rmtree(LOG_DIR, ignore_errors=True)
        os.environ["YIBAO_TEST_LOG_OWNER"] = str(os.getpid())
    LOG_DIR.mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log scan runs after every other test."""
    last = [i for i in items if i.nodeid.startswith("tests/test_logs.py")]
    items[:] = [i for i in items if i not in last] + last
