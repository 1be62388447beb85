"""Large problems in parts: clusters of stops with a fair share of the vehicles, solved side by
side, then improved across their borders, and judged whole.

1. **Split.** Each stop goes to a start depot, the nearest one (there and back) that still
   has room: a depot's room is its vehicles' share of the day's work, a stop's work its
   service plus the travel to its nearest neighbours. Around each depot the stops are swept
   by angle into sectors of about ``cluster_stops`` stops and equal work (the sweep starts at
   the widest empty angle); each sector gets its share of every kind of vehicle of the
   depot. Angles need a plane: the nodes are placed in one by landmark multidimensional
   scaling of the distance matrix, so no coordinates are needed.
2. **Solve.** Every part is a problem of its own (its stops, its vehicles, their depots),
   solved on the executor side by side.
3. **Borders.** Neighbouring parts (stops whose nearest neighbours lie in the other part)
   are paired, each part in one pair per round, and each pair is solved again as one
   problem, warm from its current routes, so that stops cross the border where that pays
   and a part's spare vehicles serve its neighbour's stops. A pair's plan replaces the
   two parts' plans only when it ranks better. Rounds go on while time is left and some
   pair has not been tried since its parts last changed. Stops still left out get a last
   try with every unused vehicle.
4. **Whole.** The routes are scheduled and costed again on the whole problem.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from time import monotonic

import numpy as np
import numpy.typing as npt

from optimizer import bounds, plan
from optimizer.executor import Executor, cores, open_executor
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Progress, Route, Solution
from optimizer.solve import solve as solve_whole

ENGINE = "decomposed"
CLUSTER_STOPS = 400
"""Stops per part: PyVRP's search on a few hundred stops converges in a minute on one core."""
FIRST_SHARE = 0.5
"""Share of the time for the parts' first solves; the rest goes to their borders."""
RESERVE_S = 2.0
"""Time kept for scheduling and costing the whole plan at the end."""
MIN_TASK_S = 2.0
"""Shortest solve worth sending to a worker."""
NEIGHBOURS = 8
"""Nearest stops looked at to find which parts border each other."""
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


def solve(
    problem: Problem,
    params: SolveParams,
    *,
    cluster_stops: int | None = None,
    executor: Executor | None = None,
) -> Solution:
    """The problem solved in parts of about ``cluster_stops`` stops, side by side on
    ``executor`` (default: ``open_executor()``), within ``params.time_limit_s``.

    ``cluster_stops`` defaults to ``CLUSTER_STOPS``."""
    clock = monotonic()
    parts = split(problem, cluster_stops or CLUSTER_STOPS)
    if len(parts) <= 1:
        found = solve_whole(problem, params)
        return replace(found, engine=ENGINE, elapsed_s=monotonic() - clock)
    if executor is None:
        with open_executor(workers=min(len(parts), cores())) as opened:
            return _in_parts(problem, params, parts, opened, clock)
    return _in_parts(problem, params, parts, executor, clock)


def _in_parts(
    problem: Problem, params: SolveParams, parts: list[Part], executor: Executor, clock: float
) -> Solution:
    search = _Search(problem, params, parts, executor, clock)
    search.first_round()
    search.borders()
    search.spare()
    return search.whole()


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


def solve_part(problem: Problem, params: SolveParams, initial: Sequence[Route] | None) -> Solution:
    """One part's solve (the task sent to the executor)."""
    return solve_whole(problem, params, initial=initial)


@dataclass(frozen=True, slots=True)
class _Task:
    """A part or pair as a problem of its own, with the maps back to the whole problem."""

    problem: Problem
    params: SolveParams
    initial: list[Route] | None
    nodes: list[int]
    vehicles: tuple[int, ...]

    def current(self) -> Solution:
        """The routes it starts from, as its own solution."""
        orders = {r.vehicle: r.visits for r in self.initial or []}
        return plan.assemble(self.problem, orders, engine=ENGINE, elapsed_s=0.0)


