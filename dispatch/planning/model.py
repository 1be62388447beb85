"""Translate a day's stops and fleet into the optimizer's integer problem, and back.

Units inside the optimizer: seconds, metres, grams, millilitres, and cost units
of 1/COST_SCALE of a currency unit. Durations are rounded up and capacities
down, so every plan the optimizer accepts is feasible in real numbers too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dispatch.intake.request import Depot, Location, Request, Temperature, Vehicle
from dispatch.planning.compartments import capacity_values
from dispatch.planning.grouping import Stop
from dispatch.planning.road_travel import road_travel
from geo.travel import (
    FloatMatrix,
    TravelMatrix,
    compact_haversine_matrix,
    euclidean_matrix,
    given_matrix,
    haversine_matrix,
)
from optimizer import Node, Problem
from optimizer import Vehicle as OptVehicle
from optimizer.problem import IntMatrix

COST_SCALE = 36_000
"""Cost units per currency unit: per-km × 36 per metre and per-hour × 10 per second stay exact."""


def to_money(units: float) -> float:
    """Currency units of an optimizer cost."""
    return units / COST_SCALE


def money_slack(request: Request, stops: int, routes: int) -> float | None:
    """How far the money cost of a plan can lie above its optimizer cost in currency units,
    for ``stops`` stops on at most ``routes`` routes; None when it has no small bound.

    Distances are rounded to the metre inside (half a metre a leg at the dearest price per
    km) and each route's cost to the cent in the plan; lateness is charged by the started
    minute in the plan and by the second inside, so paid lateness has no small bound.
    """
    if request.policy.late_penalty_per_minute > 0:
        return None
    per_km = max((v.cost.per_km for v in request.vehicles), default=0.0)
    return 0.0005 * per_km * (stops + routes) + 0.005 * routes


DEMAND_SCALE = (1000, 1000, 1000, 1000)
"""kg → g and l → ml for the four load dimensions."""

AGE_CLASSES = (Temperature.CHILLED, Temperature.FROZEN)


@dataclass(frozen=True, slots=True)
class FleetUnit:
    """One physical vehicle (an entry with ``count`` > 1 stands for several)."""

    id: str
    spec: Vehicle

    @property
    def end_depot(self) -> str:
        return self.spec.end_depot or self.spec.depot


def fleet(request: Request) -> list[FleetUnit]:
    return [FleetUnit(uid, v) for v in request.vehicles for uid in v.unit_ids()]


@dataclass(frozen=True, slots=True)
class DayModel:
    """The optimizer problem with the names of its nodes and vehicles."""

    problem: Problem
    depots: tuple[Depot, ...]
    stops: tuple[Stop, ...]
    units: tuple[FleetUnit, ...]
    travel: TravelMatrix

    def stop_node(self, k: int) -> int:
        return len(self.depots) + k

    def node_stop(self, node: int) -> Stop:
        return self.stops[node - len(self.depots)]


COMPACT_FROM = 1500
"""Places from which the matrices are kept compact: single-precision travel matrices and
32-bit integer ones, converted a block of rows at a time (half the memory, no full-size
temporaries; times stay within the validator's rounding)."""

BLOCK_ROWS = 512


def travel_matrix(request: Request, places: Sequence[tuple[str, Location]]) -> TravelMatrix:
    """Distances and base-speed minutes between ``places`` under the request's metric."""
    t = request.travel
    if t.metric == "matrix":
        assert t.locations is not None
        assert t.durations is not None
        assert t.distances is not None
        index = {loc: i for i, loc in enumerate(t.locations)}
        return given_matrix(t.distances, t.durations, [index[pid] for pid, _ in places])
    if t.metric in ("road", "osrm"):
        return road_travel(request, [loc for _, loc in places])
    first, second = np.array([p.coords() for _, p in places], dtype=np.float64).T
    if t.metric == "euclidean":
        return euclidean_matrix(first, second)
    if len(places) >= COMPACT_FROM:
        return compact_haversine_matrix(first, second, speed_kmh=t.speed_kmh, circuity=t.circuity)
    return haversine_matrix(first, second, speed_kmh=t.speed_kmh, circuity=t.circuity)


def matrix_bytes(places: int, profiles: int) -> int:
    """Memory of the matrices of a day of ``places`` with ``profiles`` vehicle speeds: two
    travel matrices, distances and one duration matrix per speed."""
    compact = places >= COMPACT_FROM
    return places * places * (2 + 1 + profiles) * (4 if compact else 8)


def _seconds(minutes: FloatMatrix, speed_factor: float) -> IntMatrix:
    """Travel times in whole seconds, rounded up, at ``speed_factor``."""
    return _integers(minutes, lambda m: np.ceil(m / speed_factor * 60.0 - 1e-6))


def _metres(km: FloatMatrix) -> IntMatrix:
    return _integers(km, lambda d: np.rint(d * 1000.0))


def _integers(matrix: FloatMatrix, convert: Callable[[FloatMatrix], FloatMatrix]) -> IntMatrix:
    """``convert(matrix)`` as integers: 64-bit, or for a large matrix 32-bit, converted a
    block of rows at a time in double precision."""
    n = matrix.shape[0]
    if n < COMPACT_FROM:
        return convert(matrix).astype(np.int64)
    out = np.empty(matrix.shape, dtype=np.int32)
    for first in range(0, n, BLOCK_ROWS):
        out[first : first + BLOCK_ROWS] = convert(
            matrix[first : first + BLOCK_ROWS].astype(np.float64)
        )
    return out  # type: ignore[return-value]


def place_id(stop: Stop) -> str:
    """The id a ``matrix`` travel metric knows the stop's location by."""
    return stop.pickup_point or stop.orders[0].id


def build_model(request: Request, stops: Sequence[Stop], units: Sequence[FleetUnit]) -> DayModel:
    """The optimizer problem for serving ``stops`` with ``units`` (stops optional with penalty)."""
    depots = tuple(request.depots)
    depot_node = {d.id: i for i, d in enumerate(depots)}
    places = [(d.id, d.location) for d in depots] + [(place_id(s), s.location) for s in stops]
    travel = travel_matrix(request, places)

    speed_factors = sorted({u.spec.speed_factor for u in units}) or [1.0]
    profile = {f: k for k, f in enumerate(speed_factors)}
    durations = tuple(_seconds(travel.minutes, f) for f in speed_factors)
    distances = _metres(travel.distance_km)

    penalty = round(request.policy.unserved_penalty * COST_SCALE)
    nodes = [
        Node(
            windows=((d.open * 60, d.close * 60),),
            service=math.ceil(d.loading_minutes * 60),
            is_depot=True,
        )
        for d in depots
    ]
    for s in stops:
        temps = s.temperatures
        nodes.append(
            Node(
                windows=tuple((a * 60, b * 60) for a, b in s.windows),
                service=math.ceil(s.service_minutes * 60 - 1e-6),
                demand=tuple(
                    math.ceil(v * k - 1e-6)
                    for v, k in zip(s.load.values(), DEMAND_SCALE, strict=True)
                ),
                penalty=max(1, penalty * len(s.orders)),
                age_classes=tuple(k for k, t in enumerate(AGE_CLASSES) if t in temps),
            )
        )
    vehicles = []
    for u in units:
        v = u.spec
        loading = depots[depot_node[v.depot]].loading_minutes
        limits = (v.max_cold_minutes.chilled, v.max_cold_minutes.frozen)
        vehicles.append(
            OptVehicle(
                start=depot_node[v.depot],
                end=depot_node[u.end_depot],
                capacity=tuple(
                    math.floor(c * k + 1e-6)
                    for c, k in zip(capacity_values(v.capacity), DEMAND_SCALE, strict=True)
                ),
                shift=(v.shift.start * 60, v.shift.end * 60),
                fixed_cost=round(v.cost.fixed * COST_SCALE),
                distance_cost=round(v.cost.per_km * COST_SCALE / 1000),
                time_cost=round(v.cost.per_hour * COST_SCALE / 3600),
                profile=profile[v.speed_factor],
                max_age=tuple(
                    None if lim is None else math.floor((loading + lim) * 60) for lim in limits
                ),
                latest_start=None if v.latest_start is None else v.latest_start * 60,
            )
        )
    late = request.policy.late_penalty_per_minute
    problem = Problem(
        nodes=tuple(nodes),
        vehicles=tuple(vehicles),
        distances=distances,
        durations=durations,
        late_cost=round(late * COST_SCALE / 60),
        max_lateness=round(request.policy.max_late_minutes * 60) if late > 0 else 0,
        names=tuple(pid for pid, _ in places),
    )
    return DayModel(problem, depots, tuple(stops), tuple(units), travel)
