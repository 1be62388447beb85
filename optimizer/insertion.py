"""Cheapest feasible insertion: complete a set of routes with the stops they leave out.

A warm start that leaves stops out makes a local search spend its time putting them back;
completed here, the search starts from a whole solution and only improves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from time import monotonic

import numpy as np

from optimizer import bounds, plan, schedule
from optimizer.problem import Problem
from optimizer.solution import Route

CHECKED = 8
"""Places per vehicle, cheapest by distance and travel time first, scheduled exactly."""
FEASIBLE = 4
"""Feasible places compared at their exact cost (schedule, waits, lateness) per stop."""
EJECTION_CHECKS = 2000
EJECTION_CHECKS_EACH = 400
"""Schedules tried, in all and per stop, to make room for stops that fit nowhere by moving
another stop to another route."""


def completed(
    problem: Problem, routes: Sequence[Route], *, within_s: float | None = None
) -> list[Route]:
    """``routes`` scheduled (visits that break a rule left out, as ``solve`` does with a warm
    start) and completed by :func:`complete`: a whole solution to start a search from."""
    repaired = plan.assemble(problem, {r.vehicle: r.visits for r in routes}, engine="", elapsed_s=0)
    given = {r.vehicle: r.visits for r in repaired.routes}
    filled = complete(problem, given, within_s=within_s)
    return list(plan.assemble(problem, filled, engine="", elapsed_s=0).routes)


def complete(
    problem: Problem,
    routes: Mapping[int, Sequence[int]],
    *,
    fixed: Sequence[int] = (),
    within_s: float | None = None,
) -> dict[int, list[int]]:
    """``routes`` (vehicle → visits) with every other stop inserted where it adds least cost.

    A stop goes where the route still fits the vehicle's capacity, windows, shift and age
    limits; one that fits nowhere, or whose cheapest place costs more than its penalty,
    stays out. Vehicles in ``fixed`` take no stop. Larger demands go first; the stops not
    reached ``within_s`` seconds stay out.
    """
    deadline = None if within_s is None else monotonic() + within_s
    usable = [v for v in range(len(problem.vehicles)) if bounds.is_usable(problem, v)]
    out = {v: list(routes.get(v, ())) for v in usable if v not in set(fixed)}
    placed = {i for visits in routes.values() for i in visits}
    missing = [i for i in problem.stops if i not in placed]
    missing.sort(key=lambda i: (-sum(problem.nodes[i].demand), i))
    costs = {v: _route_cost(problem, v, visits) for v, visits in out.items()}
    loads = {v: _load(problem, visits) for v, visits in out.items()}
    left = []
    for i in missing:
        if deadline is not None and monotonic() >= deadline:
            return {v: visits for v, visits in out.items() if visits}
        best = _best_place(problem, i, out, costs, loads)
        if best is None:
            left.append(i)
            continue
        extra, v, position, cost = best
        penalty = problem.nodes[i].penalty
        if penalty is not None and extra > penalty:
            continue
        _put(problem, i, v, position, cost, out, costs, loads)
    budget = EJECTION_CHECKS if len(out) > 1 else 0
    for i in left:
        if budget <= 0 or (deadline is not None and monotonic() >= deadline):
            break
        budget -= EJECTION_CHECKS_EACH
        budget += _eject_one(problem, i, out, costs, loads, EJECTION_CHECKS_EACH)
    return {v: visits for v, visits in out.items() if visits}


def _put(
    problem: Problem,
    i: int,
    v: int,
    position: int,
    cost: int,
    routes: dict[int, list[int]],
    costs: dict[int, int | None],
    loads: dict[int, np.ndarray],
) -> None:
    routes[v].insert(position, i)
    costs[v] = cost
    loads[v] = loads[v] + np.array(problem.nodes[i].demand, dtype=np.int64)


def _eject_one(
    problem: Problem,
    i: int,
    routes: dict[int, list[int]],
    costs: dict[int, int | None],
    loads: dict[int, np.ndarray],
    budget: int,
) -> int:
    """Insert ``i`` in place of a stop ``j`` that moves to another route, when ``i`` fits
    nowhere as the routes are: the first such move found within ``budget`` schedules, if
    it costs less than leaving ``i`` out. Returns the budget left."""
    demand = np.array(problem.nodes[i].demand, dtype=np.int64)
    for v, visits in routes.items():
        if costs[v] is None or not visits:
            continue
        for k, j in enumerate(visits):
            if budget <= 0:
                return budget
            without = visits[:k] + visits[k + 1 :]
            capacity = np.array(problem.vehicles[v].capacity)
            load = loads[v] - np.array(problem.nodes[j].demand, dtype=np.int64)
            if np.any(load + demand > capacity):
                continue
            base = _route_cost(problem, v, without)
            budget -= 1
            if base is None:
                continue
            alone = {v: without}
            here = _best_place(problem, i, alone, {v: base}, {v: load}, checked=2)
            budget -= 2
            if here is None:
                continue
            others = {w: r for w, r in routes.items() if w != v}
            there = _best_place(
                problem, j, others, {w: costs[w] for w in others}, {w: loads[w] for w in others}
            )
            budget -= FEASIBLE * 2
            if there is None:
                continue
            extra = here[0] + there[0] + base - (costs[v] or 0)
            penalty = problem.nodes[i].penalty
            if penalty is not None and extra > penalty:
                continue
            routes[v] = without
            costs[v], loads[v] = base, load
            _put(problem, i, v, here[2], here[3], routes, costs, loads)
            _put(problem, j, there[1], there[2], there[3], routes, costs, loads)
            return budget
    return budget


def _best_place(
    problem: Problem,
    i: int,
    routes: Mapping[int, list[int]],
    costs: Mapping[int, int | None],
    loads: Mapping[int, np.ndarray],
    *,
    checked: int = CHECKED,
) -> tuple[int, int, int, int] | None:
    """(added cost, vehicle, position, new route cost) of the cheapest feasible place."""
    demand = np.array(problem.nodes[i].demand, dtype=np.int64)
    candidates: list[tuple[int, int, int]] = []
    for v, visits in routes.items():
        vehicle = problem.vehicles[v]
        if costs[v] is None or np.any(loads[v] + demand > np.array(vehicle.capacity)):
            continue
        path = np.array([vehicle.start, *visits, vehicle.end])
        a, b = path[:-1], path[1:]
        d, t = problem.distances, problem.durations[vehicle.profile]
        extra_d = d[a, i] + d[i, b] - d[a, b]
        extra_t = t[a, i] + problem.nodes[i].service + t[i, b] - t[a, b]
        rough = vehicle.distance_cost * extra_d + vehicle.time_cost * extra_t
        if not visits:
            rough = rough + vehicle.fixed_cost
        cheapest = np.argsort(rough, kind="stable")[:checked]
        candidates += [(int(rough[p]), v, int(p)) for p in cheapest]
    candidates.sort()
    found: list[tuple[int, int, int, int]] = []
    for _, v, p in candidates:
        visits = [*routes[v][:p], i, *routes[v][p:]]
        cost = _route_cost(problem, v, visits)
        if cost is not None:
            before = costs[v] or 0
            found.append((cost - before, v, p, cost))
            if len(found) >= FEASIBLE:
                break
    return min(found, default=None)


def _route_cost(problem: Problem, v: int, visits: Sequence[int]) -> int | None:
    """Fixed, distance, duration and lateness cost of a route, None when it breaks a rule
    (an empty route costs nothing)."""
    if not visits:
        return 0
    timing = schedule.best(problem, v, visits)
    if not isinstance(timing, schedule.Timing):
        return None
    vehicle = problem.vehicles[v]
    path = (vehicle.start, *visits, vehicle.end)
    distance = sum(int(problem.distances[a, b]) for a, b in pairwise(path))
    return vehicle.fixed_cost + vehicle.distance_cost * distance + timing.cost


def _load(problem: Problem, visits: Sequence[int]) -> np.ndarray:
    total = np.zeros(problem.num_dimensions, dtype=np.int64)
    for i in visits:
        total += np.array(problem.nodes[i].demand, dtype=np.int64)
    return total
