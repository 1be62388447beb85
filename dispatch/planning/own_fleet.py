"""The day's pipeline: orders → stops → routing model → solve → routes with reasons for the rest."""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from dispatch.errors import FieldError, RequestError, UnsupportedOptionError
from dispatch.intake.request import Order, Request, Temperature
from dispatch.planning.compartments import DIMENSIONS, Load
from dispatch.planning.feasibility import Reason, order_reason, stop_reason
from dispatch.planning.grouping import Stop, group_orders
from dispatch.planning.model import (
    COST_SCALE,
    DayModel,
    FleetUnit,
    build_model,
    fleet,
    matrix_bytes,
)
from dispatch.planning.plan import Cargo, RouteCost, RouteOut, StopVisit, Unserved
from optimizer import (
    Progress,
    Route,
    SolveParams,
    UnsupportedError,
    Visit,
    decompose,
    insertion,
    solve,
)

ProgressFn = Callable[[Progress], None]

LARGE_DAY_STOPS = 1000
"""Stops from which a day is solved in parts (``optimizer.decompose``); smaller days whole."""
MIN_LIMIT_S = 1.0
MIN_FILLED_S = 0.2
"""The least search after a ``fill_start`` completion (which leaves a whole plan already)."""
FILL_SHARE = 0.5
"""Of the time limit, the most a ``fill_start`` completion may take."""
ASSEMBLY_S = 2.0
"""Of a large day's time limit, kept for turning the solution into routes."""
MEMORY_ENV = "DISPATCH_MAX_PLAN_MB"
WHOLE_COPIES = 4
"""A day solved whole holds its matrices about this many times (engines and their partner)."""

DROPPED = Reason(
    "dropped",
    "left out by the optimizer: no vehicle had the capacity or time for it at a cost "
    "below the unserved penalty",
)


@dataclass(frozen=True, slots=True)
class OwnFleetResult:
    """Own-fleet routes for a set of orders, and the orders it could not serve."""

    routes: list[RouteOut]
    unserved: list[Unserved]
    late_minutes: int
    elapsed_s: float
    engine: str
    model: DayModel | None = None
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return sum(r.cost.total for r in self.routes if r.cost is not None)

    @property
    def served_orders(self) -> list[str]:
        return [o for r in self.routes for s in r.stops for o in s.orders]


