"""Turn visit orders into a Solution: schedule each route, repair what breaks, cost it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

from optimizer import schedule
from optimizer.problem import Problem
from optimizer.solution import Route, Solution


def assemble(
    problem: Problem,
    orders: Mapping[int, Sequence[int]],
    *,
    engine: str,
    elapsed_s: float,
    stats: Mapping[str, float] | None = None,
) -> Solution:
    """A solution from each vehicle's visit order; visits that cannot fit are dropped."""
    routes: list[Route] = []
    removed = 0
    for v, order in sorted(orders.items()):
        visits, timing = repair(problem, v, fit_capacity(problem, v, order))
        removed += len(order) - len(visits)
        if visits and timing is not None:
            routes.append(Route(v, tuple(visits), timing.start, timing.schedule, timing.end))
    routed = {i for route in routes for i in route.visits}
    dropped = tuple(i for i in problem.stops if i not in routed)
    return Solution(
        routes=tuple(routes),
        dropped=dropped,
        cost=cost(problem, routes, dropped),
        feasible=all(problem.nodes[i].penalty is not None for i in dropped),
        engine=engine,
        elapsed_s=elapsed_s,
        stats={**(stats or {}), "repaired": float(removed)},
    )


def nothing_routed(problem: Problem, engine: str, elapsed_s: float, *, failed: bool) -> Solution:
    """Every stop dropped; feasible only when none is mandatory and the search did not fail."""
    solution = assemble(problem, {}, engine=engine, elapsed_s=elapsed_s)
    return Solution(
        routes=(),
        dropped=solution.dropped,
        cost=solution.cost,
        feasible=solution.feasible and not failed,
        engine=engine,
        elapsed_s=elapsed_s,
    )


def missing(problem: Problem, solution: Solution) -> int:
    """How many mandatory stops the solution drops."""
    return sum(1 for i in solution.dropped if problem.nodes[i].penalty is None)


def ranking(problem: Problem) -> Callable[[Solution], tuple[int, int]]:
    """The key that orders solutions: fewer dropped mandatory stops first, then cheaper."""
    return lambda s: (missing(problem, s), s.cost)


def servers(problem: Problem, vehicles: Sequence[int]) -> dict[int, list[int]]:
    """For each stop, the vehicles that could serve it on a route of its own."""
    verdicts: dict[tuple[object, ...], bool] = {}
    result: dict[int, list[int]] = {}
    for i in problem.stops:
        result[i] = []
        for v in vehicles:
            key = (i, *_service_key(problem, v))
            if key not in verdicts:
                verdicts[key] = _can_serve(problem, v, i)
            if verdicts[key]:
                result[i].append(v)
    return result


def _can_serve(problem: Problem, v: int, i: int) -> bool:
    demand, capacity = problem.nodes[i].demand, problem.vehicles[v].capacity
    fits = all(d <= c for d, c in zip(demand, capacity, strict=True))
    return fits and isinstance(schedule.best(problem, v, [i]), schedule.Timing)


def _service_key(problem: Problem, v: int) -> tuple[object, ...]:
    vehicle = problem.vehicles[v]
    return (
        vehicle.start,
        vehicle.end,
        vehicle.capacity,
        vehicle.shift,
        vehicle.profile,
        vehicle.max_age,
        vehicle.latest_start,
    )


def repair(problem: Problem, v: int, visits: list[int]) -> tuple[list[int], schedule.Timing | None]:
    """Remove the first visit no start time can keep until the route fits; then its timing."""
    timing = schedule.best(problem, v, visits)
    while visits and not isinstance(timing, schedule.Timing):
        del visits[min(timing, len(visits) - 1)]
        timing = schedule.best(problem, v, visits)
    return visits, timing if isinstance(timing, schedule.Timing) else None


def fit_capacity(problem: Problem, v: int, visits: Sequence[int]) -> list[int]:
    """The visits without the largest demands that overload the vehicle."""
    kept = list(visits)
    for d, capacity in enumerate(problem.vehicles[v].capacity):
        while sum(problem.nodes[i].demand[d] for i in kept) > capacity:
            kept.remove(max(kept, key=lambda i: problem.nodes[i].demand[d]))
    return kept


def cost(problem: Problem, routes: Sequence[Route], dropped: Sequence[int]) -> int:
    """Fixed, distance, duration and lateness costs of the routes plus drop penalties."""
    total = sum(problem.nodes[i].penalty or 0 for i in dropped)
    for route in routes:
        vehicle = problem.vehicles[route.vehicle]
        path = (vehicle.start, *route.visits, vehicle.end)
        distance = sum(int(problem.distances[a, b]) for a, b in pairwise(path))
        lateness = sum(visit.late for visit in route.schedule)
        total += vehicle.fixed_cost + vehicle.distance_cost * distance
        total += vehicle.time_cost * (route.end - route.start) + problem.late_cost * lateness
    return total
