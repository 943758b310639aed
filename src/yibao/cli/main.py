"""The ``yibao`` command line, assembled from one module per command group.

    yibao quote --json request.json        # contract §2, one JSON result on stdout
    yibao batch quote people.csv -o quotes.parquet
    yibao policy check /etc/yibao/policy
    yibao renewal 2025 --resume

Every command prints through ``_output.py``: Chinese first with English, ``--json`` for
one JSON object on stdout, exit 0 done, 2 bad input, 1 a failure of the environment
(docs/bureau-it.md). Settings come from ``yibao.toml`` and ``YIBAO_*`` (``settings.py``).
"""

from __future__ import annotations

import typer

from yibao.cli import (
    batch,
    catalogue,
    policy,
    quote,
    reconcile,
    reform,
    renewal,
    report,
    secret,
    service,
)
from yibao.cli._output import Group

app = typer.Typer(
    help="yibao — 城乡居民基本医疗保险:报价、登记缴费、续保、对账、统计。"
         "Resident medical insurance: quotes, registry and payments, renewal, reconciliation, "
         "reports. Settings: yibao.toml (or YIBAO_CONFIG) and YIBAO_* variables.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    pretty_exceptions_enable=False, cls=Group,
)

quote.register(app)  # quote, flexible-employment
catalogue.register(app)  # rules list|show, regions
batch.register(app)  # batch quote
service.register(app)  # db, user, serve, demo load, jobs, payments, history
policy.register(app)  # policy check|show|diff
reform.register(app)  # assistance, simulate
reconcile.register(app)  # reconcile, demo statement
report.register(app)  # report
renewal.register(app)  # renewal
secret.register(app)  # secret init|check


def main() -> None:  # pragma: no cover - console entry point
    app()
