"""A yibao server in a child process on a free 127.0.0.1 port (tests and benchmarks).

    args = ["-m", "yibao", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    with running_server(args, env=env) as base_url:
        ...

``{port}`` in the arguments becomes a free port; the context waits for
``/api/v1/health`` and stops the process on exit.  Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["free_port", "running_server"]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_server(
    args: list[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    log: IO[str] | None = None,
    timeout: float = 30.0,
) -> Iterator[str]:
    """Run ``python *args`` with ``{port}`` filled in; yield the base URL once healthy.

    Raises ``RuntimeError`` if the server exits or is not healthy within ``timeout`` seconds.
    """
    port = free_port()
    command = [sys.executable, *(str(port) if a == "{port}" else a for a in args)]
    proc = subprocess.Popen(command, env=dict(env), cwd=cwd, stdout=log,
                            stderr=subprocess.STDOUT if log else None)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + timeout
    try:
        while not _healthy(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"yibao server did not start: {' '.join(command)}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
