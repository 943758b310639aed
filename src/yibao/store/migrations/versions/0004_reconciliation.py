"""Reconciliation: runs of `yibao reconcile` and their difference lines

Revision ID: 0004
Revises: 0003

Both tables are append-only for the service's role (yibao.store.roles): a run is
written once with its lines and never changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=True),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("import_missing", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
    )
    op.create_index(op.f("ix_reconciliation_runs_channel"), "reconciliation_runs",
                    ["channel"], unique=False)
    op.create_index(op.f("ix_reconciliation_runs_created_at"), "reconciliation_runs",
                    ["created_at"], unique=False)
    op.create_table(
        "reconciliation_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("channel_txn_id", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("coverage_year", sa.Integer(), nullable=True),
        sa.Column("statement_fen", sa.BigInteger(), nullable=True),
        sa.Column("ledger_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=48), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["reconciliation_runs.id"],
                                name=op.f("fk_reconciliation_lines_run_id_reconciliation_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_lines")),
    )
    op.create_index("ix_reconciliation_lines_run_category", "reconciliation_lines",
                    ["run_id", "category"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reconciliation_lines_run_category", table_name="reconciliation_lines")
    op.drop_table("reconciliation_lines")
    op.drop_index(op.f("ix_reconciliation_runs_created_at"), table_name="reconciliation_runs")
    op.drop_index(op.f("ix_reconciliation_runs_channel"), table_name="reconciliation_runs")
    op.drop_table("reconciliation_runs")
