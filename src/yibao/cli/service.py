"""The service's commands, one module per group, registered together (the tests of the
service add exactly these to an app of their own):

    yibao db upgrade                                  # db.py
    yibao user add alice --role clerk --password-stdin   # users.py
    yibao serve --host 127.0.0.1 --port 8000          # serve.py
    yibao demo load|generate|statement                # demo.py
    yibao jobs expire-preregistrations|open-year      # jobs.py
    yibao payments import|settle                      # payments.py
    yibao history import                              # history.py
"""

from __future__ import annotations

import typer

from yibao.cli import db, demo, history, jobs, payments, serve, users

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the service's commands to ``app``."""
    for group in (db, users, demo, jobs, payments, history, serve):
        group.register(app)
