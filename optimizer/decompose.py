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

from optimizer import partition, plan
from optimizer.executor import Executor, cores, open_executor
from optimizer.params import SolveParams
from optimizer.partition import Part, split, subproblem
from optimizer.problem import Problem
from optimizer.solution import Progress, Route, Solution
from optimizer.solve import solve as solve_whole

ENGINE = "decomposed"
CLUSTER_STOPS = partition.CLUSTER_STOPS
"""Stops per part (see :mod:`optimizer.partition`)."""
FIRST_SHARE = 0.5
"""Share of the time for the parts' first solves; the rest goes to their borders."""
RESERVE_S = 1.0
"""Time kept at the end besides ``WHOLE_TIMES`` the time the first round's plan took to
schedule and cost whole (measured once)."""
WHOLE_TIMES = 1.5
MIN_TASK_S = 2.0
"""Shortest solve worth sending to a worker."""
SHORTEST_S = 0.1
"""Shortest first solve of a part, when the time limit leaves less."""
NEIGHBOURS = 8
"""Nearest stops looked at to find which parts border each other."""


def solve(
    problem: Problem,
    params: SolveParams,
    *,
    cluster_stops: int | None = None,
    executor: Executor | None = None,
    initial: Sequence[Route] | None = None,
) -> Solution:
    """The problem solved in parts of about ``cluster_stops`` stops, side by side on
    ``executor`` (default: ``open_executor()``), within ``params.time_limit_s``.

    ``cluster_stops`` defaults to ``CLUSTER_STOPS``. ``initial`` routes (only their visits
    count) start each part warm: a part's vehicles start from their visits in that part."""
    clock = monotonic()
    parts = split(problem, cluster_stops or CLUSTER_STOPS)
    if len(parts) <= 1:
        found = solve_whole(problem, params, initial=initial)
        return replace(found, engine=ENGINE, elapsed_s=monotonic() - clock)
    if executor is None:
        with open_executor(workers=min(len(parts), cores())) as opened:
            return _in_parts(problem, params, parts, opened, clock, initial)
    return _in_parts(problem, params, parts, executor, clock, initial)


def _in_parts(
    problem: Problem,
    params: SolveParams,
    parts: list[Part],
    executor: Executor,
    clock: float,
    initial: Sequence[Route] | None,
) -> Solution:
    search = _Search(problem, params, parts, executor, clock)
    search.routes = {r.vehicle: r for r in initial or ()}
    search.start()
    search.first_round()
    search.borders()
    search.spare()
    return search.whole()


def solve_part(problem: Problem, params: SolveParams, initial: Sequence[Route] | None) -> Solution:
    """One part's solve (the task sent to the executor)."""
    return solve_whole(problem, params, initial=initial)


def ready() -> None:
    """Nothing: a worker that has run it has imported the solvers."""


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
        self.end = clock + params.time_limit_s
        self.reserve = min(RESERVE_S, 0.05 * params.time_limit_s)
        self.overrun = 0.0
        """The most a wave of tasks has taken beyond its limit (starting, building, sending)."""
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
        """Time left for solves: to the end, less the reserve and the overrun seen so far."""
        return self.end - self.reserve - self.overrun - monotonic()

    def start(self) -> None:
        """The workers started, so that the first round's time is all solving."""
        for handle in [self.executor.submit(ready) for _ in range(self.executor.workers)]:
            handle.result()
        self.stats["started_s"] = round(monotonic() - self.clock, 2)

    def task(self, stops: Sequence[int], vehicles: Sequence[int], limit: float) -> _Task:
        """The problem of ``stops`` and ``vehicles``, warm from the vehicles' current routes."""
        sub, nodes = subproblem(self.problem, stops, vehicles)
        local = {node: k for k, node in enumerate(nodes)}
        slot = {v: k for k, v in enumerate(vehicles)}
        initial = []
        for v, r in self.routes.items():
            if v not in slot:
                continue
            pairs = zip(r.visits, r.schedule, strict=True)
            kept = [(local[i], visit) for i, visit in pairs if i in local]
            if kept:
                visits, schedule = zip(*kept, strict=True)
                initial.append(Route(slot[v], visits, r.start, schedule, r.end))
        params = replace(self.task_params, time_limit_s=limit)
        return _Task(sub, params, initial or None, nodes, tuple(vehicles))

    def run(self, tasks: Sequence[_Task]) -> list[Solution]:
        """The tasks solved side by side; what they took beyond the waves' limits is kept."""
        began = monotonic()
        handles = [self.executor.submit(solve_part, t.problem, t.params, t.initial) for t in tasks]
        solutions = [handle.result() for handle in handles]
        if tasks:
            waves = math.ceil(len(tasks) / self.executor.workers)
            limit = max(t.params.time_limit_s for t in tasks)
            self.overrun = max(self.overrun, (monotonic() - began) / waves - limit)
        return solutions

    def adopt(self, task: _Task, solution: Solution) -> None:
        """The task's routes replace its vehicles' routes."""
        for v in task.vehicles:
            self.routes.pop(v, None)
        for r in solution.routes:
            v = task.vehicles[r.vehicle]
            visits = tuple(task.nodes[i] for i in r.visits)
            self.routes[v] = Route(v, visits, r.start, r.schedule, r.end)

    def first_round(self) -> None:
        """Every part solved once, side by side in equal times, warm from the initial routes'
        visits in it when given."""
        busy = sorted(
            (k for k, p in enumerate(self.parts) if p.stops and p.vehicles),
            key=lambda k: -len(self.parts[k].stops),
        )
        waves = max(1, math.ceil(len(busy) / self.executor.workers))
        self.part_s = FIRST_SHARE * self.left() / waves
        if self.part_s < MIN_TASK_S:
            self.part_s = max(SHORTEST_S, min(MIN_TASK_S, self.left() / waves))
        tasks = [self.task(self.parts[k].stops, self.parts[k].vehicles, self.part_s) for k in busy]
        self.routes = {}
        for task, solution in zip(tasks, self.run(tasks), strict=True):
            self.adopt(task, solution)
        began = monotonic()
        self.stats["first_cost"] = float(self.whole().cost)
        self.reserve += WHOLE_TIMES * (monotonic() - began)
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
            limit = min(self.part_s, (self.left() - (waves - 1) * self.overrun) / waves)
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
        stats = self.stats | {"reserve_s": self.reserve, "overrun_s": self.overrun}
        return plan.assemble(self.problem, orders, engine=ENGINE, elapsed_s=elapsed, stats=stats)


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
