"""People who sign in, their browser sessions, and the person who asked for each job.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "dispatcher",
                "planner",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("signed_in_at", _at(), nullable=True),
        sa.Column("disabled_at", _at(), nullable=True),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column(
            "key_id",
            sa.Integer(),
            sa.ForeignKey("api_keys.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("last_seen_at", _at(), nullable=False),
        sa.Column("idle_expires_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False, index=True),
    )
    with op.batch_alter_table("plan_jobs") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_index("ix_plan_jobs_user_id_status", ["user_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_index("ix_plan_jobs_user_id_status")
        batch.drop_column("user_id")
    op.drop_table("user_sessions")
    op.drop_table("users")
