"""Every OR-Tools call of the optimizer: build the routing model, search, extract the plan.

The model follows the OR-Tools samples' order: manager, model, transit matrices,
arc and fixed costs, time dimension, windows, shifts, loads, ages, finalizers,
disjunctions, search parameters, status check, extraction. OR-Tools routing is
deterministic: ``params.seed`` is accepted for parity with PyVRP and unused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from time import monotonic
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer import bounds, plan
from optimizer.params import SolveParams
from optimizer.plan import nothing_routed
from optimizer.problem import Problem
from optimizer.solution import Progress, Solution

ENGINE = "ortools"


@dataclass(frozen=True, slots=True, kw_only=True)
class Tuning:
    """OR-Tools search settings beyond ``SolveParams`` (enum names as in OR-Tools).

    ``first_solution`` None picks by the problem: savings for one depot and one kind
    of vehicle (best on Solomon), cheapest insertion otherwise, where savings can
    end with nothing routed (several depots, compartments, cold-chain ages).
    """

    first_solution: str | None = None
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.5


WARM_PRICED = Tuning(metaheuristic="TABU_SEARCH")
"""The search from given routes with lateness priced (a re-plan from a whole plan): on three
re-planned demo days, tabu search came in 8 s to 0.5-1.7% of its own 80 s search, where
guided local search stayed up to 7% above its own (in 8 s, tabu was never worse)."""


@dataclass(slots=True)
class _Model:
    """A routing model and the maps between its indices and the problem's."""

    problem: Problem
    nodes: list[int]
    vehicles: list[int]
    manager: Any
    routing: Any
    penalty: int
    where: dict[int, int]

    def index(self, node: int) -> int:
        """The routing variable index of a stop."""
        return int(self.manager.NodeToIndex(self.where[node]))


def solve(
    problem: Problem,
    params: SolveParams,
    *,
    initial: Mapping[int, Sequence[int]] | None = None,
    tuning: Tuning = Tuning(),
) -> Solution:
    """Solve with OR-Tools; ``initial`` maps vehicles to visit orders to start from (with
    lateness priced, searched with ``WARM_PRICED`` unless ``tuning`` is given)."""
    clock = monotonic()
    if initial and _routes_only(problem) and tuning == Tuning():
        tuning = WARM_PRICED
    vehicles = [v for v in range(len(problem.vehicles)) if bounds.is_usable(problem, v)]
    if not vehicles or not problem.stops:
        return nothing_routed(problem, ENGINE, monotonic() - clock, failed=False)
    model = build(problem, vehicles)
    routing = model.routing
    routing.AddAtSolutionCallback(_Reporter(model, params, clock))
    limit = params.time_limit_s - (monotonic() - clock)
    search = _search_parameters(tuning, limit, params, _first_solution(problem))
    start = _read_routes(model, initial, search) if initial else None
    if start is not None:
        assignment = routing.SolveFromAssignmentWithParameters(start, search)
        left = params.time_limit_s - (monotonic() - clock)
        if assignment is None and _routes_only(problem) and left > 0:
            model = build(problem, vehicles)
            routing = model.routing
            routing.AddAtSolutionCallback(_Reporter(model, params, clock))
            search = _search_parameters(tuning, left, params, _first_solution(problem))
            assignment = routing.SolveWithParameters(search)
    else:
        assignment = routing.SolveWithParameters(search)
    elapsed = monotonic() - clock
    if assignment is None:
        return nothing_routed(problem, ENGINE, elapsed, failed=True)
    return _extract(model, assignment, elapsed)