def route_own_fleet(
    request: Request,
    orders: Sequence[Order] | None = None,
    *,
    units: Sequence[FleetUnit] | None = None,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    on_progress: ProgressFn | None = None,
    penalty_for: Callable[[Stop], float | None] | None = None,
    start: Sequence[RouteOut] = (),
    fill_start: bool = False,
) -> OwnFleetResult:
    """Route ``orders`` (default: all) with the own fleet; every order is routed or explained.

    ``penalty_for`` overrides the cost of leaving a stop out (used when a carrier
    could take it instead; None makes the stop mandatory); the default is the policy's
    unserved penalty per order.
    ``iterations`` bounds the search besides the time (see ``optimizer.SolveParams``).
    The search starts from the ``start`` routes (of an earlier plan of some of these
    orders): their vehicles keep their stops that are still to serve, in order. A day of
    ``LARGE_DAY_STOPS`` or more is solved in parts, each part warm from those routes.
    ``fill_start`` first puts every stop the ``start`` routes leave out where it adds least
    cost (:func:`optimizer.insertion.completed`), so the search starts from a whole plan.
    """
    started = time.perf_counter()
    orders = list(request.orders if orders is None else orders)
    units = list(fleet(request) if units is None else units)
    unserved: list[Unserved] = []
    routable: list[Order] = []
    kinds = list({id(u.spec): u for u in units}.values())
    for o in orders:
        reason = order_reason(o, kinds)
        if reason is None:
            routable.append(o)
        else:
            unserved.append(Unserved(order=o.id, reason=reason.text, code=reason.code))
    stops = group_orders(request, routable, [u.spec.capacity for u in units])
    if not stops:
        return OwnFleetResult([], unserved, 0, time.perf_counter() - started, "none")

    check_memory(request, len(stops), units)
    probe = build_model(request, stops, units)
    kept: list[Stop] = []
    for k, stop in enumerate(stops):
        reason = stop_reason(probe, k, request)
        if reason is None:
            kept.append(stop)
        else:
            unserved += [
                Unserved(order=o, reason=reason.text, code=reason.code) for o in stop.order_ids
            ]
    if not kept:
        return OwnFleetResult([], unserved, 0, time.perf_counter() - started, "none")

    if len(kept) == len(stops):
        model = probe
    else:
        del probe
        model = build_model(request, kept, units)
    if penalty_for is not None:
        model = _with_penalties(model, penalty_for)
    if on_progress is not None and unserved:
        on_progress = partial(_with_left_out, on_progress, _units(request, len(unserved)))
    initial = _initial(model, start)
    limit = request.options.limit(time_limit_s)
    if fill_start:
        within = FILL_SHARE * limit
        initial = insertion.completed(model.problem, initial or [], within_s=within)
        limit = max(MIN_FILLED_S, limit - (time.perf_counter() - started))
    large = len(kept) >= LARGE_DAY_STOPS
    if large:
        limit = max(MIN_LIMIT_S, limit - (time.perf_counter() - started) - ASSEMBLY_S)
    elif not fill_start:
        limit = max(min(limit, MIN_LIMIT_S), limit - (time.perf_counter() - started))
    params = SolveParams(
        time_limit_s=limit,
        iterations=iterations,
        seed=request.options.seed,
        engine=request.options.engine,
        on_progress=on_progress,
    )
    try:
        if large:
            solution = decompose.solve(model.problem, params, initial=initial)
        else:
            solution = solve(model.problem, params, initial=initial)
    except UnsupportedError as exc:
        engine = request.options.engine
        message = f"{engine!r} cannot plan this request: {exc}"
        raise UnsupportedOptionError("options.engine", message) from exc
    routes, late = _routes(request, model, solution.routes)
    for node in solution.dropped:
        stop = model.node_stop(node)
        unserved += [
            Unserved(order=o, reason=DROPPED.text, code=DROPPED.code) for o in stop.order_ids
        ]
    return OwnFleetResult(
        routes,
        unserved,
        late,
        time.perf_counter() - started,
        solution.engine,
        model,
        dict(solution.stats),
    )


def _units(request: Request, orders: int) -> int:
    """The unserved penalty of ``orders`` left out before the search, in the model's units."""
    return round(orders * request.policy.unserved_penalty * COST_SCALE)


def _with_left_out(report: ProgressFn, penalty: int, progress: Progress) -> None:
    """The search's progress with the orders no vehicle can carry priced in, as the plan
    will price them, so no figure reported is below the plan's cost."""
    report(replace(progress, best_cost=progress.best_cost + penalty))


def _initial(model: DayModel, routes: Sequence[RouteOut]) -> list[Route] | None:
    """Routes of the model's vehicles and stops from an earlier plan's routes, or None."""
    if not routes:
        return None
    vehicle = {u.id: k for k, u in enumerate(model.units)}
    node = {stop.id: model.stop_node(k) for k, stop in enumerate(model.stops)}
    initial = []
    for route in routes:
        visits = tuple(node[s.stop] for s in route.stops if s.stop in node)
        if route.vehicle in vehicle and visits:
            empty = tuple(Visit(0, 0, 0) for _ in visits)
            initial.append(Route(vehicle[route.vehicle], visits, 0, empty, 0))
    return initial or None


def memory_budget_mb() -> float:
    """The most memory one plan's matrices may take: ``DISPATCH_MAX_PLAN_MB``, else a quarter
    of this machine's memory (two plans may run at once, each with its engines)."""
    given = os.environ.get(MEMORY_ENV)
    if given:
        return float(given)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return total / 2**20 / 4


