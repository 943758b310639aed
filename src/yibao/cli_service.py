"""Service commands of the ``yibao`` CLI: db, user, serve, demo, jobs."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the service's commands to the main ``yibao`` Typer app."""