def build(problem: Problem, vehicles: Sequence[int]) -> _Model:
    """The routing model of ``problem`` restricted to the given (usable) vehicles."""
    fleet = [problem.vehicles[v] for v in vehicles]
    depots = sorted({d for vehicle in fleet for d in (vehicle.start, vehicle.end)})
    nodes = depots + problem.stops
    where = {node: k for k, node in enumerate(nodes)}
    manager = pywrapcp.RoutingIndexManager(
        len(nodes),
        len(fleet),
        [where[vehicle.start] for vehicle in fleet],
        [where[vehicle.end] for vehicle in fleet],
    )
    routing = pywrapcp.RoutingModel(manager)
    model = _Model(
        problem, nodes, list(vehicles), manager, routing, bounds.mandatory_penalty(problem), where
    )
    transits = _register_transits(model)
    _set_costs(model)
    time = _add_time(model, transits)
    _set_windows(model, time)
    _set_shifts(model, time)
    _add_loads(model)
    servers = plan.servers(problem, model.vehicles)
    _restrict_vehicles(model, servers)
    aged = _add_ages(model, time, transits, servers)
    _add_finalizers(model, time, aged)
    _add_disjunctions(model)
    return model


def _register_transits(model: _Model) -> list[int]:
    """One transit matrix per vehicle (shared by profile): service at ``i`` plus travel."""
    p = model.problem
    ix = np.array(model.nodes)
    service = np.array([p.nodes[i].service for i in model.nodes], dtype=np.int64)
    by_profile: dict[int, int] = {}
    for v in model.vehicles:
        profile = p.vehicles[v].profile
        if profile not in by_profile:
            matrix = service[:, None] + p.durations[profile][np.ix_(ix, ix)]
            by_profile[profile] = model.routing.RegisterTransitMatrix(matrix.tolist())
    return [by_profile[p.vehicles[v].profile] for v in model.vehicles]


def _set_costs(model: _Model) -> None:
    """Distance cost per arc (one evaluator per coefficient) and fixed cost per vehicle."""
    p, routing = model.problem, model.routing
    ix = np.array(model.nodes)
    distances = p.distances[np.ix_(ix, ix)].astype(np.int64)
    evaluators: dict[int, int] = {}
    for k, v in enumerate(model.vehicles):
        vehicle = p.vehicles[v]
        coefficient = vehicle.distance_cost
        if coefficient:
            if coefficient not in evaluators:
                matrix = (distances * coefficient).tolist()
                evaluators[coefficient] = routing.RegisterTransitMatrix(matrix)
            routing.SetArcCostEvaluatorOfVehicle(evaluators[coefficient], k)
        routing.SetFixedCostOfVehicle(vehicle.fixed_cost, k)


def _add_time(model: _Model, transits: list[int]) -> Any:
    """The time dimension: cumul is the start of service, slack is waiting."""
    span = bounds.horizon(model.problem)
    model.routing.AddDimensionWithVehicleTransits(transits, span, span, False, "Time")
    time = model.routing.GetDimensionOrDie("Time")
    for k, v in enumerate(model.vehicles):
        time.SetSpanCostCoefficientForVehicle(model.problem.vehicles[v].time_cost, k)
    return time


def _set_windows(model: _Model, time: Any) -> None:
    """Start of service inside a window; after the last one only as paid lateness."""
    p = model.problem
    late = p.max_lateness if p.late_cost > 0 else 0
    for i in p.stops:
        index = model.index(i)
        windows = p.nodes[i].windows
        cumul = time.CumulVar(index)
        cumul.SetRange(windows[0][0], windows[-1][1] + late)
        for (_, gap_start), (gap_end, _) in pairwise(windows):
            cumul.RemoveInterval(gap_start + 1, gap_end - 1)
        if late:
            time.SetCumulVarSoftUpperBound(index, windows[-1][1], p.late_cost)


def _set_shifts(model: _Model, time: Any) -> None:
    """Route start and return within the vehicle's shift and its depots' windows."""
    for k, v in enumerate(model.vehicles):
        earliest, latest = bounds.vehicle_bounds(model.problem, v)
        time.CumulVar(model.routing.Start(k)).SetRange(
            earliest, bounds.start_bounds(model.problem, v)[1]
        )
        time.CumulVar(model.routing.End(k)).SetRange(earliest, latest)


