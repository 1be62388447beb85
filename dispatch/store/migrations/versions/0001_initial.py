"""The initial schema: network, orders and import batches, plan jobs and plans, links, keys, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "depots",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("data", _json(), nullable=False),
    )
    op.create_table(
        "vehicles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "depot_id",
            sa.String(64),
            sa.ForeignKey("depots.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("data", _json(), nullable=False),
    )
    op.create_table(
        "pickup_points",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("data", _json(), nullable=False),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("feature", _json(), nullable=False),
    )
    op.create_table(
        "carriers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("data", _json(), nullable=False),
    )
    op.create_table(
        "network_settings",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", _json(), nullable=False),
    )
    op.create_table(
        "import_batches",
        _id(),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("mapping", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("report", _json(), nullable=False),
    )
    op.create_table(
        "orders",
        _id(),
        sa.Column("order_id", sa.String(128), nullable=False, unique=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False, index=True),
        sa.Column("customer", sa.String(200), nullable=True),
        sa.Column(
            "pickup_point_id",
            sa.String(64),
            sa.ForeignKey("pickup_points.id", ondelete="RESTRICT"),
            nullable=True,
            index=True,
        ),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column(
            "batch_id", sa.Integer(), sa.ForeignKey("import_batches.id"), nullable=False, index=True
        ),
        sa.Column("data", _json(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Index("ix_orders_delivery_date_fingerprint", "delivery_date", "fingerprint"),
    )
    op.create_table(
        "plan_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "status",
            _enum("job_status", "queued", "running", "succeeded", "failed"),
            nullable=False,
            index=True,
        ),
        sa.Column("source", _enum("job_source", "stored", "request"), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("request", _json(), nullable=False),
        sa.Column("time_limit_s", sa.Double(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("started_at", _at(), nullable=True),
        sa.Column("finished_at", _at(), nullable=True),
        sa.Column("best_cost", sa.Double(), nullable=True),
        sa.Column("solutions", sa.Integer(), nullable=False),
        sa.Column("error", _json(), nullable=True),
    )
    op.create_table(
        "plans",
        _id(),
        sa.Column(
            "job_id", sa.String(32), sa.ForeignKey("plan_jobs.id"), nullable=False, unique=True
        ),
        sa.Column("plan_date", sa.Date(), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total_cost", sa.Double(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("unserved", sa.Integer(), nullable=False),
        sa.Column("vehicles_used", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
    )
    op.create_table(
        "plan_routes",
        _id(),
        sa.Column(
            "plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("vehicle", sa.String(80), nullable=False),
        sa.Column("depot", sa.String(64), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("distance_km", sa.Double(), nullable=False),
        sa.Column("cost", sa.Double(), nullable=True),
        sa.UniqueConstraint("plan_id", "vehicle"),
    )
    op.create_table(
        "route_stops",
        _id(),
        sa.Column(
            "route_id",
            sa.Integer(),
            sa.ForeignKey("plan_routes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stop", sa.String(128), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("arrival_minute", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("departure_minute", sa.Integer(), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=False),
        sa.Column("orders", _json(), nullable=False),
        sa.UniqueConstraint("route_id", "position"),
    )
    for table, columns in (
        ("outsourced_work", [
            sa.Column("region", sa.String(64), nullable=False),
            sa.Column("carrier", sa.String(64), nullable=False),
            sa.Column("cost", sa.Double(), nullable=False),
            sa.Column("orders", _json(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
        ]),
        ("unserved_orders", [
            sa.Column("order_id", sa.String(128), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("code", sa.String(32), nullable=False),
        ]),
    ):  # fmt: skip
        op.create_table(
            table,
            _id(),
            sa.Column(
                "plan_id",
                sa.Integer(),
                sa.ForeignKey("plans.id", ondelete="CASCADE"),
                nullable=False,
                index=True,
            ),
            *columns,
        )
    op.create_table(
        "driver_links",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "route_id",
            sa.Integer(),
            sa.ForeignKey("plan_routes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("vehicle", sa.String(80), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("revoked_at", _at(), nullable=True),
    )
    op.create_table(
        "tracking_events",
        _id(),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("vehicle", sa.String(80), nullable=False),
        sa.Column("stop", sa.String(128), nullable=False),
        sa.Column("kind", _enum("event_kind", "arrived", "delivered", "failed"), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", _at(), nullable=False),
        sa.Column("recorded_at", _at(), nullable=False),
    )
    op.create_table(
        "api_keys",
        _id(),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", _enum("role", "admin", "dispatcher", "planner"), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("revoked_at", _at(), nullable=True),
    )
    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at", _at(), nullable=False, index=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", _json(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log", "api_keys", "tracking_events", "driver_links", "unserved_orders",
        "outsourced_work", "route_stops", "plan_routes", "plans", "plan_jobs", "orders",
        "import_batches", "network_settings", "carriers", "regions", "pickup_points",
        "vehicles", "depots",
    ):  # fmt: skip
        op.drop_table(table)
