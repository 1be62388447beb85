"""The plan of the contract: routes, outsourced regions, unserved orders, objective and KPIs.

One frozen, strict model from the solve to the screen: the planner builds it, the store
saves it and gives it back as it is, and every page, map and feed reads it. Unknown fields
are refused; older stored documents are upgraded by the store (:mod:`dispatch.store.plans`).
The independent validator (:mod:`dispatch.planning.validator`) reads plan JSON with its own code.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.clock import PlanClock as Clock
from dispatch.intake.request import DEFAULT_TIMEZONE, Location

PLAN_VERSION: Final = 1
"""The plan document's format; documents stored before it carry none."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Objective(_Model):
    total: float
    own_fleet: float
    carriers: float
    penalties: float


class Cargo(_Model):
    """Weight and volume, with the chilled and frozen parts of the volume."""

    weight_kg: float = 0.0
    volume_l: float = 0.0
    chilled_l: float = 0.0
    frozen_l: float = 0.0

    @property
    def ambient_l(self) -> float:
        """The volume that is neither chilled nor frozen."""
        return max(self.volume_l - self.chilled_l - self.frozen_l, 0.0)


class StopVisit(_Model):
    stop: str
    name: str = ""
    orders: tuple[str, ...]
    location: Location
    arrival: Clock
    start_service: Clock
    departure: Clock
    late_minutes: int = 0
    windows: tuple[tuple[Clock, Clock], ...] = ()
    unload: Cargo = Field(default_factory=Cargo, description="Delivered here per compartment")
    cold_minutes: int | None = Field(
        None, description="Minutes since leaving the depot, for stops with chilled/frozen goods"
    )
    done: Literal["delivered", "partly_delivered", "failed"] | None = Field(
        None, description="In a re-plan: the stop happened (its times are the actual ones)"
    )
    failed_orders: tuple[str, ...] | None = Field(
        None, description="In a re-plan: orders that failed here, with a follow-up elsewhere"
    )


class RouteCost(_Model):
    fixed: float
    distance: float
    time: float
    total: float


class RouteOut(_Model):
    vehicle: str
    depot: str
    end_depot: str | None = None
    start: Clock
    end: Clock
    distance_km: float
    duration_minutes: int = 0
    load: Cargo
    stops: tuple[StopVisit, ...]
    cost: RouteCost | None = None

    @property
    def stop_ids(self) -> list[str]:
        """The route's stop ids in visiting order."""
        return [s.stop for s in self.stops]


class Outsourced(_Model):
    region: str
    carrier: str
    orders: tuple[str, ...]
    cost: float
    reason: str = ""


class Unserved(_Model):
    order: str
    reason: str
    code: str = ""


class Kpis(_Model):
    orders: int
    served_own: int
    served_carrier: int
    unserved: int
    vehicles_used: int
    distance_km: float
    on_time_rate: float
    cost_per_order: float
    max_cold_minutes: dict[str, int]


class CarrierRates(_Model):
    """The carriers' on-time rates the plan priced their lateness with: ``typed`` (each
    carrier's ``on_time_rate``) or ``measured`` (those named in ``measured`` from the
    scorecard, the others typed)."""

    source: Literal["typed", "measured"]
    on_time: dict[str, float]
    measured: tuple[str, ...] = ()


class OrderMove(_Model):
    """An order that a re-plan gave to someone else: a vehicle, ``carrier:<id>`` or
    ``unserved``; ``reason`` when it had to leave a vehicle that kept its orders."""

    order: str
    before: str
    after: str
    reason: str | None = None


class ArrivalMove(_Model):
    stop: str
    vehicle: str
    before: Clock
    after: Clock
    minutes: int


class LateChoice(_Model):
    """What a re-plan did with an order it could not bring on time, and why."""

    order: str
    choice: Literal["late_with_compensation", "carrier", "unserved"]
    late_minutes: int = 0
    cost: float
    reason: str


class Changes(_Model):
    orders_moved: tuple[OrderMove, ...] = ()
    arrivals_moved: tuple[ArrivalMove, ...] = ()
    cost_before: float
    cost_after: float
    cost_difference: float
    late: tuple[LateChoice, ...] = ()


class CarriedOver(_Model):
    order: str
    reason: str


class Plan(_Model):
    """One day's answer; every order of the request appears exactly once."""

    version: Literal[1] = PLAN_VERSION
    status: Literal["complete", "partial", "infeasible"]
    date: dt.date | None = None
    timezone: str = DEFAULT_TIMEZONE
    objective: Objective
    routes: tuple[RouteOut, ...]
    outsourced: tuple[Outsourced, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    regions: tuple[dict[str, object], ...] = ()
    kpis: Kpis
    solver: dict[str, object] = Field(default_factory=dict)
    carrier_rates: CarrierRates | None = None
    previous_plan_id: int | None = None
    replanned_at: dt.datetime | None = None
    changes: Changes | None = None
    carried_over: tuple[CarriedOver, ...] | None = None
    cancelled: tuple[str, ...] | None = None

    def route(self, vehicle: str) -> RouteOut | None:
        """The route of ``vehicle``, if it has one."""
        return next((r for r in self.routes if r.vehicle == vehicle), None)

    def document(self) -> dict[str, object]:
        """The plan as the contract's JSON data."""
        return self.model_dump(mode="json", exclude_none=True)
