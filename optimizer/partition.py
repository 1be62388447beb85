"""Parts of a large problem: stops by start depot, then by sector around it, each with its
share of the depot's vehicles, and the smaller problem a part makes.

See :mod:`optimizer.decompose` for how the parts are solved and joined.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from optimizer import bounds
from optimizer.problem import Problem

CLUSTER_STOPS = 400
"""Stops per part: PyVRP's search on a few hundred stops converges in a minute on one core."""
LANDMARKS = 40
"""Nodes whose distances place every node in the plane (landmark scaling)."""
ROOM = 1.25
"""A depot takes stops up to this multiple of its vehicles' share of the work."""

Coordinates = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Part:
    """Some stops of the problem and the vehicles that serve them (problem indices)."""

    stops: tuple[int, ...]
    vehicles: tuple[int, ...]


def split(problem: Problem, cluster_stops: int = CLUSTER_STOPS) -> list[Part]:
    """The parts of ``problem``: stops by depot, then by sector around it (see the module)."""
    usable = [v for v in range(len(problem.vehicles)) if bounds.is_usable(problem, v)]
    stops = problem.stops
    if not usable or not stops:
        return [Part(tuple(stops), tuple(usable))]
    xy = embed(problem.distances)
    work = _work(problem, stops)
    by_depot: dict[int, list[int]] = defaultdict(list)
    for v in usable:
        by_depot[problem.vehicles[v].start].append(v)
    home = _depot_of(problem, stops, work, by_depot)
    parts: list[Part] = []
    for depot, fleet in sorted(by_depot.items()):
        mine = [k for k, d in enumerate(home) if d == depot]
        if not mine:
            parts.append(Part((), tuple(fleet)))
            continue
        count = max(1, min(len(fleet), round(len(mine) / cluster_stops)))
        sectors = _sweep(xy, depot, [stops[k] for k in mine], work[mine], count)
        shares = _share_vehicles(problem, fleet, [float(work[mine][s].sum()) for s in sectors])
        parts += [
            Part(tuple(stops[mine[k]] for k in sector), tuple(vehicles))
            for sector, vehicles in zip(sectors, shares, strict=True)
        ]
    return [p for p in parts if p.stops or p.vehicles]


def embed(distances: npt.NDArray[np.integer], landmarks: int = LANDMARKS) -> Coordinates:
    """Points in the plane whose distances approximate ``distances`` (landmark MDS)."""
    n = distances.shape[0]
    chosen = [0]
    nearest = _symmetric_column(distances, 0)
    for _ in range(min(landmarks, n) - 1):
        far = int(np.argmax(nearest))
        if nearest[far] <= 0:
            break
        chosen.append(far)
        nearest = np.minimum(nearest, _symmetric_column(distances, far))
    to_marks = np.stack([_symmetric_column(distances, k) for k in chosen], axis=1) ** 2
    squared = to_marks[chosen]
    centred = -0.5 * _double_centre(squared)
    values, vectors = np.linalg.eigh(centred)
    order = np.argsort(values)[::-1][:2]
    values, vectors = values[order], vectors[:, order]
    scale = np.where(values > 1e-9, 1.0 / np.sqrt(np.maximum(values, 1e-9)), 0.0)
    pseudo = vectors * scale
    xy = -0.5 * (to_marks - squared.mean(axis=0)) @ pseudo
    if xy.shape[1] < 2:
        xy = np.column_stack([xy, np.zeros((n, 2 - xy.shape[1]))])
    return np.asarray(xy, dtype=np.float64)


def _symmetric_column(distances: npt.NDArray[np.integer], k: int) -> npt.NDArray[np.float64]:
    return (distances[k, :].astype(np.float64) + distances[:, k]) / 2


