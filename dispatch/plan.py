"""The plan of the contract: routes, outsourced regions, unserved orders, objective and KPIs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch.clock import PlanClock as Clock
from dispatch.request import Location


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Objective(_Model):
    total: float
    own_fleet: float
    carriers: float
    penalties: float


class StopVisit(_Model):
    stop: str
    name: str = ""
    orders: list[str]
    location: Location
    arrival: Clock
    start_service: Clock
    departure: Clock
    late_minutes: int = 0
    windows: list[tuple[Clock, Clock]] = Field(default_factory=list)
    unload: dict[str, float] = Field(
        default_factory=dict, description="Load delivered here per compartment"
    )
    cold_minutes: int | None = Field(
        None, description="Minutes since leaving the depot, for stops with chilled/frozen goods"
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
    load: dict[str, float]
    stops: list[StopVisit]
    cost: RouteCost | None = None


class Outsourced(_Model):
    region: str
    carrier: str
    orders: list[str]
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


class Plan(_Model):
    """One day's answer; every order of the request appears exactly once."""

    status: Literal["complete", "partial", "infeasible"]
    date: str | None = None
    timezone: str | None = None
    objective: Objective
    routes: list[RouteOut]
    outsourced: list[Outsourced] = Field(default_factory=list)
    unserved: list[Unserved] = Field(default_factory=list)
    regions: list[dict[str, object]] = Field(default_factory=list)
    kpis: Kpis
    solver: dict[str, object] = Field(default_factory=dict)
