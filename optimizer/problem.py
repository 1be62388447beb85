"""Plain, immutable problem data for a rich vehicle-routing problem with time windows.

Everything is an integer in the caller's units (the dispatch layer uses seconds,
metres and cost units of 1/COST_SCALE); the optimizer never converts units and
knows nothing about orders, carriers or geography.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]


class ProblemError(ValueError):
    """Problem data that cannot be solved as given (shapes, ranges, references)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A place in the matrices: a depot (no demand) or a stop to visit.

    ``windows`` are disjoint, sorted ``(earliest, latest)`` start-of-service
    intervals; ``service`` is the time spent at the node before leaving it
    (at a depot: the loading time before a route leaves). ``penalty`` is the
    cost of leaving a stop unvisited; ``None`` makes the visit mandatory.
    ``age_classes`` names the indices of ``Vehicle.max_age`` that bound the
    time from the vehicle's start to the start of service here (cold chain).
    """

    windows: tuple[tuple[int, int], ...]
    service: int = 0
    demand: tuple[int, ...] = ()
    penalty: int | None = None
    age_classes: tuple[int, ...] = ()
    is_depot: bool = False


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle: its depots, capacity per load dimension, shift and costs.

    ``profile`` selects the duration matrix (vehicles of different speed); a
    load dimension of capacity 0 forbids any stop with positive demand there.
    ``max_age[k]`` bounds, for stops in age class k, start-of-service minus the
    route's start time (``None``: unbounded). ``latest_start`` bounds the route's start
    (a vehicle already on its way starts when it is free, not later).
    """

    start: int
    end: int
    capacity: tuple[int, ...]
    shift: tuple[int, int]
    fixed_cost: int = 0
    distance_cost: int = 1
    time_cost: int = 0
    profile: int = 0
    max_age: tuple[int | None, ...] = ()
    latest_start: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A validated, immutable routing problem. Build variants with ``replace``."""

    nodes: tuple[Node, ...]
    vehicles: tuple[Vehicle, ...]
    distances: IntMatrix
    durations: tuple[IntMatrix, ...]
    late_cost: int = 0
    max_lateness: int = 0
    names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        errors = _problems(self)
        if errors:
            raise ProblemError("; ".join(errors))

    @property
    def num_nodes(self) -> int:
        return len(self.nodes)

    @property
    def num_dimensions(self) -> int:
        return len(self.vehicles[0].capacity) if self.vehicles else 0

    @property
    def stops(self) -> list[int]:
        """Indices of the nodes to visit (every non-depot node)."""
        return [i for i, n in enumerate(self.nodes) if not n.is_depot]

    def replace(self, **changes: object) -> Problem:
        """A copy with some fields changed, validated again."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _problems(p: Problem) -> list[str]:
    n = len(p.nodes)
    errors: list[str] = []
    if p.distances.shape != (n, n):
        errors.append(f"distances: shape {p.distances.shape}, expected {(n, n)}")
    if not p.durations:
        errors.append("durations: at least one profile is needed")
    for k, m in enumerate(p.durations):
        if m.shape != (n, n):
            errors.append(f"durations[{k}]: shape {m.shape}, expected {(n, n)}")
        elif (m < 0).any():
            errors.append(f"durations[{k}]: negative entries")
    if p.distances.shape == (n, n) and (p.distances < 0).any():
        errors.append("distances: negative entries")
    dims = {len(v.capacity) for v in p.vehicles}
    if len(dims) > 1:
        errors.append("vehicles: capacity vectors differ in length")
    ndim = dims.pop() if dims else 0
    for i, node in enumerate(p.nodes):
        if not node.windows:
            errors.append(f"nodes[{i}].windows: empty")
        prev = None
        for a, b in node.windows:
            if a > b:
                errors.append(f"nodes[{i}].windows: ({a}, {b}) ends before it starts")
            if prev is not None and a <= prev:
                errors.append(f"nodes[{i}].windows: not sorted and disjoint")
            prev = b
        if node.service < 0:
            errors.append(f"nodes[{i}].service: negative")
        if not node.is_depot and len(node.demand) != ndim:
            errors.append(f"nodes[{i}].demand: {len(node.demand)} values, expected {ndim}")
        if any(d < 0 for d in node.demand):
            errors.append(f"nodes[{i}].demand: negative")
    for v, veh in enumerate(p.vehicles):
        for end in ("start", "end"):
            idx = getattr(veh, end)
            if not 0 <= idx < n or not p.nodes[idx].is_depot:
                errors.append(f"vehicles[{v}].{end}: {idx} is not a depot node")
        if not 0 <= veh.profile < len(p.durations):
            errors.append(f"vehicles[{v}].profile: {veh.profile} has no duration matrix")
        if veh.shift[0] > veh.shift[1]:
            errors.append(f"vehicles[{v}].shift: ends before it starts")
        if veh.latest_start is not None and veh.latest_start < veh.shift[0]:
            errors.append(f"vehicles[{v}].latest_start: before its shift starts")
    return errors
