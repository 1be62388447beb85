"""PyVRP's search first, then OR-Tools from its routes to enforce every rule, in one budget.

When PyVRP expresses the whole problem and finds a feasible plan, that plan is final
(OR-Tools polishing did not improve PyVRP's routes in the measurements; stops no
vehicle can serve stay dropped); otherwise PyVRP gets ``PYVRP_SHARE`` of the time,
its routes are repaired, and OR-Tools gets the rest.
"""

from __future__ import annotations

from dataclasses import replace
from time import monotonic

from optimizer import ortools_engine, plan, pyvrp_engine
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Solution

ENGINE = "hybrid"
PYVRP_SHARE = 0.6


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan of PyVRP, repaired and improved by OR-Tools when needed."""
    clock = monotonic()
    budget = params.time_limit_s
    exact = not pyvrp_engine.unsupported(problem)
    orders, stats = pyvrp_engine.search(
        problem,
        params,
        deadline=clock + (budget if exact else PYVRP_SHARE * budget),
        give_up=clock + PYVRP_SHARE * budget,
    )
    draft = plan.assemble(
        problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats
    )
    if exact and stats.get("pyvrp_feasible"):
        return draft
    remaining = replace(params, time_limit_s=max(0.0, budget - (monotonic() - clock)))
    initial = {route.vehicle: route.visits for route in draft.routes}
    polished = ortools_engine.solve(problem, remaining, initial=initial)
    best = min((draft, polished), key=lambda s: (_missing(problem, s), s.cost))
    return replace(
        best,
        engine=ENGINE,
        elapsed_s=monotonic() - clock,
        stats={**polished.stats, **draft.stats, "ortools_cost": float(polished.cost)},
    )


def _missing(problem: Problem, solution: Solution) -> int:
    """How many mandatory stops the solution drops."""
    return sum(1 for i in solution.dropped if problem.nodes[i].penalty is None)
