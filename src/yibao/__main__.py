"""``python -m yibao`` runs the command line."""

from yibao.cli.main import app

app()
