"""PyVRP's search first, then OR-Tools from its routes to enforce every rule, in one budget.

When PyVRP expresses the whole problem and finds a feasible plan, that plan is final
(OR-Tools polishing did not improve PyVRP's routes in the measurements; stops no
vehicle can serve stay dropped). Otherwise (lateness, or age limits, which PyVRP
keeps only conservatively) PyVRP gets ``PYVRP_SHARE`` of the time, its routes are
repaired, and OR-Tools gets the rest; the share was measured on generated days.
"""

from __future__ import annotations

from dataclasses import replace
from time import monotonic

from optimizer import ortools_engine, plan, pyvrp_engine
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Solution

ENGINE = "hybrid"
PYVRP_SHARE = 0.5


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The best plan of PyVRP, repaired and improved by OR-Tools when needed."""
    clock = monotonic()
    budget = params.time_limit_s
    exact = not pyvrp_engine.unsupported(problem) and not pyvrp_engine.is_aged(problem)
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
    best = min((draft, polished), key=lambda s: (plan.missing(problem, s), s.cost))
    return replace(
        best,
        engine=ENGINE,
        elapsed_s=monotonic() - clock,
        stats={**polished.stats, **draft.stats, "ortools_cost": float(polished.cost)},
    )