class _Search:
    """The parts, each vehicle's current route, and the clock."""

    def __init__(
        self,
        problem: Problem,
        params: SolveParams,
        parts: list[Part],
        executor: Executor,
        clock: float,
    ) -> None:
        self.problem, self.params, self.executor, self.clock = problem, params, executor, clock
        self.parts = parts
        self.deadline = clock + params.time_limit_s - min(RESERVE_S, 0.05 * params.time_limit_s)
        engine = params.engine
        if engine == "portfolio" and executor.workers > 1:
            engine = "hybrid"
        self.task_params = replace(params, engine=engine, on_progress=None)
        self.routes: dict[int, Route] = {}
        self.version = [0] * len(parts)
        self.tried: set[tuple[int, int, int, int]] = set()
        self.stats: dict[str, float] = {"parts": float(len(parts))}
        self.part_s = MIN_TASK_S
        self.found = 0

    def left(self) -> float:
        return self.deadline - monotonic()

    def task(self, stops: Sequence[int], vehicles: Sequence[int], limit: float) -> _Task:
        """The problem of ``stops`` and ``vehicles``, warm from the vehicles' current routes."""
        sub, nodes = subproblem(self.problem, stops, vehicles)
        local = {node: k for k, node in enumerate(nodes)}
        slot = {v: k for k, v in enumerate(vehicles)}
        initial = [
            Route(slot[v], tuple(local[i] for i in r.visits), r.start, r.schedule, r.end)
            for v, r in self.routes.items()
            if v in slot
        ]
        params = replace(self.task_params, time_limit_s=limit)
        return _Task(sub, params, initial or None, nodes, tuple(vehicles))

    def run(self, tasks: Sequence[_Task]) -> list[Solution]:
        handles = [self.executor.submit(solve_part, t.problem, t.params, t.initial) for t in tasks]
        return [handle.result() for handle in handles]

    def adopt(self, task: _Task, solution: Solution) -> None:
        """The task's routes replace its vehicles' routes."""
        for v in task.vehicles:
            self.routes.pop(v, None)
        for r in solution.routes:
            v = task.vehicles[r.vehicle]
            visits = tuple(task.nodes[i] for i in r.visits)
            self.routes[v] = Route(v, visits, r.start, r.schedule, r.end)

    def first_round(self) -> None:
        """Every part solved once, from scratch, side by side in equal times."""
        busy = sorted(
            (k for k, p in enumerate(self.parts) if p.stops and p.vehicles),
            key=lambda k: -len(self.parts[k].stops),
        )
        waves = max(1, math.ceil(len(busy) / self.executor.workers))
        self.part_s = max(MIN_TASK_S, FIRST_SHARE * self.left() / waves)
        tasks = [self.task(self.parts[k].stops, self.parts[k].vehicles, self.part_s) for k in busy]
        for task, solution in zip(tasks, self.run(tasks), strict=True):
            self.adopt(task, solution)
        self.stats["first_cost"] = float(self.cost())
        self.report()

    def borders(self) -> None:
        """Rounds of neighbouring pairs re-solved together while time is left."""
        neighbours = _bordering(self.problem, self.parts)
        rounds = improved = tried = 0
        while self.left() > MIN_TASK_S:
            pairs = self.pairs(neighbours)
            if not pairs:
                break
            waves = math.ceil(len(pairs) / self.executor.workers)
            limit = min(self.part_s, self.left() / waves)
            if limit < MIN_TASK_S:
                pairs, limit = pairs[: self.executor.workers], self.left()
            tasks = []
            for a, b in pairs:
                self.tried.add((a, b, self.version[a], self.version[b]))
                stops = self.parts[a].stops + self.parts[b].stops
                tasks.append(
                    self.task(stops, self.parts[a].vehicles + self.parts[b].vehicles, limit)
                )
            before = self.cost()
            for (a, b), task, solution in zip(pairs, tasks, self.run(tasks), strict=True):
                tried += 1
                rank = plan.ranking(task.problem)
                if rank(solution) < rank(task.current()):
                    self.adopt(task, solution)
                    self.regroup(a, b)
                    improved += 1
            rounds += 1
            if self.cost() < before:
                self.report()
        self.stats |= {
            "border_rounds": float(rounds),
            "pairs_tried": float(tried),
            "pairs_improved": float(improved),
        }

    def regroup(self, a: int, b: int) -> None:
        """Stops of parts ``a`` and ``b`` follow the vehicles now serving them."""
        owner = dict.fromkeys(self.parts[a].vehicles, a) | dict.fromkeys(self.parts[b].vehicles, b)
        routed = {i: owner[v] for v, r in self.routes.items() if v in owner for i in r.visits}
        now: dict[int, list[int]] = {a: [], b: []}
        for part in (a, b):
            for i in self.parts[part].stops:
                now[routed.get(i, part)].append(i)
        for part in (a, b):
            self.parts[part] = Part(tuple(sorted(now[part])), self.parts[part].vehicles)
            self.version[part] += 1

    def pairs(self, neighbours: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """Neighbouring parts not tried since they last changed, each part once, closest first."""
        taken: set[int] = set()
        pairs = []
        for _, a, b in neighbours:
            if a in taken or b in taken:
                continue
            if (a, b, self.version[a], self.version[b]) in self.tried:
                continue
            pairs.append((a, b))
            taken |= {a, b}
        return pairs

    def spare(self) -> None:
        """Stops still left out, with every unused vehicle, if time is left."""
        routed = {i for r in self.routes.values() for i in r.visits}
        left_out = [i for i in self.problem.stops if i not in routed]
        unused = [v for part in self.parts for v in part.vehicles if v not in self.routes]
        if not left_out or not unused or self.left() < MIN_TASK_S / 2:
            return
        task = self.task(left_out, unused, self.left())
        (solution,) = self.run([task])
        self.adopt(task, solution)
        self.stats["spare_routes"] = float(len(solution.routes))

    def cost(self) -> int:
        routed = {i for r in self.routes.values() for i in r.visits}
        dropped = [i for i in self.problem.stops if i not in routed]
        return plan.cost(self.problem, list(self.routes.values()), dropped)

    def report(self) -> None:
        self.found += 1
        if self.params.on_progress is not None:
            self.params.on_progress(Progress(monotonic() - self.clock, self.cost(), self.found))

    def whole(self) -> Solution:
        """The routes scheduled and costed on the whole problem."""
        orders = {v: list(r.visits) for v, r in self.routes.items()}
        elapsed = monotonic() - self.clock
        return plan.assemble(
            self.problem, orders, engine=ENGINE, elapsed_s=elapsed, stats=self.stats
        )


def _bordering(problem: Problem, parts: Sequence[Part]) -> list[tuple[int, int, int]]:
    """Pairs of parts by how many of their stops have a near neighbour in the other,
    most first: ``(-links, a, b)`` with ``a < b``."""
    owner = np.full(problem.num_nodes, -1)
    for k, part in enumerate(parts):
        owner[list(part.stops)] = k
    stops = np.asarray(problem.stops)
    links: dict[tuple[int, int], int] = defaultdict(int)
    near = min(NEIGHBOURS, len(stops) - 1)
    if near <= 0:
        return []
    for first in range(0, len(stops), 512):
        rows = problem.distances[np.ix_(stops[first : first + 512], stops)].astype(np.float64)
        rows += problem.distances[np.ix_(stops, stops[first : first + 512])].T
        np.fill_diagonal(rows[:, first : first + 512], np.inf)
        nearest = np.argpartition(rows, near - 1, axis=1)[:, :near]
        here = owner[stops[first : first + 512]]
        there = owner[stops[nearest]]
        for a, row in zip(here.tolist(), there.tolist(), strict=True):
            for b in row:
                if a != b and a >= 0 and b >= 0:
                    links[(min(a, b), max(a, b))] += 1
    return sorted((-n, a, b) for (a, b), n in links.items())
