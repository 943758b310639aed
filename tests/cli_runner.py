"""The ``yibao`` command in this process, through Typer's runner (no process start-up):

    result = yibao("quote", "--json", "-", input=body, env={"YIBAO_POLICY_DIR": str(folder)})
    assert result.exit_code == 0 and json.loads(result.stdout)["amount_due"] == "280.00"

``env`` sets (a value) or removes (``None``) variables for the one call; the cached
settings, policy and statement layouts are read afresh before and after it, so each call
sees its own environment and leaves none behind. ``YIBAO_POLICY_DIR`` and ``YIBAO_CONFIG``
are removed unless given, so that the machine's environment does not leak in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

__all__ = ["yibao"]


def _forget() -> None:
    from yibao.policy.files import load_policy, statement_layouts
    from yibao.settings import get_settings

    get_settings.cache_clear()
    load_policy.cache_clear()
    statement_layouts.cache_clear()


def yibao(*args: str | Path, input: str | None = None,
          env: Mapping[str, str | None] | None = None, cwd: Path | None = None) -> Any:
    """Run ``yibao ARGS`` in process; the result has ``exit_code``, ``stdout``, ``stderr``."""
    import os

    from yibao.cli.main import app

    environment: dict[str, str | None] = {"YIBAO_POLICY_DIR": None, "YIBAO_CONFIG": None}
    environment.update(env or {})
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with _environment(environment):
            _forget()
            return CliRunner().invoke(app, [str(a) for a in args], input=input,
                                      catch_exceptions=True)
    finally:
        os.chdir(here)
        _forget()


class _environment:
    """Variables set or removed for a block, restored after it."""

    def __init__(self, changes: Mapping[str, str | None]) -> None:
        self.changes = dict(changes)
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        import os

        for key, value in self.changes.items():
            self.saved[key] = os.environ.get(key)
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def __exit__(self, *_: object) -> None:
        import os

        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
