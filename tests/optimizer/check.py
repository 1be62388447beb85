"""An independent check of a solution against its problem, written apart from the engines."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from optimizer import Problem, Route, Solution


def violations(problem: Problem, solution: Solution) -> list[str]:
    """Every broken rule of the contract, as short messages (empty when the plan is valid)."""
    errors = _coverage(problem, solution)
    for route in solution.routes:
        errors += _route(problem, route)
    mandatory_dropped = [i for i in solution.dropped if problem.nodes[i].penalty is None]
    if solution.feasible and mandatory_dropped:
        errors.append(f"feasible, but mandatory stops {mandatory_dropped} are dropped")
    if solution.cost != cost(problem, solution):
        errors.append(f"cost {solution.cost}, recomputed {cost(problem, solution)}")
    return errors


def assert_valid(problem: Problem, solution: Solution) -> None:
    """Fail with every violation listed."""
    errors = violations(problem, solution)
    assert not errors, "\n".join(errors)


def cost(problem: Problem, solution: Solution) -> int:
    """The objective recomputed from the routes' visits, times and the dropped stops."""
    total = sum(problem.nodes[i].penalty or 0 for i in solution.dropped)
    for route in solution.routes:
        vehicle = problem.vehicles[route.vehicle]
        path = [vehicle.start, *route.visits, vehicle.end]
        distance = sum(int(problem.distances[a, b]) for a, b in pairwise(path))
        total += vehicle.fixed_cost + vehicle.distance_cost * distance
        total += vehicle.time_cost * (route.end - route.start)
        for i, start in zip(route.visits, route.starts, strict=True):
            total += problem.late_cost * max(0, start - problem.nodes[i].windows[-1][1])
    return total


def _coverage(problem: Problem, solution: Solution) -> list[str]:
    errors: list[str] = []
    seen = Counter(i for route in solution.routes for i in route.visits)
    seen.update(solution.dropped)
    for i in problem.stops:
        if seen[i] != 1:
            errors.append(f"stop {i} routed or dropped {seen[i]} times")
    errors += [f"node {i} is not a stop" for i in seen if problem.nodes[i].is_depot]
    used = Counter(route.vehicle for route in solution.routes)
    errors += [f"vehicle {v} has {n} routes" for v, n in used.items() if n > 1]
    return errors


def _route(problem: Problem, route: Route) -> list[str]:
    vehicle = problem.vehicles[route.vehicle]
    times = problem.durations[vehicle.profile]
    errors: list[str] = []
    earliest = max(vehicle.shift[0], problem.nodes[vehicle.start].windows[0][0])
    latest = min(vehicle.shift[1], problem.nodes[vehicle.end].windows[0][1])
    if route.start < earliest:
        errors.append(f"vehicle {route.vehicle} starts at {route.start} before {earliest}")
    if len(route.schedule) != len(route.visits):
        return [*errors, f"vehicle {route.vehicle}: {len(route.schedule)} times for the visits"]
    here, ready = vehicle.start, route.start + problem.nodes[vehicle.start].service
    for k, (i, visit) in enumerate(zip(route.visits, route.schedule, strict=True)):
        arrival, start = ready + int(times[here, i]), visit.start
        node = problem.nodes[i]
        if start < arrival:
            errors.append(f"stop {i} starts at {start}, before arrival {arrival}")
        if k == 0 and start > arrival:
            errors.append(f"vehicle {route.vehicle} waits {start - arrival} at its first stop")
        late = max(0, start - node.windows[-1][1])
        if (visit.arrival, visit.departure, visit.late) != (arrival, start + node.service, late):
            errors.append(
                f"stop {i} scheduled {visit}, expected arrival {arrival}, "
                f"departure {start + node.service}, late {late}"
            )
        if not _in_window(problem, i, start):
            errors.append(f"stop {i} starts at {start}, outside {node.windows}")
        for k in node.age_classes:
            limit = vehicle.max_age[k] if k < len(vehicle.max_age) else None
            if limit is not None and start - route.start > limit:
                errors.append(f"stop {i} aged {start - route.start} > {limit} (class {k})")
        here, ready = i, start + node.service
    back = ready + int(times[here, vehicle.end])
    if route.end < back or route.end > latest:
        errors.append(f"vehicle {route.vehicle} ends at {route.end}, back {back}, latest {latest}")
    for d, capacity in enumerate(vehicle.capacity):
        load = sum(problem.nodes[i].demand[d] for i in route.visits)
        if load > capacity:
            errors.append(f"vehicle {route.vehicle} carries {load} > {capacity} in dimension {d}")
    return errors


def _in_window(problem: Problem, i: int, start: int) -> bool:
    windows = problem.nodes[i].windows
    if any(a <= start <= b for a, b in windows):
        return True
    late = problem.max_lateness if problem.late_cost > 0 else 0
    return windows[-1][1] < start <= windows[-1][1] + late
