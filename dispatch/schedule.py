"""Times along a route (arrival, start of service, departure) from a start time and visit order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer import Problem


@dataclass(frozen=True, slots=True)
class Timing:
    """Integer times in the problem's unit for one visit."""

    arrival: int
    start: int
    departure: int
    late: int


def route_timings(
    problem: Problem, vehicle: int, start: int, visits: Sequence[int]
) -> tuple[list[Timing], int]:
    """Earliest service times for ``visits`` leaving the depot at ``start`` + loading.

    Returns the timings and the time back at the end depot. Waiting is taken
    where a window has not opened; a visit after the last window is late.
    """
    veh = problem.vehicles[vehicle]
    durations = problem.durations[veh.profile]
    here = veh.start
    clock = start + problem.nodes[here].service
    timings = []
    for node in visits:
        arrival = clock + int(durations[here, node])
        begin, late = _service_start(problem.nodes[node].windows, arrival)
        departure = begin + problem.nodes[node].service
        timings.append(Timing(arrival, begin, departure, late))
        clock, here = departure, node
    return timings, clock + int(durations[here, veh.end])


def _service_start(windows: Sequence[tuple[int, int]], arrival: int) -> tuple[int, int]:
    for a, b in windows:
        if arrival <= b:
            return max(arrival, a), 0
    return arrival, arrival - windows[-1][1]


def latest_start(problem: Problem, vehicle: int, start: int, visits: Sequence[int]) -> int:
    """The latest start that keeps every service time of the earliest schedule from ``start``.

    Waiting before the first stop moves to the depot, so the route starts no earlier than it
    must and cold goods spend less time on board.
    """
    if not visits:
        return start
    first = route_timings(problem, vehicle, start, visits[:1])[0][0]
    return start + max(0, first.start - first.arrival)
