"""The problem as PyVRP data: clients per window or age slot, vehicle types, matrices with
the depots' loading times; and PyVRP's routes read back as the problem's vehicles and stops.

Several windows become mutually exclusive copies of a stop in a client group. An aged stop's
windows are cut into slots, and a copy served in a slot ending at ``b`` may only ride on a
route that starts at ``b - limit`` or later (the smallest limit of the vehicles able to
serve it). Matrices pass through unchanged, except that a depot's loading time is added to
its rows.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyvrp

from optimizer import bounds, plan
from optimizer.problem import IntMatrix, Problem
from optimizer.solution import Route

NEIGHBOURS = 20
"""Granular neighbourhood size: measured best for short Solomon runs (PyVRP's default is 50)."""


AGE_SLOTS = 8
"""Slots per age limit: an aged stop served in a slot ending at ``b`` needs a route start
from ``b - limit``, so an age may lose up to ``limit / AGE_SLOTS`` to the slot width."""


MAX_SLOTS = 32
"""At most this many slots per window: long windows get wider, more conservative slots."""


Orders = dict[int, list[int]]


class Translation:
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
    at most ``step``; a window of one minute after ``free`` is a slot of its own."""
    a, b = window
    if b <= free:
        return [window]
    head = [(a, free)] if a < free else []
    start = max(a, free)
    slots = [(t, min(t + step, b)) for t in range(start, b, step)]
    return head + (slots or [(start, b)])


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
