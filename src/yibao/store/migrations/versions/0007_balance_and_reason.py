"""Balances after settling, the reason beside a benefit start, the anchor lookup's index

Revision ID: 0007
Revises: 0006

- ``enrollments.balance_due_fen``: what is still owed while underpaid (due − paid), so
  that an ``under`` settlement is asked for again (renewal reminders and notices, the
  balance list of ``yibao payments settle``); existing underpaid rows are filled in.
- ``enrollments.start_reason``: the answer's ``benefit_start_reason`` when it fixed the
  cover (existing rows keep null: their reason was not recorded).
- ``ix_payments_enrollment_anchor`` (enrollment_id, id) replaces the index on
  enrollment_id alone: the anchor (the earliest payment not wholly reversed) is read in
  id order per enrollment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("balance_due_fen", sa.BigInteger(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("start_reason", sa.JSON(), nullable=True))
    op.execute("UPDATE enrollments SET balance_due_fen = amount_due_fen - amount_paid_fen "
               "WHERE status = 'underpaid' AND amount_due_fen > amount_paid_fen")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_enrollment_anchor", ["enrollment_id", "id"],
                              unique=False)
        batch_op.drop_index(batch_op.f("ix_payments_enrollment_id"))


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_enrollment_id"), ["enrollment_id"],
                              unique=False)
        batch_op.drop_index("ix_payments_enrollment_anchor")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("start_reason")
        batch_op.drop_column("balance_due_fen")