def _double_centre(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return matrix - matrix.mean(axis=0) - matrix.mean(axis=1)[:, None] + matrix.mean()


def _work(problem: Problem, stops: Sequence[int], near: int = 3) -> npt.NDArray[np.float64]:
    """Each stop's service plus the mean travel time to its ``near`` nearest stops."""
    times = problem.durations[0]
    idx = np.asarray(stops)
    service = np.array([problem.nodes[i].service for i in stops], dtype=np.float64)
    travel = np.empty(len(stops))
    k = min(near, len(stops) - 1)
    for first in range(0, len(stops), 512):
        rows = times[np.ix_(idx[first : first + 512], idx)].astype(np.float64)
        np.fill_diagonal(rows[:, first : first + 512], np.inf)
        travel[first : first + 512] = (
            np.partition(rows, k - 1, axis=1)[:, :k].mean(axis=1) if k > 0 else 0
        )
    return service + travel


def _depot_of(
    problem: Problem,
    stops: Sequence[int],
    work: npt.NDArray[np.float64],
    by_depot: dict[int, list[int]],
) -> list[int]:
    """Each stop's start depot: the nearest (there and back) that can carry it and has room,
    stops with most to lose from a farther depot first."""
    depots = sorted(by_depot)
    if len(depots) == 1:
        return [depots[0]] * len(stops)
    idx = np.asarray(stops)
    trip = np.stack(
        [
            problem.durations[0][d, idx].astype(np.float64) + problem.durations[0][idx, d]
            for d in depots
        ],
        axis=1,
    )
    carries = np.stack([_carries(problem, by_depot[d], stops) for d in depots], axis=1)
    trip[~carries] = np.inf
    hours = np.array(
        [sum(_hours(problem, v) for v in by_depot[d]) for d in depots], dtype=np.float64
    )
    room = ROOM * work.sum() * hours / hours.sum()
    ranked = np.sort(trip, axis=1)
    regret = ranked[:, 1] - ranked[:, 0] if len(depots) > 1 else ranked[:, 0]
    regret = np.where(np.isfinite(regret), regret, np.inf)
    home = [depots[0]] * len(stops)
    for k in np.argsort(-regret, kind="stable").tolist():
        choices = np.argsort(trip[k], kind="stable")
        pick = next(
            (int(c) for c in choices if room[c] >= work[k] and np.isfinite(trip[k, c])), None
        )
        if pick is None:
            pick = int(choices[0])
        room[pick] -= work[k]
        home[k] = depots[pick]
    return home


def _carries(problem: Problem, fleet: Sequence[int], stops: Sequence[int]) -> npt.NDArray[np.bool_]:
    """Whether some vehicle of ``fleet`` has room for each stop's demand, dimension by dimension."""
    if not problem.num_dimensions:
        return np.ones(len(stops), dtype=bool)
    demand = np.array([problem.nodes[i].demand for i in stops], dtype=np.int64)
    capacity = np.array([problem.vehicles[v].capacity for v in fleet], dtype=np.int64)
    fits = np.all(demand[:, None, :] <= capacity[None, :, :], axis=2)
    return np.asarray(np.any(fits, axis=1))


def _hours(problem: Problem, v: int) -> int:
    earliest, latest = bounds.vehicle_bounds(problem, v)
    return max(0, latest - earliest)


def _sweep(
    xy: Coordinates,
    depot: int,
    stops: Sequence[int],
    work: npt.NDArray[np.float64],
    count: int,
) -> list[list[int]]:
    """Positions in ``stops`` cut into ``count`` sectors of equal work by angle around the
    depot, the first sector starting after the widest empty angle."""
    if count <= 1:
        return [list(range(len(stops)))]
    offset = xy[np.asarray(stops)] - xy[depot]
    angle = np.arctan2(offset[:, 1], offset[:, 0])
    order = np.argsort(angle, kind="stable")
    sorted_angle = angle[order]
    gaps = np.diff(np.concatenate([sorted_angle, [sorted_angle[0] + 2 * math.pi]]))
    start = (int(np.argmax(gaps)) + 1) % len(order)
    order = np.roll(order, -start)
    weights = work[order] if work.sum() > 0 else np.ones(len(order))
    middle = np.cumsum(weights) - weights / 2
    sector = np.minimum(count - 1, np.floor(middle * count / weights.sum())).astype(int)
    return [order[sector == k].tolist() for k in range(count) if (sector == k).any()]


def _share_vehicles(
    problem: Problem, fleet: Sequence[int], weights: Sequence[float]
) -> list[list[int]]:
    """The depot's vehicles dealt to sectors in proportion to their work, kind by kind
    (largest remainders), every sector with at least one vehicle while there are enough."""
    kinds: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for v in fleet:
        vehicle = problem.vehicles[v]
        kinds[(vehicle.capacity, vehicle.shift, vehicle.max_age, vehicle.profile)].append(v)
    total = sum(weights) or 1.0
    shares: list[list[int]] = [[] for _ in weights]
    carry = [0.0] * len(weights)
    for vehicles in kinds.values():
        exact = [len(vehicles) * w / total + c for w, c in zip(weights, carry, strict=True)]
        counts = [math.floor(x) for x in exact]
        left = len(vehicles) - sum(counts)
        for k in sorted(range(len(exact)), key=lambda k: counts[k] - exact[k])[:left]:
            counts[k] += 1
        carry = [x - c for x, c in zip(exact, counts, strict=True)]
        given = 0
        for k, c in enumerate(counts):
            shares[k] += vehicles[given : given + c]
            given += c
    for share in shares:
        if not share:
            donor = max(range(len(shares)), key=lambda j: len(shares[j]))
            if len(shares[donor]) > 1:
                share.append(shares[donor].pop())
    return shares


def subproblem(
    problem: Problem, stops: Sequence[int], vehicles: Sequence[int]
) -> tuple[Problem, list[int]]:
    """The problem of serving ``stops`` with ``vehicles`` alone, and its nodes' indices in
    ``problem`` (its depots first)."""
    fleet = [problem.vehicles[v] for v in vehicles]
    depots = sorted({d for vehicle in fleet for d in (vehicle.start, vehicle.end)})
    if not depots:
        depots = [next(i for i, n in enumerate(problem.nodes) if n.is_depot)]
    nodes = depots + list(stops)
    where = {node: k for k, node in enumerate(nodes)}
    idx = np.asarray(nodes)
    grid = np.ix_(idx, idx)
    sub = Problem(
        nodes=tuple(problem.nodes[i] for i in nodes),
        vehicles=tuple(replace(v, start=where[v.start], end=where[v.end]) for v in fleet),
        distances=np.ascontiguousarray(problem.distances[grid], dtype=np.int64),
        durations=tuple(np.ascontiguousarray(m[grid], dtype=np.int64) for m in problem.durations),
        late_cost=problem.late_cost,
        max_lateness=problem.max_lateness,
        names=tuple(problem.names[i] for i in nodes) if problem.names else (),
    )
    return sub, nodes
