"""Derived limits shared by the engines: time horizon, vehicle time bounds, age limits."""

from __future__ import annotations

from optimizer.problem import Problem

_INT_SAFE = 2**62


def horizon(problem: Problem) -> int:
    """A time no schedule of ``problem`` can exceed."""
    ends = [node.windows[-1][1] for node in problem.nodes]
    ends += [vehicle.shift[1] for vehicle in problem.vehicles]
    return max(ends, default=0) + problem.max_lateness


def vehicle_bounds(problem: Problem, v: int) -> tuple[int, int]:
    """Earliest route start and latest return of vehicle ``v`` (shift and depot windows)."""
    vehicle = problem.vehicles[v]
    earliest = max(vehicle.shift[0], problem.nodes[vehicle.start].windows[0][0])
    latest = min(vehicle.shift[1], problem.nodes[vehicle.end].windows[0][1])
    return earliest, latest


def start_bounds(problem: Problem, v: int) -> tuple[int, int]:
    """Earliest and latest route start of vehicle ``v``."""
    earliest, latest = vehicle_bounds(problem, v)
    last = problem.vehicles[v].latest_start
    return earliest, latest if last is None else min(latest, last)


def is_usable(problem: Problem, v: int) -> bool:
    """Whether vehicle ``v`` can drive from its start to its end depot within its bounds."""
    vehicle = problem.vehicles[v]
    earliest, latest = vehicle_bounds(problem, v)
    empty = problem.nodes[vehicle.start].service
    empty += int(problem.durations[vehicle.profile][vehicle.start, vehicle.end])
    return earliest + empty <= latest


def age_limit(problem: Problem, v: int, i: int) -> int | None:
    """The tightest age bound vehicle ``v`` puts on stop ``i`` (``None``: unbounded)."""
    max_age = problem.vehicles[v].max_age
    limits = [
        limit
        for k in problem.nodes[i].age_classes
        if k < len(max_age) and (limit := max_age[k]) is not None
    ]
    return min(limits, default=None)


def mandatory_penalty(problem: Problem) -> int:
    """A drop penalty for mandatory stops above the cost of any plan serving them."""
    span = horizon(problem)
    longest = int(problem.distances.max(initial=0)) * (len(problem.nodes) + 1)
    routes = sum(
        v.fixed_cost + v.distance_cost * longest + v.time_cost * span for v in problem.vehicles
    )
    optional = sum(node.penalty or 0 for node in problem.nodes if not node.is_depot)
    late = problem.late_cost * problem.max_lateness * len(problem.nodes)
    bound = routes + optional + late + 1
    return min(bound, _INT_SAFE // (len(problem.nodes) + 1))
