"""PyVRP's search first, then OR-Tools from its routes to enforce every rule, in one budget.

When PyVRP expresses the whole problem and finds a feasible plan, that plan is final
(OR-Tools polishing did not improve PyVRP's routes in the measurements; stops no
vehicle can serve stay dropped). Otherwise (lateness, or age limits, which PyVRP
keeps only conservatively) PyVRP gets ``PYVRP_SHARE`` of the time, its routes are
repaired, and OR-Tools gets the rest, whose last ``ELIMINATION_SHARE`` of the whole
tries the plan with one route fewer; the shares were measured on generated days.
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
ELIMINATION_SHARE = 0.3
"""Of the time, the last share tries the plan with one route fewer (measured on generated days)."""


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
    polish_until = clock + (1 - ELIMINATION_SHARE) * budget
    remaining = replace(params, time_limit_s=max(0.0, polish_until - monotonic()))
    initial = {route.vehicle: route.visits for route in draft.routes}
    polished = ortools_engine.solve(problem, remaining, initial=initial)
    best = min((draft, polished), key=plan.ranking(problem))
    fewer = _one_route_fewer(
        problem, best, replace(params, time_limit_s=clock + budget - monotonic())
    )
    best = min((best, fewer), key=plan.ranking(problem))
    return replace(
        best,
        engine=ENGINE,
        elapsed_s=monotonic() - clock,
        stats={
            **polished.stats,
            **draft.stats,
            "ortools_cost": float(polished.cost),
            "fewer_routes_cost": float(fewer.cost),
        },
    )


def _one_route_fewer(problem: Problem, best: Solution, params: SolveParams) -> Solution:
    """OR-Tools from ``best`` without its shortest route, the vehicles limited to the others.

    A search with time to spare finds plans with one vehicle fewer; this tries that jump
    directly, and the caller keeps it only if nothing more is dropped and it costs less.
    """
    if len(best.routes) < 2 or params.time_limit_s <= 0:
        return best
    shortest = min(best.routes, key=lambda r: (len(r.visits), r.vehicle))
    keep = {r.vehicle for r in best.routes} - {shortest.vehicle}
    fleet = tuple(
        v if k in keep else replace(v, shift=(0, 0)) for k, v in enumerate(problem.vehicles)
    )
    initial = {r.vehicle: r.visits for r in best.routes if r.vehicle in keep}
    found = ortools_engine.solve(problem.replace(vehicles=fleet), params, initial=initial)
    orders = {r.vehicle: list(r.visits) for r in found.routes}
    fewer = plan.assemble(problem, orders, engine=ENGINE, elapsed_s=found.elapsed_s)
    return fewer if len(fewer.dropped) <= len(best.dropped) else best
