"""Staff scope, four eyes on cover, shared look-up limits

Revision ID: 0005
Revises: 0004

- ``staff_users.region``: the region an account is limited to (null: province-wide).
- ``payment_reversals.status`` (``recorded``, ``pending_approval``, ``rejected``) and who
  decided, when, with what note: a clerk's reversal that would cancel or shorten cover
  waits for an admin, with its effect on the cover kept for the admin to see. Existing
  rows were applied when recorded: ``recorded``.
- ``rate_limits``: fixed-window counters of the public look-up, shared by every worker
  and host.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sa.String(length=6), nullable=True))
    with op.batch_alter_table("payment_reversals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=24), nullable=False,
                                      server_default="recorded"))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("effect", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_payment_reversals_status"), ["status"],
                              unique=False)
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_expires_at"), "rate_limits", ["expires_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limits_expires_at"), table_name="rate_limits")
    op.drop_table("rate_limits")
    with op.batch_alter_table("payment_reversals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_reversals_status"))
        batch_op.drop_column("effect")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("status")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("region")
