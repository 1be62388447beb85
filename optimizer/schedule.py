"""The schedule of one route under the contract's rules, and the best time to start it.

Given a start, the earliest schedule is unique; the best start is found among the
breakpoints where a visit meets a window edge without waiting before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer import bounds
from optimizer.problem import Problem
from optimizer.solution import Visit


@dataclass(frozen=True, slots=True)
class Timing:
    """When a route starts, reaches, serves and leaves each visit and returns, and its
    time-dependent cost."""

    start: int
    schedule: tuple[Visit, ...]
    end: int
    cost: int

    @property
    def starts(self) -> tuple[int, ...]:
        """The start of service at each visit."""
        return tuple(visit.start for visit in self.schedule)


def forward(problem: Problem, v: int, visits: Sequence[int], start: int) -> Timing | int:
    """The earliest schedule from ``start``, or the position of the first broken visit.

    The position ``len(visits)`` means the vehicle returns too late.
    """
    vehicle = problem.vehicles[v]
    times = problem.durations[vehicle.profile]
    late_allowed = problem.max_lateness if problem.late_cost > 0 else 0
    here, ready, lateness = vehicle.start, start + problem.nodes[vehicle.start].service, 0
    schedule: list[Visit] = []
    for k, i in enumerate(visits):
        node = problem.nodes[i]
        arrival = ready + int(times[here, i])
        begin = _service_start(node.windows, arrival, late_allowed)
        limit = bounds.age_limit(problem, v, i)
        if begin is None or (limit is not None and begin - start > limit):
            return k
        late = max(0, begin - node.windows[-1][1])
        schedule.append(Visit(arrival, begin, begin + node.service, late))
        lateness += late
        here, ready = i, begin + node.service
    end = ready + int(times[here, vehicle.end])
    if end > bounds.vehicle_bounds(problem, v)[1]:
        return len(visits)
    cost = vehicle.time_cost * (end - start) + problem.late_cost * lateness
    return Timing(start, tuple(schedule), end, cost)


def best(problem: Problem, v: int, visits: Sequence[int]) -> Timing | int:
    """The cheapest schedule (then earliest return, latest start), or the first broken visit.

    The chosen schedule never waits before its first visit: starting later by that wait
    keeps every time after it and costs no more, so the latest start wins the tie.
    """
    earliest, latest = bounds.start_bounds(problem, v)
    found: list[Timing] = []
    furthest = -1
    for start in _candidate_starts(problem, v, visits):
        if earliest <= start <= latest:
            timing = forward(problem, v, visits, start)
            if isinstance(timing, Timing):
                found.append(timing)
            else:
                furthest = max(furthest, timing)
    if found:
        return min(found, key=lambda t: (t.cost, t.end, -t.start))
    return max(furthest, 0)


def _candidate_starts(problem: Problem, v: int, visits: Sequence[int]) -> set[int]:
    """Route starts at which some visit meets a window edge with no waiting before it."""
    vehicle = problem.vehicles[v]
    times = problem.durations[vehicle.profile]
    earliest, latest = bounds.vehicle_bounds(problem, v)
    late_allowed = problem.max_lateness if problem.late_cost > 0 else 0
    here, offset = vehicle.start, problem.nodes[vehicle.start].service
    candidates = {earliest}
    for i in visits:
        offset += int(times[here, i])
        windows = problem.nodes[i].windows
        for a, b in windows:
            candidates.update((a - offset, b - offset, b - offset + 1))
        candidates.add(windows[-1][1] + late_allowed - offset)
        here, offset = i, offset + problem.nodes[i].service
    candidates.add(latest - offset - int(times[here, vehicle.end]))
    return candidates


def _service_start(windows: Sequence[tuple[int, int]], arrival: int, late: int) -> int | None:
    for a, b in windows:
        if arrival <= b:
            return max(a, arrival)
    return arrival if arrival <= windows[-1][1] + late else None
