"""Small problem builders for the tests: stops on a line or a grid, Manhattan distances."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimizer import Node, Problem, Vehicle

OPEN = ((0, 10_000),)


def depot(window: tuple[int, int] = OPEN[0], service: int = 0) -> Node:
    """A depot node open during ``window``."""
    return Node((window,), service=service, is_depot=True)


def stop(
    windows: tuple[tuple[int, int], ...] = OPEN,
    *,
    demand: tuple[int, ...] = (1,),
    service: int = 0,
    penalty: int | None = None,
    age_classes: tuple[int, ...] = (),
) -> Node:
    """A stop with sensible defaults (mandatory, one unit of demand, always open)."""
    return Node(windows, service, demand, penalty, age_classes)


def vehicle(
    start: int = 0,
    end: int | None = None,
    *,
    capacity: tuple[int, ...] = (10,),
    shift: tuple[int, int] = OPEN[0],
    fixed_cost: int = 0,
    time_cost: int = 0,
    profile: int = 0,
    max_age: tuple[int | None, ...] = (),
) -> Vehicle:
    """A vehicle from ``start`` back to ``end`` (default: the same depot), capacity 10."""
    end = start if end is None else end
    return Vehicle(start, end, capacity, shift, fixed_cost, 1, time_cost, profile, max_age)


def problem(
    points: Sequence[int | tuple[int, int]],
    nodes: Sequence[Node],
    vehicles: Sequence[Vehicle],
    *,
    slowness: Sequence[int] = (1,),
    late_cost: int = 0,
    max_lateness: int = 0,
) -> Problem:
    """A problem on integer points; profile ``k`` takes ``slowness[k]`` per distance unit."""
    xy = np.array([(p, 0) if isinstance(p, int) else p for p in points], dtype=np.int64)
    distances = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    durations = tuple(distances * factor for factor in slowness)
    return Problem(tuple(nodes), tuple(vehicles), distances, durations, late_cost, max_lateness)


def clusters(
    centres: Sequence[tuple[int, int]],
    per_cluster: int,
    *,
    seed: int = 0,
    spread: int = 30,
    vehicles_per_depot: int = 4,
    capacity: int = 10,
) -> Problem:
    """A depot at each centre with stops scattered around it (mandatory, one unit each)."""
    rng = np.random.default_rng(seed)
    points: list[tuple[int, int]] = list(centres)
    for x, y in centres:
        offsets = rng.integers(-spread, spread + 1, size=(per_cluster, 2))
        points += [(x + int(dx), y + int(dy)) for dx, dy in offsets]
    nodes = [depot((0, 100_000)) for _ in centres]
    nodes += [stop(((0, 100_000),), service=5) for _ in range(per_cluster * len(centres))]
    fleet = [
        vehicle(d, capacity=(capacity,), shift=(0, 100_000), fixed_cost=100)
        for d in range(len(centres))
        for _ in range(vehicles_per_depot)
    ]
    return problem(points, nodes, fleet)
