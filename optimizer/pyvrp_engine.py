"""Every PyVRP call of the optimizer: translate the problem, search, read the routes back.

PyVRP expresses all of the contract but lateness and the exact age limits. Several
windows become mutually exclusive copies of a stop in a client group. Ages are kept
conservatively by release times: an aged stop's windows are cut into slots, and a
copy served in a slot ending at ``b`` may only ride on a route that starts at
``b - limit`` or later (the smallest limit of the vehicles able to serve it), so
an age is at most the slot width short of its limit; OR-Tools polishes with the
exact rule. Matrices pass through unchanged, except that a depot's loading time
is added to its rows. Allowed lateness is free in the search, so those routes
need re-costing.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from optimizer import bounds, plan
from optimizer.params import SolveParams
from optimizer.problem import IntMatrix, Problem, ProblemError
from optimizer.solution import Progress, Route, Solution

ENGINE = "pyvrp"
NEIGHBOURS = 20
"""Granular neighbourhood size: measured best for short Solomon runs (PyVRP's default is 50)."""
MAX_PENALTY = 100_000.0
"""PyVRP's default top penalty per unit of violation, for costs of about 1 per metre."""
STALL_SHARE = 0.2
"""A search whose best plan has not changed for this share of its time starts afresh with the
next seed; the best plan of all its runs is kept."""
SEEDS_PER_SEARCH = 1024
"""A search with seed ``s`` restarts with ``s + 1``, ``s + 2``, ... up to ``s + 1023`` at most,
so searches whose seeds are this far apart never run the same search."""
MIN_STALL_S = 5.0
"""Shortest stall that restarts: a search's first better plan can take seconds to come."""
START_PENALTY = 0.3
"""Penalty per unit of violation the search starts from, for costs of about 1 per metre
(PyVRP starts midway to the top; measured on Solomon and generated days)."""
AGED_START_PENALTY = 3.0
"""The same on aged problems. From 0.3, PyVRP found no plan of its own for about 5 s on
generated days, and some 5 s searches ended with stops left out. From 3.0 its 5 s plans
were 45% cheaper on average and its 15 s plans as cheap; the portfolio's plans were 3-4%
cheaper at 10 s and 16 s, and as cheap at 30 s (0.5% cheaper over 36 runs; 10.0: dearer)."""
AGE_SLOTS = 8
"""Slots per age limit: an aged stop served in a slot ending at ``b`` needs a route start
from ``b - limit``, so an age may lose up to ``limit / AGE_SLOTS`` to the slot width."""
MAX_SLOTS = 32
"""At most this many slots per window: long windows get wider, more conservative slots."""
AGED_HISTORY = 100
"""Late-acceptance history on aged problems (PyVRP's default is 300): their search has half
of the budget (about 22,000 iterations in 15 s on generated days), and a shorter memory
converges within it, more often to a plan with one van fewer."""
AGED_PERTURBATIONS = 10
"""Most clients one perturbation moves on aged problems (PyVRP's default is 25), for the same
reason."""
Orders = dict[int, list[int]]


class UnsupportedError(ProblemError):
    """A rule of the problem that PyVRP cannot express."""


def unsupported(problem: Problem) -> list[str]:
    """What PyVRP cannot express (empty when it can, ages conservatively)."""
    if problem.late_cost > 0 and problem.max_lateness > 0:
        return ["lateness (late_cost, max_lateness)"]
    return []


def is_aged(problem: Problem) -> bool:
    """Whether an age limit binds some stop, so PyVRP keeps it only conservatively."""
    return any(problem.nodes[i].age_classes for i in problem.stops) and any(
        limit is not None for vehicle in problem.vehicles for limit in vehicle.max_age
    )


def solve(
    problem: Problem, params: SolveParams, *, initial: Sequence[Route] | None = None
) -> Solution:
    """Solve with PyVRP, from the ``initial`` routes when given; raises ``UnsupportedError``
    for lateness."""
    reasons = unsupported(problem)
    if reasons:
        raise UnsupportedError("PyVRP cannot express " + " and ".join(reasons))
    clock = monotonic()
    deadline = clock + params.time_limit_s
    orders, stats = search(
        problem, params, deadline=deadline, restart=not is_aged(problem), initial=initial
    )
    return plan.assemble(problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def search(
    problem: Problem,
    params: SolveParams,
    *,
    deadline: float,
    give_up: float | None = None,
    restart: bool = False,
    initial: Sequence[Route] | None = None,
) -> tuple[Orders, dict[str, float]]:
    """Each used vehicle's visit order; ages kept conservatively, allowed lateness free.

    Stops at ``deadline``, or at ``give_up`` if no feasible solution is found by then.
    With ``restart``, a search whose best plan stalls starts afresh with the next seed,
    keeping the best: that helped on Solomon, while on generated days with ages better
    plans come in bursts after long stalls. The first search starts from the ``initial``
    routes when given, even none (routes of vehicles that cannot drive are left out).
    """
    clock = monotonic()
    model = _Translation(problem)
    if not model.client_nodes:
        return {}, {}
    data = model.data()
    progress = _Progress(params.on_progress, clock, model)
    scale = _cost_scale(problem)
    ils, perturbation = IteratedLocalSearchParams(callbacks=progress), PerturbationParams()
    start = START_PENALTY
    if is_aged(problem):
        ils.history_length = AGED_HISTORY
        perturbation = PerturbationParams(max_perturbations=AGED_PERTURBATIONS)
        start = AGED_START_PENALTY
    solver_params = pyvrp.SolveParams(
        ils=ils,
        perturbation=perturbation,
        penalty=_Penalties(
            min_penalty=0.1 * scale, max_penalty=MAX_PENALTY * scale, start=start * scale
        ),
        neighbourhood=NeighbourhoodParams(num_neighbours=model.neighbours()),
        display_interval=max(1.0, params.time_limit_s / 5),
    )
    stall_s = max(MIN_STALL_S, STALL_SHARE * (deadline - clock)) if restart else math.inf
    warm = None if initial is None else _settled(data, solver_params, model.solution(data, initial))
    results: list[pyvrp.Result] = []
    stop: _Deadline | None = None
    while stop is None or (stop.stalled and len(results) < SEEDS_PER_SEARCH):
        stop = _Deadline(deadline, give_up, stall_s, iterations=params.iterations)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            results.append(
                pyvrp.solve(
                    data,
                    stop,
                    seed=params.seed + len(results),
                    collect_stats=params.log_search,
                    display=params.log_search,
                    params=solver_params,
                    initial_solution=None if results else warm,
                )
            )
    best = min((result.best for result in results), key=model.rank)
    stats = {
        "iterations": float(sum(result.num_iterations for result in results)),
        "restarts": float(len(results) - 1),
        "pyvrp_feasible": float(best.is_feasible()),
    }
    return model.orders(best), stats


def _settled(
    data: pyvrp.ProblemData, params: pyvrp.SolveParams, routes: pyvrp.Solution
) -> pyvrp.Solution:
    """``routes`` after one local search over every client at the starting penalties.

    PyVRP's search revisits only the clients near its perturbations, so stops that a warm
    start leaves out (a removed route's) would mostly stay out; here they go in, as their
    prizes pay for the excess they cause, which the search then works off.
    """
    rng = pyvrp.RandomNumberGenerator(seed=0)
    neighbours = compute_neighbours(data, params.neighbourhood)
    search = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for operator in params.operators:
        if operator.supports(data):
            search.add_operator(operator(data))
    penalties = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    return search(routes, penalties.cost_evaluator(), exhaustive=True)


def _cost_scale(problem: Problem) -> float:
    """The largest cost of one metre plus one second: PyVRP's penalty bounds assume about 1."""
    return float(max((v.distance_cost + v.time_cost for v in problem.vehicles), default=1) or 1)


@dataclass
class _Penalties(PenaltyParams):
    """PyVRP's penalty parameters, starting at ``start`` rather than midway to the top.

    From the midpoint, penalties fall by a tenth every 500 iterations; on generated
    days that took about 50,000 iterations, the first 50 s, during which the search
    could barely cross infeasible plans to empty a route.
    """

    start: float = 1.0

    def midpoint_penalties(self, data: pyvrp.ProblemData) -> tuple[list[float], float, float]:
        return [self.start] * data.num_load_dimensions, self.start, self.start


@dataclass(slots=True)
class _Deadline:
    """Stop at a wall-clock deadline, earlier when nothing feasible is found in time, when
    the best plan has not changed for ``stall_s`` (then ``stalled`` is set), or after
    ``iterations`` iterations."""

    deadline: float
    give_up: float | None
    stall_s: float = math.inf
    stalled: bool = False
    last: tuple[float, float] = (math.inf, 0.0)
    iterations: int | None = None
    done: int = 0

    def __call__(self, best_cost: float) -> bool:
        if self.iterations is not None:
            self.done += 1
            if self.done > self.iterations:
                return True
        now = monotonic()
        feasible = best_cost < 2**62
        if best_cost != self.last[0] or not feasible:
            self.last = (best_cost, now)
        if self.give_up is not None and now >= self.give_up and not feasible:
            return True
        if now - self.last[1] >= self.stall_s and now < self.deadline:
            self.stalled = True
            return True
        return now >= self.deadline


class _Progress(IteratedLocalSearchCallbacks):
    """Forward PyVRP's new best solutions to ``on_progress``, costed as plans are.

    PyVRP's uncollected prizes count every copy of a stop left out, including the
    copies of visited stops, so the penalties come from the stops themselves.
    """

    def __init__(
        self, report: Callable[[Progress], None] | None, clock: float, model: _Translation
    ) -> None:
        self.report, self.clock, self.model, self.found = report, clock, model, 0
        self.best = 2**63

    def on_start(self, ils: pyvrp.IteratedLocalSearch) -> None:
        self.on_best(ils.initial_solution)

    def on_best(self, best: pyvrp.Solution) -> None:
        self.found += 1
        if self.report is not None and best.is_feasible():
            cost = self.model.cost(best)
            if cost < self.best:
                self.best = cost
                self.report(Progress(monotonic() - self.clock, cost, self.found))


class _Translation:
    """The problem as PyVRP data, and the maps to read PyVRP's routes back."""

    def __init__(self, problem: Problem, slots: int = AGE_SLOTS) -> None:
        self.problem = problem
        usable = [v for v in range(len(problem.vehicles)) if bounds.is_usable(problem, v)]
        self.depots = sorted({d for v in usable for d in _ends(problem, v)})
        self.types: list[list[int]] = []
        by_key: dict[tuple[object, ...], int] = {}
        for v in usable:
            key = _type_key(problem, v)
            if key not in by_key:
                by_key[key] = len(self.types)
                self.types.append([])
            self.types[by_key[key]].append(v)
        servers = plan.servers(problem, usable)
        self.copies: list[tuple[int, tuple[int, int], int]] = []
        """One PyVRP client per entry: problem node, window, release time."""
        for i in problem.stops:
            limits = [bounds.age_limit(problem, v, i) for v in servers[i]]
            limit = min((a for a in limits if a is not None), default=None)
            for window in self._windows(i) if servers[i] else []:
                if limit is None:
                    self.copies.append((i, window, 0))
                    continue
                free = min(bounds.vehicle_bounds(problem, v)[0] for v in servers[i]) + limit
                rest = window[1] - max(window[0], free)
                step = max(1, -(-limit // slots), -(-rest // MAX_SLOTS))
                self.copies += [(i, w, max(0, w[1] - limit)) for w in _slots(window, free, step)]
        self.client_nodes = [i for i, _, _ in self.copies]

    def neighbours(self) -> int:
        """``NEIGHBOURS``, widened by the square root of the copies per stop that crowd it."""
        stops = len(set(self.client_nodes)) or 1
        return round(NEIGHBOURS * math.sqrt(len(self.copies) / stops))

    def data(self) -> pyvrp.ProblemData:
        """PyVRP problem data: locations are problem nodes, one client per window or slot."""
        p = self.problem
        clients: list[pyvrp.Client] = []
        groups: list[pyvrp.ClientGroup] = []
        for i, group in itertools.groupby(self.copies, key=lambda copy: copy[0]):
            first = len(clients)
            copies = [(w, release) for _, w, release in group]
            node = p.nodes[i]
            mandatory = node.penalty is None
            alone = len(copies) == 1
            if not alone:
                groups.append(pyvrp.ClientGroup(list(range(first, first + len(copies))), mandatory))
            clients += [
                pyvrp.Client(
                    i,
                    delivery=list(node.demand),
                    service_duration=node.service,
                    tw_early=a,
                    tw_late=b,
                    release_time=release,
                    prize=node.penalty or 0,
                    required=mandatory and alone,
                    group=None if alone else len(groups) - 1,
                )
                for (a, b), release in copies
            ]
        distances: list[Any] = [p.distances] * len(p.durations)
        durations: list[Any] = [self._loading(m) for m in p.durations]
        return pyvrp.ProblemData(
            locations=[pyvrp.Location(0.0, 0.0) for _ in p.nodes],
            clients=clients,
            depots=[pyvrp.Depot(d) for d in self.depots],
            vehicle_types=[self._vehicle_type(vs) for vs in self.types],
            distance_matrices=distances,
            duration_matrices=durations,
            groups=groups,
        )

    def _windows(self, i: int) -> list[tuple[int, int]]:
        """The stop's windows, the last one extended by the allowed lateness."""
        p = self.problem
        windows = list(p.nodes[i].windows)
        if p.late_cost > 0:
            windows[-1] = (windows[-1][0], windows[-1][1] + p.max_lateness)
        return windows

    def _vehicle_type(self, vehicles: list[int]) -> pyvrp.VehicleType:
        vehicle = self.problem.vehicles[vehicles[0]]
        earliest, latest = bounds.vehicle_bounds(self.problem, vehicles[0])
        return pyvrp.VehicleType(
            num_available=len(vehicles),
            capacity=list(vehicle.capacity),
            start_depot=self.depots.index(vehicle.start),
            end_depot=self.depots.index(vehicle.end),
            fixed_cost=vehicle.fixed_cost,
            tw_early=earliest,
            tw_late=latest,
            unit_distance_cost=vehicle.distance_cost,
            unit_duration_cost=vehicle.time_cost,
            profile=vehicle.profile,
        )

    def _loading(self, durations: IntMatrix) -> IntMatrix:
        """Durations with each depot's loading time added to the trips leaving it."""
        loading = np.array([n.service if n.is_depot else 0 for n in self.problem.nodes])
        if not loading.any():
            return durations
        folded = durations + loading[:, None]
        np.fill_diagonal(folded, np.diagonal(durations))
        return folded

    def solution(self, data: pyvrp.ProblemData, routes: Sequence[Route]) -> pyvrp.Solution:
        """PyVRP's solution for a plan's routes, each visit as the copy of its stop that misses
        the least: its window by the visit's start, plus its release time by the route's start."""
        type_of = {v: t for t, vehicles in enumerate(self.types) for v in vehicles}
        copies: dict[int, list[int]] = defaultdict(list)
        for c, (i, _, _) in enumerate(self.copies):
            copies[i].append(c)

        def miss(c: int, start: int, route_start: int) -> int:
            _, (a, b), release = self.copies[c]
            return max(0, a - start, start - b) + max(0, release - route_start)

        pyvrp_routes = []
        for route in routes:
            visits = [
                min(copies[i], key=lambda c: miss(c, start, route.start))
                for i, start in zip(route.visits, route.starts, strict=True)
                if copies[i]
            ]
            if visits and route.vehicle in type_of:
                pyvrp_routes.append(pyvrp.Route(data, visits, type_of[route.vehicle]))
        return pyvrp.Solution(data, pyvrp_routes)

    def rank(self, solution: pyvrp.Solution) -> tuple[bool, int]:
        """Feasible first, then cheaper, costed as plans are."""
        return not solution.is_feasible(), self.cost(solution)

    def cost(self, solution: pyvrp.Solution) -> int:
        """Fixed, distance and duration costs plus the penalties of unvisited stops."""
        cost = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
        return int(cost) + self.penalties(solution)

    def penalties(self, solution: pyvrp.Solution) -> int:
        """Penalties of the stops none of whose copies the solution visits."""
        visited = {i for visits in self.orders(solution).values() for i in visits}
        nodes = self.problem.nodes
        return sum(nodes[i].penalty or 0 for i in self.problem.stops if i not in visited)

    def orders(self, solution: pyvrp.Solution) -> Orders:
        """Visit orders per problem vehicle, in PyVRP's route order."""
        spare = [list(vs) for vs in self.types]
        orders: Orders = {}
        for route in solution.routes():
            visits = [self.client_nodes[a.idx] for a in route.schedule() if a.is_client()]
            if visits:
                orders[spare[route.vehicle_type()].pop(0)] = visits
        return orders


def _slots(window: tuple[int, int], free: int, step: int) -> list[tuple[int, int]]:
    """``window`` as one slot up to ``free`` (no start is too early for it), then slots of
    at most ``step``."""
    a, b = window
    if b <= free:
        return [window]
    head = [(a, free)] if a < free else []
    start = max(a, free)
    return head + [(t, min(t + step, b)) for t in range(start, b, step)]


def _ends(problem: Problem, v: int) -> tuple[int, int]:
    return problem.vehicles[v].start, problem.vehicles[v].end


def _type_key(problem: Problem, v: int) -> tuple[object, ...]:
    vehicle = problem.vehicles[v]
    return (
        vehicle.start,
        vehicle.end,
        vehicle.capacity,
        bounds.vehicle_bounds(problem, v),
        vehicle.fixed_cost,
        vehicle.distance_cost,
        vehicle.time_cost,
        vehicle.profile,
        vehicle.max_age,
    )
