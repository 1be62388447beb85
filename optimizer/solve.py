"""The single entry point: solve a problem with the engine the parameters name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from optimizer import hybrid, ortools_engine, plan, portfolio, pyvrp_engine
from optimizer.params import MAX_SEED, SolveParams
from optimizer.problem import Problem
from optimizer.solution import Route, Solution


def solve(
    problem: Problem, params: SolveParams | None = None, *, initial: Sequence[Route] | None = None
) -> Solution:
    """The best plan found for ``problem`` within ``params.time_limit_s``.

    ``initial`` routes (of the problem's vehicles and stops; only their visits count: they
    are scheduled again, visits that break a rule left out) start the search warm, and the
    plan returned never ranks below them (fewer dropped mandatory stops, then cost).

    ``engine="pyvrp"`` raises ``UnsupportedError`` (a ``ProblemError``) for
    lateness and keeps age limits only conservatively; ``"ortools"``, ``"hybrid"``
    and ``"portfolio"`` (both at once on two cores) handle everything exactly.
    A seed outside 0..``MAX_SEED`` raises ``ValueError``.
    """
    params = params or SolveParams()
    if not 0 <= params.seed <= MAX_SEED:
        raise ValueError(f"seed: {params.seed} is outside 0..{MAX_SEED}")
    if not initial:
        return _engine(problem, params, None)
    orders = {r.vehicle: r.visits for r in initial}
    start = plan.assemble(problem, orders, engine=params.engine, elapsed_s=0.0)
    found = _engine(problem, params, start.routes)
    rank = plan.ranking(problem)
    return found if rank(found) <= rank(start) else replace(start, elapsed_s=found.elapsed_s)


def _engine(problem: Problem, params: SolveParams, initial: Sequence[Route] | None) -> Solution:
    if params.engine == "pyvrp":
        return pyvrp_engine.solve(problem, params, initial=initial)
    if params.engine == "hybrid":
        return hybrid.solve(problem, params, initial=initial)
    if params.engine == "portfolio":
        return portfolio.solve(problem, params, initial=initial)
    start = None if not initial else {r.vehicle: r.visits for r in initial}
    return ortools_engine.solve(problem, params, initial=start)
