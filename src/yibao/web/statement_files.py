"""Statements uploaded in the console, kept between the check and the import.

    path = keep(data, "对账单.csv")   # under its digest, in a folder only yibao can read
    path = kept(digest)               # None once imported, expired or never uploaded
    forget(path)                      # after the import: the statement is not needed again

A statement lists residents' ID numbers and payments: it is kept private (folder 0700,
file 0600), removed once its missing lines are imported, and any statement left longer
than :data:`KEEP_SECONDS` is gone: removed when asked for, and at the next upload (the run
stored in the database keeps its name and digest; the import page then asks for the file
again).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

__all__ = ["KEEP_SECONDS", "folder", "forget", "keep", "kept"]

#: A statement checked but not imported is kept this long (the clerk imports right after).
KEEP_SECONDS = 3600
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def folder() -> Path:
    """The private folder of kept statements (one per operating-system user)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"yibao-statements-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path


def _expired(home: Path, now: float) -> bool:
    """Whether a kept statement is past :data:`KEEP_SECONDS` (then it is removed)."""
    try:
        if now - home.stat().st_mtime <= KEEP_SECONDS:
            return False
    except FileNotFoundError:  # another request removed it first
        return True
    shutil.rmtree(home, ignore_errors=True)
    return True


def _prune(root: Path, now: float) -> None:
    for home in root.iterdir():
        _expired(home, now)


def keep(data: bytes, name: str) -> Path:
    """Keep the uploaded file under its digest (the import step reads it again), with its
    own name (the run records it); statements older than :data:`KEEP_SECONDS` go first."""
    root = folder()
    _prune(root, time.time())
    digest = hashlib.sha256(data).hexdigest()
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).name)[-120:] or "statement.csv"
    home = root / digest
    home.mkdir(mode=0o700, exist_ok=True)
    os.utime(home)  # kept from now, also when the same file was uploaded before
    path = home / safe
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path


def kept(digest: str) -> Path | None:
    """The statement kept under ``digest``, or None (an expired one is removed now)."""
    if not _DIGEST.match(digest):
        return None
    home = folder() / digest
    if not home.is_dir() or _expired(home, time.time()):
        return None
    files = sorted(home.iterdir())
    return files[0] if files else None


def forget(path: Path) -> None:
    """Remove a kept statement (its digest's folder)."""
    if path.parent.parent == folder():
        shutil.rmtree(path.parent, ignore_errors=True)
