"""The whole API against its own OpenAPI document (schemathesis: examples, coverage, fuzzing
and stateful phases following the documented links), on each database, bounded in time.

Every check but one must pass: no 5xx, every status, content type, header and body as
documented, bad input refused, ``Allow`` right on 405, auth not ignored. Left out:
``positive_data_acceptance`` (a schema cannot say which region, channel or ID number
exists, so well-formed but unknown values are rightly 404/409/422).

Requests carry ``X-Forwarded-For`` of a documentation address, so the wrong passwords the
fuzzer sends lock no address the other tests log in from; logging out is left out (it
would revoke the token the run uses).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import Server

REPORTS = Path(__file__).resolve().parents[2] / "test-output"
MAX_SECONDS = int(os.environ.get("YIBAO_SCHEMATHESIS_SECONDS", "25"))


def test_the_api_keeps_its_schema(server: Server) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"schemathesis-{server.backend}.txt"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.base_url}/openapi.json",
        "-H", f"Authorization: Bearer {server.tokens['admin']}",
        "-H", "X-Forwarded-For: 192.0.2.77",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--exclude-path", "/api/v1/auth/logout",
        "--max-examples", "12", "--max-time", str(MAX_SECONDS), "--seed", "8",
        "--workers", "1", "--no-shrink", "--request-timeout", "30",
        "--suppress-health-check", "all", "--warnings", "off",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=MAX_SECONDS + 240,
                         env={**os.environ, "NO_COLOR": "1"})
    report.write_text(run.stdout + run.stderr, encoding="utf-8")
    tail = "\n".join((run.stdout + run.stderr).splitlines()[-60:])
    assert run.returncode == 0, f"schemathesis found problems (see {report}):\n{tail}"
    assert "generated" in run.stdout
