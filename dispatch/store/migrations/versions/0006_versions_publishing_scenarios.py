"""Plan versions and publishing, order corrections and carry-over, backup carriers, scenario runs.

A re-plan points at the plan it started from (``previous_plan_id``); one plan per day is
published, and the plan that replaces it is named in ``superseded_by``. Orders can be
cancelled, corrected and carried over to another day. A region may name a backup carrier.
Scenario runs keep their specification, progress, comparison and report.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("previous_plan_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("published_at", _at(), nullable=True))
        batch.add_column(sa.Column("published_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("superseded_at", _at(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_plans_previous_plan_id_plans"),
            "plans",
            ["previous_plan_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_plans_superseded_by_plans"),
            "plans",
            ["superseded_by"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_plans_previous_plan_id"), ["previous_plan_id"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("updated_at", _at(), nullable=True))
        batch.add_column(sa.Column("carried_over_from", sa.Date(), nullable=True))
    with op.batch_alter_table("regions") as batch:
        batch.add_column(sa.Column("backup_carrier", sa.String(64), nullable=True))
    op.create_table(
        "scenario_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("spec", _json(), nullable=False),
        sa.Column("progress", _json(), nullable=False),
        sa.Column("result", _json(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", _json(), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("started_at", _at(), nullable=True),
        sa.Column("finished_at", _at(), nullable=True),
    )
    op.create_index(op.f("ix_scenario_runs_status"), "scenario_runs", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scenario_runs_status"), table_name="scenario_runs")
    op.drop_table("scenario_runs")
    with op.batch_alter_table("regions") as batch:
        batch.drop_column("backup_carrier")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("carried_over_from")
        batch.drop_column("updated_at")
        batch.drop_column("status")
    with op.batch_alter_table("plans") as batch:
        batch.drop_index(op.f("ix_plans_previous_plan_id"))
        batch.drop_constraint(op.f("fk_plans_superseded_by_plans"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_plans_previous_plan_id_plans"), type_="foreignkey")
        batch.drop_column("superseded_at")
        batch.drop_column("superseded_by")
        batch.drop_column("published_by")
        batch.drop_column("published_at")
        batch.drop_column("previous_plan_id")
