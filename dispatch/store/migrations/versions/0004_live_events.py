"""Live-day events: driver events with ids, orders, positions and proof of delivery; photos;
carrier events.

Driver events stored before event ids get ``legacy-<row id>``; ``recorded_at`` becomes
``received_at``; the kinds ``departed`` and ``position`` (without a stop) join.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("arrived", "delivered", "failed")
KINDS = ("departed", *OLD_KINDS, "position")
CARRIER_KINDS = ("picked_up", "delivered", "failed")

_events = sa.table(
    "tracking_events",
    sa.column("id", sa.Integer()),
    sa.column("event_id", sa.String()),
    sa.column("kind", sa.String()),
)


def _at() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _kind_enum() -> sa.Enum:
    return sa.Enum(
        *CARRIER_KINDS,
        name="carrier_event_kind",
        native_enum=False,
        create_constraint=True,
        length=16,
    )


def _kind_check(batch: BatchOperations, *values: str) -> None:
    batch.drop_constraint(op.f("ck_tracking_events_event_kind"), type_="check")
    batch.create_check_constraint(
        op.f("ck_tracking_events_event_kind"), sa.column("kind").in_(values)
    )


def upgrade() -> None:
    with op.batch_alter_table("tracking_events") as batch:
        batch.add_column(sa.Column("event_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("orders", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"))
        )
        batch.add_column(sa.Column("recipient", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lat", sa.Double(), nullable=True))
        batch.add_column(sa.Column("lon", sa.Double(), nullable=True))
        batch.add_column(sa.Column("body_sha256", sa.String(64), nullable=True))
        batch.alter_column("recorded_at", new_column_name="received_at")
        batch.alter_column("stop", existing_type=sa.String(128), nullable=True)
        _kind_check(batch, *KINDS)
    op.execute(
        _events.update()
        .where(_events.c.event_id.is_(None))
        .values(event_id=sa.literal("legacy-") + sa.cast(_events.c.id, sa.String()))
    )
    with op.batch_alter_table("tracking_events") as batch:
        batch.alter_column("event_id", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_tracking_events_plan_id_vehicle_event_id"), ["plan_id", "vehicle", "event_id"]
        )
        batch.create_index("ix_tracking_events_plan_id_at", ["plan_id", "at"])
    op.create_table(
        "event_photos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_row_id",
            sa.Integer(),
            sa.ForeignKey("tracking_events.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "carrier_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *CARRIER_KINDS,
                name="carrier_event_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("at", _at(), nullable=False),
        sa.Column("received_at", _at(), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("carrier", "event_id"),
    )
    op.create_index("ix_carrier_events_plan_date_at", "carrier_events", ["plan_date", "at"])


def downgrade() -> None:
    op.drop_index("ix_carrier_events_plan_date_at", table_name="carrier_events")
    op.drop_table("carrier_events")
    op.drop_table("event_photos")
    op.execute(_events.delete().where(_events.c.kind.not_in(OLD_KINDS)))
    with op.batch_alter_table("tracking_events") as batch:
        batch.drop_index("ix_tracking_events_plan_id_at")
        batch.drop_constraint(op.f("uq_tracking_events_plan_id_vehicle_event_id"), type_="unique")
        for column in ("body_sha256", "lon", "lat", "recipient", "orders", "event_id"):
            batch.drop_column(column)
        batch.alter_column("received_at", new_column_name="recorded_at")
        batch.alter_column("stop", existing_type=sa.String(128), nullable=False)
        _kind_check(batch, *OLD_KINDS)
