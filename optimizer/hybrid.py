"""PyVRP's search first, then tries at one route fewer, with every rule enforced, in one budget.

When PyVRP expresses the whole problem and finds a feasible plan, that plan is final
(OR-Tools polishing did not improve PyVRP's routes in the measurements; stops no
vehicle can serve stay dropped). Otherwise (lateness, or age limits, which PyVRP
keeps only conservatively) PyVRP gets ``PYVRP_SHARE`` of the time and its routes are
repaired; the rest goes to tries at plans with one route fewer, each a search from the
best plan so far without one of its routes (PyVRP's, or OR-Tools' under lateness), each
plan checked with the exact rules. Local search seldom empties a route by itself, and a
van's fixed cost is most of what separates good plans: on generated days these tries
gained more than OR-Tools polishing all routes, which runs only when PyVRP's plan needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from time import monotonic

from optimizer import ortools_engine, plan, pyvrp_engine
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Route, Solution

ENGINE = "hybrid"
PYVRP_SHARE = 0.5
POLISH_SHARE = 0.2
"""Of the time, OR-Tools' share from PyVRP's routes when they need it: some mandatory stop
left out, or lateness, which PyVRP's search took as free."""
ELIMINATIONS = 3
"""Tries at one route fewer in the rest of the time (one to four measured on generated days)."""

Exchange = Callable[[Solution], Solution]
"""Trades this search's best plan for the best of it and a partner search's."""


def solve(
    problem: Problem,
    params: SolveParams,
    *,
    exchange: Exchange | None = None,
    variant: int = 0,
    variants: int = 1,
    initial: Sequence[Route] | None = None,
) -> Solution:
    """The best plan of PyVRP, repaired and improved by OR-Tools when needed.

    Searches running alongside pass ``exchange``, called before each route elimination,
    and ``variant`` of ``variants``: this one tries to remove every ``variants``-th route
    by length from the ``variant``-th on, so that the searches try different routes.
    PyVRP's search starts from the ``initial`` routes when given.
    """
    clock = monotonic()
    budget = params.time_limit_s
    lateness = bool(pyvrp_engine.unsupported(problem))
    exact = not lateness and not pyvrp_engine.is_aged(problem)
    orders, stats = pyvrp_engine.search(
        problem,
        params,
        deadline=clock + (budget if exact else PYVRP_SHARE * budget),
        give_up=clock + PYVRP_SHARE * budget,
        restart=exact,
        initial=initial,
    )
    best = plan.assemble(problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)
    if exact and stats.get("pyvrp_feasible"):
        return best
    stats = {**best.stats, "pyvrp_cost": float(best.cost)}
    if lateness or plan.missing(problem, best):
        until = clock + (PYVRP_SHARE + POLISH_SHARE) * budget
        remaining = replace(params, time_limit_s=max(0.0, until - monotonic()))
        polished = _polished(problem, best, remaining)
        stats |= {**polished.stats, "ortools_cost": float(polished.cost)}
        best = min((best, polished), key=plan.ranking(problem))
    best = _fewer_routes(problem, best, params, clock + budget, exchange, variant, variants)
    stats["fewer_routes_cost"] = float(best.cost)
    return replace(best, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def _fewer_routes(
    problem: Problem,
    best: Solution,
    params: SolveParams,
    deadline: float,
    exchange: Exchange | None = None,
    variant: int = 0,
    variants: int = 1,
) -> Solution:
    """``ELIMINATIONS`` tries at one route fewer until ``deadline``, in equal shares of the time;
    the plan returned never ranks below ``best``.

    A try that succeeds is the start of the next; one that fails moves on to the next
    route this search tries. Before each try, ``exchange`` may bring a partner's better plan.
    The last of several searches re-optimises the best plan instead when it has just lost
    a route, and in the final share.
    """
    rank = plan.ranking(problem)
    which = variant
    routes = len(best.routes)
    for left in range(ELIMINATIONS, 0, -1):
        if exchange is not None:
            traded = exchange(best)
            if traded is not best:
                best, which = traded, variant
        share = replace(params, time_limit_s=(deadline - monotonic()) / left)
        fresh, routes = len(best.routes) < routes, len(best.routes)
        if (left == 1 or fresh) and variants > 1 and variant == variants - 1:
            best = min((best, _polished(problem, best, share)), key=rank)
            continue
        found = _one_route_fewer(problem, best, share, which)
        if len(found.routes) < len(best.routes) and rank(found) < rank(best):
            best, which = found, variant
        else:
            which += variants
    return best


def _polished(problem: Problem, best: Solution, params: SolveParams) -> Solution:
    """OR-Tools from ``best``'s routes, with the exact rules."""
    return ortools_engine.solve(
        problem, params, initial={route.vehicle: route.visits for route in best.routes}
    )


def _one_route_fewer(
    problem: Problem, best: Solution, params: SolveParams, which: int = 0
) -> Solution:
    """A search from ``best`` without its ``which``-th shortest route, the vehicles limited
    to the others: PyVRP's where it expresses the problem, else OR-Tools'.

    A search with time to spare finds plans with one vehicle fewer; this tries that jump
    directly, and the caller keeps it only if nothing more is dropped and it costs less.
    On generated days PyVRP's search, warm-started, found the plan with one van fewer in
    most tries where OR-Tools' found it in few.
    """
    if len(best.routes) < 2 or params.time_limit_s <= 0 or which >= len(best.routes):
        return best
    clock = monotonic()
    removed = sorted(best.routes, key=lambda r: (len(r.visits), r.vehicle))[which]
    keep = {r.vehicle for r in best.routes} - {removed.vehicle}
    fleet = tuple(
        v if k in keep else replace(v, shift=(0, 0)) for k, v in enumerate(problem.vehicles)
    )
    smaller = problem.replace(vehicles=fleet)
    kept = [r for r in best.routes if r.vehicle in keep]
    if pyvrp_engine.unsupported(problem):
        found = ortools_engine.solve(smaller, params, initial={r.vehicle: r.visits for r in kept})
        orders = {r.vehicle: list(r.visits) for r in found.routes}
    else:
        deadline = clock + params.time_limit_s
        orders, _ = pyvrp_engine.search(smaller, params, deadline=deadline, initial=kept)
    fewer = plan.assemble(problem, orders, engine=ENGINE, elapsed_s=monotonic() - clock)
    return fewer if len(fewer.dropped) <= len(best.dropped) else best
