"""The database tables, as typed SQLAlchemy models.

Reference records (depots, vehicles, pickup points, regions, carriers) and orders
keep the contract's JSON record in ``data`` beside the columns that are queried
or referenced; plans keep the contract's plan document beside normalised routes,
stops, outsourced and unserved rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dispatch.live.status import CarrierKind
from dispatch.live.tracking import EventKind
from dispatch.store.columns import (
    JSON_DOCUMENT,
    JobSource,
    JobStatus,
    Json,
    Role,
    UTCDateTime,
    enum_column,
    utcnow,
)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Json: JSON_DOCUMENT,
        list[Any]: JSON_DOCUMENT,
        datetime: UTCDateTime,
    }


class Depot(Base):
    __tablename__ = "depots"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    data: Mapped[Json]


class VehicleRecord(Base):
    """A stored vehicle entry of the network (its request fields in ``data``)."""

    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    depot_id: Mapped[str] = mapped_column(ForeignKey("depots.id", ondelete="RESTRICT"), index=True)
    count: Mapped[int] = mapped_column(default=1)
    data: Mapped[Json]


class PickupPoint(Base):
    __tablename__ = "pickup_points"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    data: Mapped[Json]


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    feature: Mapped[Json]
    backup_carrier: Mapped[str | None] = mapped_column(String(64))
    """The carrier that takes the region's orders when its own carrier is down (備用方案)."""


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[Json]


class NetworkSetting(Base):
    """Request defaults of the stored network: time zone, travel, policy, options."""

    __tablename__ = "network_settings"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Json]


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(16))
    mapping: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    received: Mapped[int]
    stored: Mapped[int]
    report: Mapped[Json]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_delivery_date_fingerprint", "delivery_date", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(128), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    delivery_date: Mapped[date] = mapped_column(index=True)
    customer: Mapped[str | None] = mapped_column(String(200))
    pickup_point_id: Mapped[str | None] = mapped_column(
        ForeignKey("pickup_points.id", ondelete="RESTRICT"), index=True
    )
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    data: Mapped[Json]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    """``active`` or ``cancelled``; a cancelled order is kept, never planned."""
    updated_at: Mapped[datetime | None]
    carried_over_from: Mapped[date | None]
    """The day the order was first due, when a failed delivery carried it over."""


