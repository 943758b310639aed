"""Security: token versions (revocable tokens), the login throttle, and an audit log that
refuses TRUNCATE on PostgreSQL

Revision ID: 0003
Revises: 0002

Grants to the service's role are applied after every upgrade by
:func:`yibao.store.roles.grant_service_role` (they cover tables added later too).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    if op.get_context().dialect.name == "postgresql":
        # UPDATE and DELETE are refused by 0001's row trigger; TRUNCATE needs its own.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute("REVOKE ALL ON audit_log FROM PUBLIC")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.drop_table("login_throttle")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