def check_memory(request: Request, stops: int, units: Sequence[FleetUnit]) -> None:
    """Refuse a day whose matrices this machine cannot hold, before building them.

    A day solved whole also needs the engines' copies of its matrices (OR-Tools' and
    PyVRP's, in two processes); a large day is solved in parts, whose copies are small.
    """
    places = len(request.depots) + stops
    profiles = len({u.spec.speed_factor for u in units}) or 1
    need = matrix_bytes(places, profiles) / 2**20
    if stops < LARGE_DAY_STOPS:
        need *= WHOLE_COPIES
    budget = memory_budget_mb()
    if need > budget:
        raise RequestError(
            [
                FieldError(
                    "",
                    "orders",
                    f"{stops:,} stops from {len(request.depots)} depots need about "
                    f"{need:,.0f} MB of travel matrices, more than the {budget:,.0f} MB one "
                    f"plan may use here ({MEMORY_ENV}); plan fewer orders or depots at once",
                )
            ]
        )


def _with_penalties(model: DayModel, penalty_for: Callable[[Stop], float | None]) -> DayModel:
    nodes = list(model.problem.nodes)
    for k, stop in enumerate(model.stops):
        node = model.stop_node(k)
        money = penalty_for(stop)
        penalty = None if money is None else max(1, round(money * COST_SCALE))
        nodes[node] = dataclasses.replace(nodes[node], penalty=penalty)
    return DayModel(
        model.problem.replace(nodes=tuple(nodes)),
        model.depots,
        model.stops,
        model.units,
        model.travel,
    )


def _routes(
    request: Request, model: DayModel, solved: Sequence[Route]
) -> tuple[list[RouteOut], int]:
    problem = model.problem
    routes: list[RouteOut] = []
    late_total = 0
    for r in solved:
        vehicle, visits = r.vehicle, list(r.visits)
        if not visits:
            continue
        unit = model.units[vehicle]
        depot = next(d for d in model.depots if d.id == unit.spec.depot)
        start, back = r.start, r.end
        prof_dist = model.travel.distance_km
        path = [problem.vehicles[vehicle].start, *visits, problem.vehicles[vehicle].end]
        km = float(sum(prof_dist[a, b] for a, b in itertools.pairwise(path)))
        leave = start / 60 + depot.loading_minutes
        stops_out: list[StopVisit] = []
        total = Load()
        for node, visit in zip(visits, r.schedule, strict=True):
            stop = model.node_stop(node)
            total = total + stop.load
            late = -(-visit.late // 60)
            late_total += late
            cold = stop.temperatures & {Temperature.CHILLED, Temperature.FROZEN}
            stops_out.append(
                StopVisit(
                    stop=stop.id,
                    name=stop.name,
                    orders=tuple(stop.order_ids),
                    location=stop.location,
                    arrival=round(visit.arrival / 60),
                    start_service=round(visit.start / 60),
                    departure=round(visit.departure / 60),
                    late_minutes=late,
                    windows=tuple(stop.windows),
                    unload=Cargo(**stop.load.as_dict()),
                    cold_minutes=round(visit.start / 60 - leave) if cold else None,
                )
            )
        hours = (back - start) / 3600
        cost = unit.spec.cost
        rc = RouteCost(
            fixed=cost.fixed,
            distance=round(cost.per_km * km, 2),
            time=round(cost.per_hour * hours, 2),
            total=round(cost.fixed + cost.per_km * km + cost.per_hour * hours, 2),
        )
        routes.append(
            RouteOut(
                vehicle=unit.id,
                depot=unit.spec.depot,
                end_depot=unit.end_depot,
                start=round(start / 60),
                end=round(back / 60),
                distance_km=round(km, 3),
                duration_minutes=round((back - start) / 60),
                load=Cargo(
                    **dict(zip(DIMENSIONS, (round(x, 3) for x in total.values()), strict=True))
                ),
                stops=tuple(stops_out),
                cost=rc,
            )
        )
    return routes, late_total