def _add_loads(model: _Model) -> None:
    """One capacity dimension per load dimension that some stop uses."""
    p, routing = model.problem, model.routing
    for d in range(p.num_dimensions):
        demand = [0 if p.nodes[i].is_depot else p.nodes[i].demand[d] for i in model.nodes]
        if not any(demand):
            continue
        evaluator = routing.RegisterUnaryTransitVector(demand)
        capacities = [p.vehicles[v].capacity[d] for v in model.vehicles]
        routing.AddDimensionWithVehicleCapacity(evaluator, 0, capacities, True, f"Load{d}")


def _restrict_vehicles(model: _Model, servers: Mapping[int, list[int]]) -> None:
    """Forbid vehicles that cannot serve a stop even on a route of its own."""
    slot = {v: k for k, v in enumerate(model.vehicles)}
    for i, vehicles in servers.items():
        if not vehicles:
            model.routing.ActiveVar(model.index(i)).SetValue(0)
        elif len(vehicles) < len(model.vehicles):
            allowed = [slot[v] for v in vehicles]
            model.routing.VehicleVar(model.index(i)).SetValues([-1, *allowed])


def _add_ages(
    model: _Model, time: Any, transits: list[int], servers: Mapping[int, list[int]]
) -> list[int]:
    """Bound start of service minus route start at aged stops; returns those stops."""
    span = bounds.horizon(model.problem)
    aged: list[tuple[int, list[int]]] = []
    for i in model.problem.stops:
        limits = [bounds.age_limit(model.problem, v, i) for v in model.vehicles]
        if any(limit is not None for limit in limits):
            aged.append((i, [span if limit is None else limit for limit in limits]))
    if aged:
        _age_elements(model, time, aged)
        _age_travel(model, transits, aged, servers)
    return [i for i, _ in aged]


def _age_travel(
    model: _Model,
    transits: list[int],
    aged: list[tuple[int, list[int]]],
    servers: Mapping[int, list[int]],
) -> None:
    """A redundant bound the search filters see: service and travel since the start, no waits.

    It never exceeds the age, so it cuts no plan; it rejects most moves that break an
    age limit before the element constraints are propagated.
    """
    span = bounds.horizon(model.problem)
    model.routing.AddDimensionWithVehicleTransits(transits, span, span, True, "AgeTravel")
    travel = model.routing.GetDimensionOrDie("AgeTravel")
    slot = {v: k for k, v in enumerate(model.vehicles)}
    for i, limits in aged:
        able = [limits[slot[v]] for v in servers[i]]
        if able:
            travel.CumulVar(model.index(i)).SetMax(max(able))


def _age_elements(model: _Model, time: Any, aged: list[tuple[int, list[int]]]) -> None:
    """Per aged stop: its time minus the start of the vehicle serving it, both by element.

    Index 0 of each element stands for "not served" (vehicle var -1).
    """
    routing, solver = model.routing, model.routing.solver()
    span = bounds.horizon(model.problem)
    starts = [solver.IntConst(0)]
    starts += [time.CumulVar(routing.Start(k)) for k in range(len(model.vehicles))]
    for i, limits in aged:
        index = model.index(i)
        serving = (routing.VehicleVar(index) + 1).Var()
        since = time.CumulVar(index) - solver.Element(starts, serving)
        solver.Add(since <= solver.Element([span, *limits], serving))


def _add_finalizers(model: _Model, time: Any, aged: list[int]) -> None:
    """Return early, leave late; fix aged stops' times so every solution is checked exactly."""
    routing = model.routing
    for k in range(len(model.vehicles)):
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(k)))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(k)))
    for i in aged:
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(model.index(i)))


