"""Alert rules, alerts, notices, customer tracking links and the outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _plan(ondelete: str = "CASCADE", *, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(
        "plan_id",
        sa.Integer(),
        sa.ForeignKey("plans.id", ondelete=ondelete),
        nullable=nullable,
        index=index,
    )


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", _json(), nullable=False),
        sa.Column("updated_at", _at(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _plan(),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(240), nullable=False),
        sa.Column(
            "severity", _enum("alert_severity", "info", "warning", "critical"), nullable=False
        ),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", _enum("alert_state", "open", "acknowledged", "closed"), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", _at(), nullable=False),
        sa.Column("updated_at", _at(), nullable=False),
        sa.Column("acknowledged_at", _at(), nullable=True),
        sa.Column("acknowledged_by", sa.String(100), nullable=True),
        sa.Column("closed_at", _at(), nullable=True),
    )
    op.create_index("ix_alerts_plan_id_state", "alerts", ["plan_id", "state"])
    op.create_index(
        "uq_alerts_active",
        "alerts",
        ["plan_id", "rule", "subject"],
        unique=True,
        sqlite_where=sa.text("state != 'closed'"),
        postgresql_where=sa.text("state != 'closed'"),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        _plan(),
        sa.Column("subject", sa.String(240), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("order_id", sa.String(128), nullable=True),
        sa.Column("stop", sa.String(128), nullable=True),
        sa.Column("vehicle", sa.String(80), nullable=True),
        sa.Column("orders", _json(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("new_arrival", _at(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("compensation_kind", sa.String(32), nullable=True),
        sa.Column("compensation_amount", sa.Double(), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("sent_at", _at(), nullable=True),
    )
    op.create_index("ix_notices_plan_id_subject", "notices", ["plan_id", "subject"])
    op.create_table(
        "tracking_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _plan(index=True),
        sa.Column("order_id", sa.String(128), nullable=True),
        sa.Column("stop", sa.String(128), nullable=True),
        sa.Column("vehicle", sa.String(80), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("revoked_at", _at(), nullable=True),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        _plan("SET NULL", nullable=True),
        sa.Column(
            "notice_id",
            sa.Integer(),
            sa.ForeignKey("notices.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _at(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", _at(), nullable=True),
        sa.Column("sent_at", _at(), nullable=True),
        sa.Column("failed_at", _at(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_sent_at_next_attempt_at", "outbox", ["sent_at", "next_attempt_at"])


def downgrade() -> None:
    for table in ("outbox", "tracking_links", "notices", "alerts", "alert_rules"):
        op.drop_table(table)
