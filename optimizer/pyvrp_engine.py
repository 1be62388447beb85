"""The PyVRP search of the optimizer: solve, restarts, penalties, warm starts and progress.

PyVRP expresses all of the contract but lateness and the exact age limits. Several
windows become mutually exclusive copies of a stop in a client group. Ages are kept
conservatively by release times: an aged stop's windows are cut into slots, and a
copy served in a slot ending at ``b`` may only ride on a route that starts at
``b - limit`` or later (the smallest limit of the vehicles able to serve it), so
an age is at most the slot width short of its limit; OR-Tools polishes with the
exact rule. Matrices pass through unchanged, except that a depot's loading time
is added to its rows. Allowed lateness is free in the search, so those routes
need re-costing. The problem's translation to PyVRP data and back is in
:mod:`optimizer.pyvrp_model`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic

import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks, IteratedLocalSearchParams
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from optimizer import plan
from optimizer.params import SolveParams
from optimizer.problem import Problem, ProblemError
from optimizer.pyvrp_model import Orders, Translation
from optimizer.solution import Progress, Route, Solution

ENGINE = "pyvrp"
MAX_PENALTY = 100_000.0
"""PyVRP's default top penalty per unit of violation, for costs of about 1 per metre."""
STALL_SHARE = 0.2
"""A search whose best plan has not changed for this share of its time starts afresh with the
next seed; the best plan of all its runs is kept."""
SEEDS_PER_SEARCH = 1024
"""A search with seed ``s`` restarts with ``s + 1``, ``s + 2``, ... up to ``s + 1023`` at most,
so searches whose seeds are this far apart never run the same search."""
MIN_STALL_S = 5.0
"""Shortest stall that restarts: a search's first better plan can take seconds to come."""
START_PENALTY = 0.3
"""Penalty per unit of violation the search starts from, for costs of about 1 per metre
(PyVRP starts midway to the top; measured on Solomon and generated days)."""
AGED_START_PENALTY = 3.0
"""The same on aged problems. From 0.3, PyVRP found no plan of its own for about 5 s on
generated days, and some 5 s searches ended with stops left out. From 3.0 its 5 s plans
were 45% cheaper on average and its 15 s plans as cheap; the portfolio's plans were 3-4%
cheaper at 10 s and 16 s, and as cheap at 30 s (0.5% cheaper over 36 runs; 10.0: dearer)."""
AGED_HISTORY = 100
"""Late-acceptance history on aged problems (PyVRP's default is 300): their search has half
of the budget (about 22,000 iterations in 15 s on generated days), and a shorter memory
converges within it, more often to a plan with one van fewer."""
AGED_PERTURBATIONS = 10
"""Most clients one perturbation moves on aged problems (PyVRP's default is 25), for the same
reason."""


class UnsupportedError(ProblemError):
    """A rule of the problem that PyVRP cannot express."""


def unsupported(problem: Problem) -> list[str]:
    """What PyVRP cannot express (empty when it can, ages conservatively)."""
    reasons = []
    if problem.late_cost > 0 and problem.max_lateness > 0:
        reasons.append("lateness (late_cost, max_lateness)")
    if any(v.latest_start is not None for v in problem.vehicles):
        reasons.append("a latest route start (latest_start)")
    return reasons


def is_aged(problem: Problem) -> bool:
    """Whether an age limit binds some stop, so PyVRP keeps it only conservatively."""
    return any(problem.nodes[i].age_classes for i in problem.stops) and any(
        limit is not None for vehicle in problem.vehicles for limit in vehicle.max_age
    )