class PlanJob(Base):
    __tablename__ = "plan_jobs"
    __table_args__ = (
        Index("ix_plan_jobs_key_id_status", "key_id", "status"),
        Index("ix_plan_jobs_user_id_status", "user_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), index=True)
    source: Mapped[JobSource] = mapped_column(enum_column(JobSource, "job_source"))
    plan_date: Mapped[date]
    request: Mapped[Json]
    time_limit_s: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[int | None]
    """The API key that asked for the job (none for jobs made without one)."""
    user_id: Mapped[int | None]
    """The signed-in person who asked for the job (none for jobs asked with a key)."""
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    best_cost: Mapped[float | None]
    solutions: Mapped[int] = mapped_column(default=0)
    error: Mapped[Json | None]

    plan: Mapped[PlanRecord | None] = relationship(back_populates="job", lazy="selectin")


class PlanRecord(Base):
    """A stored plan: its key figures, its document, and its parts as rows."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("plan_jobs.id"), unique=True)
    plan_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))
    total_cost: Mapped[float]
    orders: Mapped[int]
    unserved: Mapped[int]
    vehicles_used: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    document: Mapped[str] = mapped_column(Text)
    previous_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True
    )
    """The plan this one re-plans (its earlier version), if any."""
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(100))
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    """The plan published after this one for its day; its links then follow that plan."""
    superseded_at: Mapped[datetime | None]

    job: Mapped[PlanJob] = relationship(back_populates="plan", foreign_keys=[job_id])
    routes: Mapped[list[PlanRoute]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanRoute.position"
    )
    outsourced: Mapped[list[OutsourcedWork]] = relationship(cascade="all, delete-orphan")
    unserved_orders: Mapped[list[UnservedOrder]] = relationship(cascade="all, delete-orphan")


class PlanRoute(Base):
    __tablename__ = "plan_routes"
    __table_args__ = (UniqueConstraint("plan_id", "vehicle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    position: Mapped[int]
    vehicle: Mapped[str] = mapped_column(String(80))
    depot: Mapped[str] = mapped_column(String(64))
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    distance_km: Mapped[float]
    cost: Mapped[float | None]

    plan: Mapped[PlanRecord] = relationship(back_populates="routes")
    stops: Mapped[list[RouteStop]] = relationship(
        cascade="all, delete-orphan", order_by="RouteStop.position"
    )


class RouteStop(Base):
    __tablename__ = "route_stops"
    __table_args__ = (UniqueConstraint("route_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("plan_routes.id", ondelete="CASCADE"))
    position: Mapped[int]
    stop: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    arrival_minute: Mapped[int]
    start_minute: Mapped[int]
    departure_minute: Mapped[int]
    late_minutes: Mapped[int] = mapped_column(default=0)
    orders: Mapped[list[Any]]


class OutsourcedWork(Base):
    __tablename__ = "outsourced_work"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(64))
    cost: Mapped[float]
    orders: Mapped[list[Any]]
    reason: Mapped[str] = mapped_column(Text, default="")


class UnservedOrder(Base):
    __tablename__ = "unserved_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(32), default="")


class PlanKpiFrame(Base):
    """A plan prepared for counting its KPIs (its routes, stops, carriers' work and orders'
    platform, region, window and temperatures), written when the plan is kept so that a
    report reads it instead of the plan's and request's whole documents."""

    __tablename__ = "plan_kpi_frames"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[int]
    frame: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiDay(Base):
    """A day's counted facts, kept under the fingerprint of what they were counted from (its
    plans, the versions of its events, notices and moved orders, and the counting rules)."""

    __tablename__ = "kpi_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    facts: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DriverLink(Base):
    """A driver's link: the SHA-256 hash of its token, never the token.

    ``token_seed`` is set when the token was derived from the service's link key
    (``DISPATCH_LINK_KEY``, which the database never holds): with that key the token can
    be shown again; without it the seed reveals nothing.
    """

    __tablename__ = "driver_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_seed: Mapped[str | None] = mapped_column(String(64))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("plan_routes.id", ondelete="CASCADE"))
    vehicle: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class TrackingEvent(Base):
    """A driver's event: idempotent by ``event_id`` per plan and vehicle, ordered by ``at``.

    ``at`` is when it happened on the device, ``received_at`` when the service stored it;
    ``body_sha256`` tells a retry of the same event from a different one under the same id
    (rows stored before event ids have ``legacy-<id>`` and no hash).
    """

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("plan_id", "vehicle", "event_id"),
        Index("ix_tracking_events_plan_id_at", "plan_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    vehicle: Mapped[str] = mapped_column(String(80))
    event_id: Mapped[str] = mapped_column(String(64))
    stop: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    orders: Mapped[list[Any] | None]
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_sha256: Mapped[str | None] = mapped_column(String(64))

    photo: Mapped[EventPhoto | None] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="raise"
    )


class EventPhoto(Base):
    """The proof-of-delivery photo of one event (JPEG or PNG, its type read from its bytes)."""

    __tablename__ = "event_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_row_id: Mapped[int] = mapped_column(
        ForeignKey("tracking_events.id", ondelete="CASCADE"), unique=True
    )
    media_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    event: Mapped[TrackingEvent] = relationship(back_populates="photo")


class CarrierEventRecord(Base):
    """A carrier's signed event about one outsourced order, idempotent by carrier and
    ``event_id``; ``plan_id`` is the day's plan that outsourced the order to the carrier."""

    __tablename__ = "carrier_events"
    __table_args__ = (
        UniqueConstraint("carrier", "event_id"),
        Index("ix_carrier_events_plan_date_at", "plan_date", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    plan_date: Mapped[date]
    order_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[CarrierKind] = mapped_column(enum_column(CarrierKind, "carrier_event_kind"))
    reason: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_sha256: Mapped[str] = mapped_column(String(64))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[Json]


class User(Base):
    """A person who signs in: a name, an Argon2 hash of their password, and a role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_in_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]


class UserSession(Base):
    """A browser's sign-in: the SHA-256 hash of its cookie's token, never the token.

    It belongs to a person, or to the API key exchanged for it. It ends at
    ``idle_expires_at`` (moved on by each use) or at ``expires_at``, whichever comes first.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    idle_expires_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ScenarioRun(Base):
    """A planner's scenario set run as a job: its specification, progress and results."""

    __tablename__ = "scenario_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[Json]
    progress: Mapped[Json]
    result: Mapped[Json | None]
    report: Mapped[str | None] = mapped_column(Text)
    error: Mapped[Json | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
