"""A plan prepared once for its live day: the places, the travel model, and each route's
stops with their windows, service, goods and cold-chain limits; what :mod:`dispatch.live.predict`
walks the events over."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from dispatch.errors import RequestError
from dispatch.intake.request import Location, Request, Temperature, Vehicle
from dispatch.planning.plan import Plan, RouteOut, StopVisit
from dispatch.sourcing.order_regions import ALL, assign_regions
from geo.travel import euclidean_matrix, haversine_matrix


@dataclass(frozen=True, slots=True)
class Place:
    """Where a leg starts or ends: coordinates, and the id a ``matrix`` metric knows."""

    location: Location | None
    matrix_id: str | None = None


@dataclass(frozen=True, slots=True)
class Travel:
    """Base-speed minutes between two places under the request's travel model."""

    metric: str = "haversine"
    speed_kmh: float = 30.0
    circuity: float = 1.3
    matrix_index: Mapping[str, int] = field(default_factory=dict)
    durations: tuple[tuple[float, ...], ...] | None = None

    def minutes(self, a: Place, b: Place) -> float | None:
        """None when the two places cannot be measured (e.g. planar and geographic)."""
        if self.durations is not None and a.matrix_id is not None and b.matrix_id is not None:
            i, j = self.matrix_index.get(a.matrix_id), self.matrix_index.get(b.matrix_id)
            if i is not None and j is not None:
                return float(self.durations[i][j])
        if a.location is None or b.location is None:
            return None
        if self.metric == "euclidean" and not a.location.is_geo and not b.location.is_geo:
            (x1, y1), (x2, y2) = a.location.coords(), b.location.coords()
            return float(euclidean_matrix([x1, x2], [y1, y2]).minutes[0, 1])
        p, q = a.location.lat_lon(), b.location.lat_lon()
        if p is None or q is None:
            return None
        matrix = haversine_matrix(
            [p[0], q[0]], [p[1], q[1]], speed_kmh=self.speed_kmh, circuity=self.circuity
        )
        return float(matrix.minutes[0, 1])


@dataclass(frozen=True, slots=True)
class LiveStop:
    """A planned stop, in minutes after midnight of the plan day."""

    visit: StopVisit
    place: Place
    arrival: float
    service: float
    windows: tuple[tuple[int, int], ...]
    cold_limit: float | None
    cold: bool

    @property
    def last_end(self) -> int | None:
        return max((b for _, b in self.windows), default=None)

    def start_of_service(self, arrival: float) -> float:
        """When service starts on arriving at ``arrival``: the next window's start if early."""
        for a, b in sorted(self.windows):
            if arrival <= b:
                return max(arrival, float(a))
        return arrival

    def late(self, arrival: float) -> int:
        end = self.last_end
        return 0 if end is None else max(0, math.ceil(arrival - end - 1e-9))


@dataclass(frozen=True, slots=True)
class LiveRoute:
    route: RouteOut
    depot: Place
    end_depot: Place
    departure: float
    """The planned departure: the route's start plus the depot's loading time."""
    speed_factor: float
    stops: tuple[LiveStop, ...]

    def plan_leg(self, frm: int, to: int) -> float:
        """The plan's drive from stop ``frm`` (-1: the depot) to stop ``to``."""
        leave = self.departure if frm < 0 else float(self.route.stops[frm].departure)
        return max(0.0, self.stops[to].arrival - leave)


@dataclass(frozen=True, slots=True)
class LiveDay:
    """What the predictions need of a plan and its request, prepared once per plan."""

    plan: Plan
    plan_id: int
    origin: datetime
    zone: ZoneInfo
    routes: tuple[LiveRoute, ...]
    travel: Travel
    region_of: Mapping[str, str] = field(default_factory=dict)
    """The region of each order, where the request draws regions or names them."""

    def minutes(self, at: datetime) -> float:
        """``at`` as minutes after midnight of the plan day."""
        return (at - self.origin).total_seconds() / 60.0

    def time(self, minutes: float) -> datetime:
        """Minutes after midnight of the plan day as a time in the plan's zone."""
        return (self.origin + timedelta(seconds=round(minutes * 60))).astimezone(self.zone)


def _request(document: Mapping[str, Any] | Request | None) -> Request | None:
    if document is None or isinstance(document, Request):
        return document
    try:
        return Request.model_validate(document)
    except ValidationError:
        return None


def _cold_limit(vehicle: Vehicle | None, visit: StopVisit, temps: set[Temperature]) -> float | None:
    if vehicle is None:
        return None
    limits = [
        vehicle.max_cold_minutes.for_class(t)
        for t in (Temperature.CHILLED, Temperature.FROZEN)
        if t in temps
    ]
    known = [x for x in limits if x is not None]
    return min(known) if known else None


def prepare_day(
    plan: Plan, request: Mapping[str, Any] | Request | None, *, plan_id: int = 0
) -> LiveDay:
    """The plan's routes with their places, service times, windows and cold limits.

    ``request`` is the plan's request (document or typed); what it lacks (an unknown
    vehicle, depot or order) falls back to the plan: speed factor 1, no loading time, no
    cold limit, the plan's own drive times.
    """
    req = _request(request)
    zone = ZoneInfo(plan.timezone)
    day = plan.date or (req.date if req else datetime.now(UTC).date())
    origin = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    units: dict[str, Vehicle] = {}
    depots = {}
    orders = {}
    travel = Travel()
    if req is not None:
        units = {uid: v for v in req.vehicles for uid in v.unit_ids()}
        depots = {d.id: d for d in req.depots}
        orders = {o.id: o for o in req.orders}
        t = req.travel
        index = {loc: i for i, loc in enumerate(t.locations or ())}
        travel = Travel(t.metric, t.speed_kmh, t.circuity, index, t.durations)

    def depot_place(depot_id: str) -> Place:
        depot = depots.get(depot_id)
        return Place(depot.location if depot else None, depot_id)

    routes = []
    for route in plan.routes:
        vehicle = units.get(route.vehicle)
        depot = depots.get(route.depot)
        loading = depot.loading_minutes if depot else 0.0
        stops = []
        for visit in route.stops:
            known = [orders[o] for o in visit.orders if o in orders]
            temps: set[Temperature] = set().union(*(o.temperatures() for o in known))
            if visit.unload.chilled_l > 0:
                temps.add(Temperature.CHILLED)
            if visit.unload.frozen_l > 0:
                temps.add(Temperature.FROZEN)
            matrix_id = (known[0].pickup_point or known[0].id) if known else None
            stops.append(
                LiveStop(
                    visit=visit,
                    place=Place(visit.location, matrix_id),
                    arrival=float(visit.arrival),
                    service=float(visit.departure - visit.start_service),
                    windows=tuple(visit.windows),
                    cold_limit=_cold_limit(vehicle, visit, temps),
                    cold=bool(temps) or visit.cold_minutes is not None,
                )
            )
        routes.append(
            LiveRoute(
                route=route,
                depot=depot_place(route.depot),
                end_depot=depot_place(route.end_depot or route.depot),
                departure=route.start + loading,
                speed_factor=vehicle.speed_factor if vehicle else 1.0,
                stops=tuple(stops),
            )
        )
    return LiveDay(plan, plan_id, origin, zone, tuple(routes), travel, _regions(req))


def _regions(request: Request | None) -> dict[str, str]:
    """Each order's region; none when the request draws no regions and names none (its one
    region is the whole day), or when its regions cannot be read."""
    if request is None:
        return {}
    try:
        regions = assign_regions(request)
    except RequestError:
        return {}
    return {order: region for order, region in regions.region_of.items() if region != ALL}
