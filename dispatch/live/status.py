"""Where a plan stands: per route, stop and order, what happened and what is predicted.

These frozen types are the one answer to "how is the day going" that every reader shares:
the status endpoint, the alert rules, the customer notices, the tracking and live pages,
and later the re-plan. :func:`dispatch.live.predict.day_status` computes them from a plan,
its request's travel model and the events, in ``at`` order, as of a given time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LiveKind(StrEnum):
    """What a driver reports."""

    DEPARTED = "departed"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    FAILED = "failed"
    POSITION = "position"


class CarrierKind(StrEnum):
    """What a carrier reports about one outsourced order."""

    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    FAILED = "failed"


class StopState(StrEnum):
    PLANNED = "planned"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    PARTLY_DELIVERED = "partly_delivered"
    FAILED = "failed"


class OrderState(StrEnum):
    """An order's state, as the live-day contract names it."""

    PLANNED = "planned"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    OUTSOURCED = "outsourced"
    CARRIER_DELIVERED = "carrier_delivered"
    CARRIED_OVER = "carried_over"
    CANCELLED = "cancelled"
    UNSERVED = "unserved"


@dataclass(frozen=True, slots=True)
class Position:
    lat: float
    lon: float
    at: datetime


@dataclass(frozen=True, slots=True)
class RoadEvent:
    """A driver's event as stored: idempotent by ``event_id``, ordered by ``at``."""

    event_id: str
    vehicle: str
    kind: LiveKind
    at: datetime
    received_at: datetime
    stop: str | None = None
    orders: tuple[str, ...] = ()
    reason: str | None = None
    note: str | None = None
    recipient: str | None = None
    lat: float | None = None
    lon: float | None = None
    photo: bool = False


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """A carrier's event about one outsourced order, as stored."""

    event_id: str
    carrier: str
    order: str
    kind: CarrierKind
    at: datetime
    received_at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class StopStatus:
    """One stop of a route: planned, actual and predicted times, lateness and cold-chain age.

    ``predicted_arrival`` is None once the stop is reached (``actual_arrival`` is known:
    arrived, or served without an arrival event, whose first delivery or failure then counts
    as the arrival);
    ``predicted_late_minutes`` is the lateness past the stop's last window end, actual once
    arrived, predicted before; ``predicted_cold_minutes`` the age of its cold goods at
    service (None for a stop without chilled or frozen goods).
    """

    stop: str
    orders: tuple[str, ...]
    state: StopState
    planned_arrival: datetime
    actual_arrival: datetime | None
    predicted_arrival: datetime | None
    predicted_late_minutes: int
    predicted_cold_minutes: int | None
    cold_limit_minutes: int | None
    window_end: datetime | None
    delivered_orders: tuple[str, ...] = ()
    failed_orders: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RouteStatus:
    vehicle: str
    departed_at: datetime | None
    last_event: RoadEvent | None
    position: Position | None
    stops: tuple[StopStatus, ...]
    predicted_end: datetime | None = None
    """When the vehicle is predicted back at its end depot."""

    @property
    def done(self) -> bool:
        return all(s.state is not StopState.PLANNED and s.state is not StopState.ARRIVED
                   for s in self.stops)  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrderStatus:
    order: str
    state: OrderState
    stop: str | None = None
    vehicle: str | None = None
    carrier: str | None = None
    region: str | None = None
    reason: str | None = None
    predicted_arrival: datetime | None = None
    predicted_late_minutes: int = 0


@dataclass(frozen=True, slots=True)
class DayStatus:
    """Where plan ``plan_id`` stands as of ``as_of``."""

    plan_id: int
    as_of: datetime
    routes: tuple[RouteStatus, ...]
    orders: tuple[OrderStatus, ...]

    def order(self, order_id: str) -> OrderStatus | None:
        return next((o for o in self.orders if o.order == order_id), None)

    def route(self, vehicle: str) -> RouteStatus | None:
        return next((r for r in self.routes if r.vehicle == vehicle), None)
