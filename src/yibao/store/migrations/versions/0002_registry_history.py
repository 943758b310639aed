"""The registry as the record: coverage history before the registry, one anchored enrollment
per year, payment reversals, enrollment corrections

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_recorded_at", sa.DateTime(), nullable=True))

    op.create_table(
        "coverage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("coverage_year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_coverage_history_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_history")),
        sa.UniqueConstraint("person_id", "coverage_year", name=op.f("uq_coverage_history_person_id")),
    )
    with op.batch_alter_table("coverage_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_history_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warning_codes", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("history_basis", sa.String(length=16), nullable=False,
                      server_default="registry")
        )
        batch_op.add_column(sa.Column("policy_version", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_enrollments_region_year", ["region", "coverage_year"])
    op.execute("UPDATE enrollments SET warning_codes = '[]' WHERE warning_codes IS NULL")
    op.execute("UPDATE enrollments SET status = 'pending' WHERE status = 'unquoted'")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.alter_column("warning_codes", existing_type=sa.JSON(), nullable=False)

    op.create_table(
        "enrollment_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("corrected_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"], ["enrollments.id"],
            name=op.f("fk_enrollment_corrections_enrollment_id_enrollments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_corrections")),
    )
    with op.batch_alter_table("enrollment_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_corrections_enrollment_id"), ["enrollment_id"], unique=False
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reversed_fen", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))
        batch_op.create_index("ix_payments_year_settlement", ["coverage_year", "settlement"])

    op.create_table(
        "payment_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_reversals_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_reversals")),
        sa.UniqueConstraint("payment_id", "reference", name=op.f("uq_payment_reversals_payment_id")),
    )
    with op.batch_alter_table("payment_reversals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_reversals_payment_id"), ["payment_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("payment_reversals")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_year_settlement")
        batch_op.drop_column("facts")
        batch_op.drop_column("reversed_fen")
    op.drop_table("enrollment_corrections")
    op.execute("UPDATE enrollments SET status = 'unquoted' WHERE status = 'pending'")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_region_year")
        batch_op.drop_column("policy_version")
        batch_op.drop_column("history_basis")
        batch_op.drop_column("warning_codes")
    op.drop_table("coverage_history")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("history_recorded_at")