def _add_disjunctions(model: _Model) -> None:
    """Every stop may be dropped; a mandatory one at a penalty above any plan's cost."""
    for i in model.problem.stops:
        penalty = model.problem.nodes[i].penalty
        model.routing.AddDisjunction(
            [model.index(i)], model.penalty if penalty is None else penalty
        )


def _search_parameters(tuning: Tuning, limit_s: float, params: SolveParams, auto: str) -> Any:
    """First solution, metaheuristic, time and solution limits; filters only, no full
    propagation."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.Value.Value(
        tuning.first_solution or auto
    )
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.Value.Value(
        tuning.metaheuristic
    )
    search.guided_local_search_lambda_coefficient = tuning.gls_lambda
    search.time_limit.FromMilliseconds(max(1, int(limit_s * 1000)))
    if params.iterations is not None:
        search.solution_limit = params.iterations
    search.use_full_propagation = False
    search.log_search = params.log_search
    return search


def _first_solution(problem: Problem) -> str:
    fleet = {(v.start, v.end, v.capacity, v.max_age, v.profile) for v in problem.vehicles}
    aged = any(problem.nodes[i].age_classes for i in problem.stops)
    return "PARALLEL_SAVINGS" if len(fleet) == 1 and not aged else "PARALLEL_CHEAPEST_INSERTION"


def _read_routes(model: _Model, initial: Mapping[int, Sequence[int]], search: Any) -> Any:
    """The assignment of the given routes, or None when they break a constraint.

    With lateness priced (soft upper bounds on the times), OR-Tools' reading of routes
    searches for the cheapest times until the time limit; then only the routes are set,
    and the search's own start fixes the times (a start it cannot keep ends it with
    nothing, and ``solve`` searches again from scratch).
    """
    slot = {v: k for k, v in enumerate(model.vehicles)}
    routes: list[list[int]] = [[] for _ in model.vehicles]
    for v, visits in initial.items():
        if v in slot:
            routes[slot[v]] = [model.index(i) for i in visits]
    if _routes_only(model.problem):
        model.routing.CloseModelWithParameters(search)
        assignment = model.routing.solver().Assignment()
        if model.routing.RoutesToAssignment(routes, True, True, assignment):
            return assignment
        return None
    return model.routing.ReadAssignmentFromRoutes(routes, True)


def _routes_only(problem: Problem) -> bool:
    """Whether given routes are read as routes only (see ``_read_routes``)."""
    return problem.late_cost > 0 and problem.max_lateness > 0


class _Reporter:
    """An at-solution callback passing each improvement to ``params.on_progress``."""

    def __init__(self, model: _Model, params: SolveParams, clock: float) -> None:
        self.model, self.report, self.clock = model, params.on_progress, clock
        self.best, self.found = 2**63, 0
        problem = model.problem
        self.mandatory = [model.index(i) for i in problem.stops if problem.nodes[i].penalty is None]

    def __call__(self) -> None:
        self.found += 1
        routing = self.model.routing
        cost = int(routing.CostVar().Value())
        if self.report is None or cost >= self.best:
            return
        self.best = cost
        dropped = sum(1 for index in self.mandatory if routing.ActiveVar(index).Value() == 0)
        cost -= dropped * self.model.penalty
        self.report(Progress(monotonic() - self.clock, cost, self.found))


def _extract(model: _Model, assignment: Any, elapsed: float) -> Solution:
    """Visit orders from the assignment; times are recomputed by ``schedule``."""
    routing, manager = model.routing, model.manager
    orders: dict[int, list[int]] = {}
    for k, v in enumerate(model.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        visits = orders[v] = []
        while not routing.IsEnd(index):
            visits.append(model.nodes[manager.IndexToNode(index)])
            index = assignment.Value(routing.NextVar(index))
    stats = {"status": float(routing.status()), "objective": float(assignment.ObjectiveValue())}
    return plan.assemble(model.problem, orders, engine=ENGINE, elapsed_s=elapsed, stats=stats)
