"""The remaining fleet as planning problems: each running vehicle alone with the goods on
board, from the stop it is free at; the vehicles that have not left together with the orders
that need a home, from their depots. Goods cannot change vans on the road, so the two parts
are independent and each is solved by the day's own pipeline (:func:`route_own_fleet`),
warm-started from the current routes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dispatch.intake.request import ColdLimits, Depot, Order, Request, Shift, VehicleCost
from dispatch.planning.grouping import Stop
from dispatch.planning.model import FleetUnit, fleet
from dispatch.planning.own_fleet import route_own_fleet
from dispatch.planning.plan import RouteOut, Unserved
from dispatch.replan.state import VehicleState

MIN_SOLVE_S = 0.2


@dataclass(frozen=True, slots=True)
class Solved:
    routes: list[RouteOut]
    unserved: list[Unserved]


def priced(request: Request, late_per_minute: float) -> Request:
    """The request with lateness allowed at ``late_per_minute`` (the compensation's price),
    on the OR-Tools engine, which keeps each search in its time (a re-plan of the demo day
    with the portfolio engine had not ended after 7 minutes of an 8 s budget here)."""
    policy = request.policy.model_copy(update={"late_penalty_per_minute": late_per_minute})
    return _ortools(request.model_copy(update={"policy": policy}))


def _ortools(request: Request) -> Request:
    """The request on the OR-Tools engine: it keeps a latest route start (PyVRP does not),
    and a small search is best run in this process."""
    options = request.options.model_copy(update={"engine": "ortools"})
    return request.model_copy(update={"options": options})


def _start_depot(request: Request, v: VehicleState) -> Depot:
    """A depot where the running vehicle is free: its fixed (or last) stop, from then on."""
    assert v.free_stop is not None
    place = v.free_stop.stop
    if request.travel.metric == "matrix":
        orders = {o.id: o for o in request.orders}
        first = orders[v.free_stop.orders[0]] if v.free_stop.orders else None
        place = (first.pickup_point or first.id) if first else place
    else:
        place = f"@{v.vehicle}"
    return Depot.model_construct(
        id=place,
        location=v.free_stop.location,
        open=math.floor(v.free_at),
        close=48 * 60 - 1,
        loading_minutes=0.0,
    )


def running_unit(request: Request, v: VehicleState) -> tuple[Request, FleetUnit]:
    """The request and vehicle for a running vehicle's rest: it starts at its free stop at
    ``free_at``, its cold limits shortened by the time its goods have been on board."""
    unit = next(u for u in fleet(request) if u.id == v.vehicle)
    depot = _start_depot(request, v)
    begin = math.ceil(v.free_at)
    aged = begin - (v.departed if v.departed is not None else v.free_at)
    limits = unit.spec.max_cold_minutes

    def left(limit: float | None) -> float | None:
        return None if limit is None else max(0.0, limit - aged)

    spec = unit.spec.model_copy(
        update={
            "id": v.vehicle,
            "count": 1,
            "depot": depot.id,
            "end_depot": unit.end_depot,
            "shift": Shift.model_construct(start=begin, end=max(begin, unit.spec.shift.end)),
            "latest_start": begin,
            "max_cold_minutes": ColdLimits.model_construct(
                chilled=left(limits.chilled), frozen=left(limits.frozen)
            ),
            "cost": VehicleCost.model_construct(fixed=0.0, per_km=unit.spec.cost.per_km,
                                per_hour=unit.spec.cost.per_hour),
        }
    )  # fmt: skip
    sub = request.model_copy(update={"depots": (*request.depots, depot), "vehicles": (spec,)})
    return _ortools(sub), FleetUnit(v.vehicle, spec)


def route_running(
    request: Request,
    v: VehicleState,
    orders: Sequence[Order],
    limit_s: float,
    iterations: int | None,
) -> Solved:
    """The running vehicle's goods on board, in the best order from where it is free."""
    sub, unit = running_unit(request, v)
    rest = tuple(s for s in v.route.stops if set(s.orders) & {o.id for o in orders})
    start = [v.route.model_copy(update={"stops": rest})] if rest else []
    result = route_own_fleet(
        sub, orders, units=[unit], time_limit_s=max(MIN_SOLVE_S, limit_s),
        iterations=iterations, start=start,
    )  # fmt: skip
    return Solved(result.routes, result.unserved)


def waiting_units(request: Request, waiting: Sequence[VehicleState], at: float) -> list[FleetUnit]:
    """The vehicles that have not left, starting no earlier than now."""
    ids = {v.vehicle for v in waiting}
    units = []
    for u in fleet(request):
        if u.id in ids:
            shift = Shift.model_construct(
                start=max(u.spec.shift.start, math.ceil(at)), end=u.spec.shift.end
            )
            units.append(
                FleetUnit(u.id, u.spec.model_copy(update={"id": u.id, "count": 1, "shift": shift}))
            )
    return units


def route_waiting(
    request: Request,
    units: Sequence[FleetUnit],
    orders: Sequence[Order],
    start: Sequence[RouteOut],
    limit_s: float,
    iterations: int | None,
    penalty_for: Callable[[Stop], float | None],
) -> Solved:
    """``orders`` over the vehicles still at their depots, the search warm from ``start``
    completed by cheapest feasible insertion of the orders it leaves out; ``penalty_for``
    prices leaving a stop out (None: it must be served)."""
    if not orders:
        return Solved([], [])
    if not units:
        return Solved([], [Unserved(order=o.id, reason="no vehicle is left at a depot",
                                    code="no_vehicle") for o in orders])  # fmt: skip
    specs = tuple(u.spec for u in units)
    sub = request.model_copy(update={"vehicles": specs})
    result = route_own_fleet(
        sub, orders, units=list(units), time_limit_s=max(MIN_SOLVE_S, limit_s),
        iterations=iterations, penalty_for=penalty_for, start=start, fill_start=True,
    )  # fmt: skip
    return Solved(result.routes, result.unserved)


def route_keeping(
    request: Request,
    unit: FleetUnit,
    mine: Sequence[Order],
    spare: Sequence[Order],
    start: Sequence[RouteOut],
    limit_s: float,
    iterations: int | None,
    penalty_for: Callable[[Stop], float | None],
) -> tuple[Solved, dict[str, str]]:
    """A vehicle still at its depot keeping its own orders (``mine``, loaded already), with
    what it can take of ``spare`` on the way; when its orders and the spare ones do not fit
    together, its own alone. Also the own orders it cannot serve even alone, with why."""
    own = {o.id for o in mine}

    def keep(stop: Stop) -> float | None:
        return None if any(o.id in own for o in stop.orders) else penalty_for(stop)

    started = time.perf_counter()
    solved = route_waiting(request, [unit], [*mine, *spare], start, limit_s, iterations, keep)
    missed = {u.order for u in solved.unserved} & own
    if not missed or not spare:
        return solved, {u.order: u.reason for u in solved.unserved if u.order in own}
    left = max(MIN_SOLVE_S, limit_s - (time.perf_counter() - started))
    alone = route_waiting(request, [unit], mine, start, left, iterations, keep)
    return alone, {u.order: u.reason for u in alone.unserved}
