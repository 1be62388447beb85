"""Every PyVRP call of the optimizer: translate the problem, search, read the routes back.

PyVRP expresses all of the contract but age limits and lateness. Several windows
become mutually exclusive copies of a stop in a client group. Matrices pass
through unchanged, except that a depot's loading time is added to its rows.
``search`` relaxes what PyVRP cannot express: ages are ignored and allowed
lateness is free, so its routes may need repair and re-costing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import Any

import numpy as np
import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.search import NeighbourhoodParams

from optimizer import bounds, plan
from optimizer.params import SolveParams
from optimizer.problem import IntMatrix, Problem, ProblemError
from optimizer.solution import Progress, Solution

ENGINE = "pyvrp"
NEIGHBOURS = 20
"""Granular neighbourhood size: measured best for short runs (PyVRP's default is 50)."""
Orders = dict[int, list[int]]


class UnsupportedError(ProblemError):
    """A rule of the problem that PyVRP cannot express."""


def unsupported(problem: Problem) -> list[str]:
    """Why PyVRP cannot solve ``problem`` exactly (empty when it can)."""
    reasons: list[str] = []
    if problem.late_cost > 0 and problem.max_lateness > 0:
        reasons.append("lateness (late_cost, max_lateness)")
    if any(problem.nodes[i].age_classes for i in problem.stops) and any(
        limit is not None for vehicle in problem.vehicles for limit in vehicle.max_age
    ):
        reasons.append("age limits (age_classes, max_age)")
    return reasons


def solve(problem: Problem, params: SolveParams) -> Solution:
    """Solve with PyVRP; raises ``UnsupportedError`` for ages and lateness."""
    reasons = unsupported(problem)
    if reasons:
        raise UnsupportedError("PyVRP cannot express " + " and ".join(reasons))
    clock = monotonic()
    orders, stats = search(problem, params, deadline=clock + params.time_limit_s)
    return plan.assemble(problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def search(
    problem: Problem, params: SolveParams, *, deadline: float, give_up: float | None = None
) -> tuple[Orders, dict[str, float]]:
    """Each used vehicle's visit order, ignoring ages and with allowed lateness free.

    Stops at ``deadline``, or at ``give_up`` if no feasible solution is found by then.
    """
    clock = monotonic()
    model = _Translation(problem)
    if not model.client_nodes:
        return {}, {}
    data = model.data()
    progress = _Progress(params.on_progress, clock)
    solver_params = pyvrp.SolveParams(
        ils=IteratedLocalSearchParams(callbacks=progress),
        neighbourhood=NeighbourhoodParams(num_neighbours=NEIGHBOURS),
        display_interval=max(1.0, params.time_limit_s / 5),
    )
    stop = _Deadline(deadline, give_up)
    result = pyvrp.solve(
        data,
        stop,
        seed=params.seed,
        collect_stats=params.log_search,
        display=params.log_search,
        params=solver_params,
    )
    best = result.best
    stats = {
        "iterations": float(result.num_iterations),
        "pyvrp_feasible": float(best.is_feasible()),
    }
    return model.orders(best), stats


@dataclass(slots=True)
class _Deadline:
    """Stop at a wall-clock deadline, or earlier when nothing feasible is found in time."""

    deadline: float
    give_up: float | None

    def __call__(self, best_cost: float) -> bool:
        now = monotonic()
        if self.give_up is not None and now >= self.give_up and best_cost >= 2**62:
            return True
        return now >= self.deadline


class _Progress(IteratedLocalSearchCallbacks):
    """Forward PyVRP's new best solutions to ``on_progress``."""

    def __init__(self, report: Callable[[Progress], None] | None, clock: float) -> None:
        self.report, self.clock, self.found = report, clock, 0

    def on_start(self, ils: pyvrp.IteratedLocalSearch) -> None:
        self.on_best(ils.initial_solution)

    def on_best(self, best: pyvrp.Solution) -> None:
        self.found += 1
        if self.report is not None and best.is_feasible():
            cost = best.distance_cost() + best.duration_cost() + best.fixed_vehicle_cost()
            cost += best.uncollected_prizes()
            self.report(Progress(monotonic() - self.clock, int(cost), self.found))


class _Translation:
    """The problem as PyVRP data, and the maps to read PyVRP's routes back."""

    def __init__(self, problem: Problem) -> None:
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
        servable = [i for i in problem.stops if servers[i]]
        self.client_nodes = [i for i in servable for _ in problem.nodes[i].windows]

    def data(self) -> pyvrp.ProblemData:
        """PyVRP problem data: locations are problem nodes, one client per window."""
        p = self.problem
        clients: list[pyvrp.Client] = []
        groups: list[pyvrp.ClientGroup] = []
        for i in dict.fromkeys(self.client_nodes):
            clients += self._clients(i, len(clients), groups)
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

    def _clients(self, i: int, first: int, groups: list[pyvrp.ClientGroup]) -> list[pyvrp.Client]:
        node = self.problem.nodes[i]
        mandatory = node.penalty is None
        alone = len(node.windows) == 1
        group = None if alone else len(groups)
        if not alone:
            groups.append(
                pyvrp.ClientGroup(list(range(first, first + len(node.windows))), mandatory)
            )
        return [
            pyvrp.Client(
                i,
                delivery=list(node.demand),
                service_duration=node.service,
                tw_early=a,
                tw_late=b,
                prize=node.penalty or 0,
                required=mandatory and alone,
                group=group,
            )
            for a, b in self._windows(i)
        ]

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

    def orders(self, solution: pyvrp.Solution) -> Orders:
        """Visit orders per problem vehicle, in PyVRP's route order."""
        spare = [list(vs) for vs in self.types]
        orders: Orders = {}
        for route in solution.routes():
            visits = [self.client_nodes[a.idx] for a in route.schedule() if a.is_client()]
            if visits:
                orders[spare[route.vehicle_type()].pop(0)] = visits
        return orders


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