def solve(
    problem: Problem, params: SolveParams, *, initial: Sequence[Route] | None = None
) -> Solution:
    """Solve with PyVRP, from the ``initial`` routes when given; raises ``UnsupportedError``
    for lateness."""
    reasons = unsupported(problem)
    if reasons:
        raise UnsupportedError("PyVRP cannot express " + " and ".join(reasons))
    clock = monotonic()
    deadline = clock + params.time_limit_s
    orders, stats = search(
        problem, params, deadline=deadline, restart=not is_aged(problem), initial=initial
    )
    return plan.assemble(problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def search(
    problem: Problem,
    params: SolveParams,
    *,
    deadline: float,
    give_up: float | None = None,
    restart: bool = False,
    initial: Sequence[Route] | None = None,
) -> tuple[Orders, dict[str, float]]:
    """Each used vehicle's visit order; ages kept conservatively, allowed lateness free.

    Stops at ``deadline``, or at ``give_up`` if no feasible solution is found by then.
    With ``restart``, a search whose best plan stalls starts afresh with the next seed,
    keeping the best: that helped on Solomon, while on generated days with ages better
    plans come in bursts after long stalls. The first search starts from the ``initial``
    routes when given, even none (routes of vehicles that cannot drive are left out).
    """
    clock = monotonic()
    model = Translation(problem)
    if not model.client_nodes:
        return {}, {}
    data = model.data()
    progress = _Progress(params.on_progress, clock, model)
    scale = _cost_scale(problem)
    ils, perturbation = IteratedLocalSearchParams(callbacks=progress), PerturbationParams()
    start = START_PENALTY
    if is_aged(problem):
        ils.history_length = AGED_HISTORY
        perturbation = PerturbationParams(max_perturbations=AGED_PERTURBATIONS)
        start = AGED_START_PENALTY
    solver_params = pyvrp.SolveParams(
        ils=ils,
        perturbation=perturbation,
        penalty=_Penalties(
            min_penalty=0.1 * scale, max_penalty=MAX_PENALTY * scale, start=start * scale
        ),
        neighbourhood=NeighbourhoodParams(num_neighbours=model.neighbours()),
        display_interval=max(1.0, params.time_limit_s / 5),
    )
    stall_s = max(MIN_STALL_S, STALL_SHARE * (deadline - clock)) if restart else math.inf
    warm = None if initial is None else _settled(data, solver_params, model.solution(data, initial))
    results: list[pyvrp.Result] = []
    stop: _Deadline | None = None
    while stop is None or (stop.stalled and len(results) < SEEDS_PER_SEARCH):
        stop = _Deadline(deadline, give_up, stall_s, iterations=params.iterations)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            results.append(
                pyvrp.solve(
                    data,
                    stop,
                    seed=params.seed + len(results),
                    collect_stats=params.log_search,
                    display=params.log_search,
                    params=solver_params,
                    initial_solution=None if results else warm,
                )
            )
    best = min((result.best for result in results), key=model.rank)
    stats = {
        "iterations": float(sum(result.num_iterations for result in results)),
        "restarts": float(len(results) - 1),
        "pyvrp_feasible": float(best.is_feasible()),
    }
    return model.orders(best), stats


def _settled(
    data: pyvrp.ProblemData, params: pyvrp.SolveParams, routes: pyvrp.Solution
) -> pyvrp.Solution:
    """``routes`` after one local search over every client at the starting penalties.

    PyVRP's search revisits only the clients near its perturbations, so stops that a warm
    start leaves out (a removed route's) would mostly stay out; here they go in, as their
    prizes pay for the excess they cause, which the search then works off.
    """
    rng = pyvrp.RandomNumberGenerator(seed=0)
    neighbours = compute_neighbours(data, params.neighbourhood)
    search = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for operator in params.operators:
        if operator.supports(data):
            search.add_operator(operator(data))
    penalties = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    return search(routes, penalties.cost_evaluator(), exhaustive=True)


def _cost_scale(problem: Problem) -> float:
    """The largest cost of one metre plus one second: PyVRP's penalty bounds assume about 1."""
    return float(max((v.distance_cost + v.time_cost for v in problem.vehicles), default=1) or 1)


@dataclass
class _Penalties(PenaltyParams):
    """PyVRP's penalty parameters, starting at ``start`` rather than midway to the top.

    From the midpoint, penalties fall by a tenth every 500 iterations; on generated
    days that took about 50,000 iterations, the first 50 s, during which the search
    could barely cross infeasible plans to empty a route.
    """

    start: float = 1.0

    def midpoint_penalties(self, data: pyvrp.ProblemData) -> tuple[list[float], float, float]:
        return [self.start] * data.num_load_dimensions, self.start, self.start


@dataclass(slots=True)
class _Deadline:
    """Stop at a wall-clock deadline, earlier when nothing feasible is found in time, when
    the best plan has not changed for ``stall_s`` (then ``stalled`` is set), or after
    ``iterations`` iterations."""

    deadline: float
    give_up: float | None
    stall_s: float = math.inf
    stalled: bool = False
    last: tuple[float, float] = (math.inf, 0.0)
    iterations: int | None = None
    done: int = 0

    def __call__(self, best_cost: float) -> bool:
        if self.iterations is not None:
            self.done += 1
            if self.done > self.iterations:
                return True
        now = monotonic()
        feasible = best_cost < 2**62
        if best_cost != self.last[0] or not feasible:
            self.last = (best_cost, now)
        if self.give_up is not None and now >= self.give_up and not feasible:
            return True
        if now - self.last[1] >= self.stall_s and now < self.deadline:
            self.stalled = True
            return True
        return now >= self.deadline


class _Progress(IteratedLocalSearchCallbacks):
    """Forward PyVRP's new best solutions to ``on_progress``, costed as plans are.

    PyVRP's uncollected prizes count every copy of a stop left out, including the
    copies of visited stops, so the penalties come from the stops themselves.
    """

    def __init__(
        self, report: Callable[[Progress], None] | None, clock: float, model: Translation
    ) -> None:
        self.report, self.clock, self.model, self.found = report, clock, model, 0
        self.best = 2**63

    def on_start(self, ils: pyvrp.IteratedLocalSearch) -> None:
        self.on_best(ils.initial_solution)

    def on_best(self, best: pyvrp.Solution) -> None:
        self.found += 1
        if self.report is not None and best.is_feasible():
            cost = self.model.cost(best)
            if cost < self.best:
                self.best = cost
                self.report(Progress(monotonic() - self.clock, cost, self.found))
