"""Status changes: released from prison, discharged veteran, severe disability certified

Revision ID: 0006
Revises: 0005

A registry event per person (contract §2.2, docs/rules.md C37): the quotes and payments of
the person read the latest one that applies; a mistaken entry is withdrawn, never deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("began_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_status_changes_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    op.create_index(op.f("ix_status_changes_person_id"), "status_changes", ["person_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_status_changes_person_id"), table_name="status_changes")
    op.drop_table("status_changes")
