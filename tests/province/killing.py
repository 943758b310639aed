"""``yibao renewal`` killed (SIGKILL) at chosen points: before its Nth file is renamed into
place, i.e. after N files are complete and while the next lies half-written under its
temporary name. Run by tests/province/test_renewal.py as a process of its own:

    python -m tests.province.killing SPEC.json      # prints {"files": N, "killed": {...}}

SPEC: ``{"args": [...renewal arguments...], "out": FOLDER, "points": [0, 3, ...] | "all" |
"sample"}``.
The process imports yibao (and reads the notices' font) once and forks one child per point (it starts no thread before,
so forking is safe); each child runs the real command into ``FOLDER/killed-<point>`` and
kills itself with SIGKILL when its renaming count reaches the point. A first child runs
to the end and counts the renamings (``files``); ``"all"`` then means every point, and
``"sample"`` every file of the first region and of one in the middle (the manifest, the
chunk, the reminders, their CSV, the notices, the manifest again) and the last two (the last
manifest, the combined file).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any


def _child(args: list[str], out: Path, point: int | None, counter: Path) -> None:
    from yibao.cli.main import app

    renamed = 0
    replace = os.replace

    def replace_or_die(src: Any, dst: Any) -> None:
        nonlocal renamed
        if renamed == point:  # the temporary file is written, the rename not yet done
            os.kill(os.getpid(), signal.SIGKILL)
        replace(src, dst)
        renamed += 1

    os.replace = replace_or_die  # type: ignore[assignment]
    try:
        app([*args, "-o", str(out)], standalone_mode=False)
    finally:
        counter.write_text(str(renamed), encoding="utf-8")
        os._exit(0)


def _run(args: list[str], out: Path, point: int | None, counter: Path) -> int:
    """Exit code of one forked run (-9: killed)."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            _child(args, out, point, counter)
        finally:
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    base = Path(spec["out"])
    import yibao.cli.main  # noqa: F401  (once, before the forks)
    from yibao.operations.renewal.notices import read_font

    if "--notices" in spec["args"]:
        read_font()  # once, before the forks

    counter = base / "renamed.txt"
    assert _run(spec["args"], base / "counted", None, counter) == 0
    files = int(counter.read_text(encoding="utf-8"))
    points: Any = spec["points"]
    if points == "all":
        points = range(files)
    elif points == "sample":
        points = sorted({*range(7), *range(files // 2, files // 2 + 6), files - 2, files - 1})
    killed = {str(p): _run(spec["args"], base / f"killed-{p}", p, counter) for p in points}
    print(json.dumps({"files": files, "killed": killed}))


if __name__ == "__main__":
    main()
