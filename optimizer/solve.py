"""The single entry point: solve a problem with the engine the parameters name."""

from __future__ import annotations

from optimizer import hybrid, ortools_engine, portfolio, pyvrp_engine
from optimizer.params import MAX_SEED, SolveParams
from optimizer.problem import Problem
from optimizer.solution import Solution


def solve(problem: Problem, params: SolveParams | None = None) -> Solution:
    """The best plan found for ``problem`` within ``params.time_limit_s``.

    ``engine="pyvrp"`` raises ``UnsupportedError`` (a ``ProblemError``) for
    lateness and keeps age limits only conservatively; ``"ortools"``, ``"hybrid"``
    and ``"portfolio"`` (both at once on two cores) handle everything exactly.
    A seed outside 0..``MAX_SEED`` raises ``ValueError``.
    """
    params = params or SolveParams()
    if not 0 <= params.seed <= MAX_SEED:
        raise ValueError(f"seed: {params.seed} is outside 0..{MAX_SEED}")
    if params.engine == "pyvrp":
        return pyvrp_engine.solve(problem, params)
    if params.engine == "hybrid":
        return hybrid.solve(problem, params)
    if params.engine == "portfolio":
        return portfolio.solve(problem, params)
    return ortools_engine.solve(problem, params)
