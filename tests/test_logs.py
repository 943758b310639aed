"""No personal data in the logs: the scan that ends every session (tests/conftest.py,
``pytest_sessionfinish``) finds ID numbers and fails the session when a server log holds one.

The scan itself runs after the last test of every session, in the controlling process,
whatever the order of the tests or the number of xdist workers: after the service and
browser tests registered, paid for and read hundreds of residents, sent hostile input and
provoked errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import id_numbers_in, scan_logs

ROOT = Path(__file__).resolve().parents[1]
PLANTED = "GET /api/v1/persons/450802198001010013 200"


def test_the_scanner_finds_id_numbers(tmp_path: Path) -> None:
    assert id_numbers_in("GET /api/v1/persons/450802198001010011 200") == []  # bad checksum
    assert id_numbers_in("name=韦秀梅 id=450802198001010013") == ["450802198001010013"]
    (tmp_path / "clean.log").write_text("GET /api/v1/persons/4508**********0013 200\n")
    (tmp_path / "leak.log").write_text(PLANTED + "\n")
    assert scan_logs(tmp_path) == {"leak.log": ["450802198001010013"]}


def test_plant_an_id_number_in_a_server_log() -> None:
    """Writes an ID number into a server log, for the test below only (its own session)."""
    folder = os.environ.get("YIBAO_TEST_PLANT_LOG")
    if not folder:
        pytest.skip("plants an ID number only inside the session of the test below")
    (Path(folder) / "service-planted.log").write_text(PLANTED + "\n", encoding="utf-8")


@pytest.mark.parametrize("workers", [[], pytest.param(["-n", "2"], marks=pytest.mark.slow)],
                         ids=["serial", "xdist"])
def test_a_session_whose_server_logs_hold_an_id_number_fails(tmp_path: Path,
                                                            workers: list[str]) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("YIBAO_TEST_LOG", "PYTEST_XDIST", "PYTEST_CURRENT"))}
    env.update(YIBAO_TEST_LOG_DIR=str(tmp_path), YIBAO_TEST_PLANT_LOG=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
         "tests/test_logs.py::test_plant_an_id_number_in_a_server_log"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert "1 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == 1, run.stdout
    assert "server log scan: FAILED" in run.stdout
    assert "service-planted.log" in run.stdout and "450802198001010013" in run.stdout
