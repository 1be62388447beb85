"""The hybrid engine: PyVRP's routes, repaired and finished by OR-Tools when needed."""

from __future__ import annotations

from time import monotonic

import pytest

from optimizer import Problem, Solution, SolveParams, hybrid, plan
from optimizer.hybrid import _fewer_routes, _one_route_fewer, solve
from tests.optimizer.check import assert_valid


def test_expressible_problem_stays_with_pyvrp(consolidation: Problem) -> None:
    """Without ages or lateness PyVRP's feasible plan is final; OR-Tools is not run."""
    solution = solve(consolidation, SolveParams(time_limit_s=0.3))
    assert_valid(consolidation, solution)
    assert "iterations" in solution.stats
    assert "ortools_cost" not in solution.stats


def test_ages_kept_while_trying_fewer_routes(age_split: Problem) -> None:
    """PyVRP keeps the age limit conservatively; OR-Tools' try at one route fewer breaks
    the exact rule, so the two routes stay."""
    solution = solve(age_split, SolveParams(time_limit_s=0.3))
    assert_valid(age_split, solution)
    assert "fewer_routes_cost" in solution.stats
    assert "ortools_cost" not in solution.stats
    assert "repaired" in solution.stats
    assert len(solution.routes) == 2


def test_lateness_polished_by_ortools(lateness: Problem) -> None:
    """PyVRP's search takes lateness as free, so OR-Tools re-optimises its routes."""
    solution = solve(lateness, SolveParams(time_limit_s=0.3))
    assert_valid(lateness, solution)
    assert "ortools_cost" in solution.stats


def test_one_route_fewer_when_it_pays(consolidation: Problem) -> None:
    """Three one-stop routes (fixed cost 1000 each) become fewer routes, the cost falls."""
    spread = {v: [i] for v, i in enumerate(consolidation.stops)}
    start = plan.assemble(consolidation, spread, engine="test", elapsed_s=0)
    fewer = _one_route_fewer(consolidation, start, SolveParams(time_limit_s=0.3))
    assert_valid(consolidation, fewer)
    assert len(fewer.routes) < 3
    assert fewer.cost < start.cost


def test_one_route_fewer_keeps_the_plan_when_it_cannot(capacity_split: Problem) -> None:
    """Two stops of 6 units cannot share a vehicle of 10: the two-route plan stays."""
    start = plan.assemble(capacity_split, {0: [1], 1: [2]}, engine="test", elapsed_s=0)
    kept = _one_route_fewer(capacity_split, start, SolveParams(time_limit_s=0.3))
    assert kept is start


def test_fewer_routes_tries_again_from_a_success(consolidation: Problem) -> None:
    """Three one-stop routes: two eliminations in a row leave the one route that serves all."""
    spread = {v: [i] for v, i in enumerate(consolidation.stops)}
    start = plan.assemble(consolidation, spread, engine="test", elapsed_s=0)
    fewer = _fewer_routes(consolidation, start, SolveParams(), monotonic() + 0.6)
    assert_valid(consolidation, fewer)
    assert len(fewer.routes) == 1


def test_exchange_sees_the_plan_before_each_elimination(age_split: Problem) -> None:
    """A partner search is offered the best plan before each try at one route fewer."""
    offered: list[Solution] = []

    def exchange(best: Solution) -> Solution:
        offered.append(best)
        return best

    solution = solve(age_split, SolveParams(time_limit_s=0.3), exchange=exchange)
    assert len(offered) == hybrid.ELIMINATIONS
    for plan_offered in offered:
        assert_valid(age_split, plan_offered)
    assert_valid(age_split, solution)
    assert solution.cost <= min(plan_offered.cost for plan_offered in offered)


def test_last_partner_polishes_in_the_final_share(
    consolidation: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two searches spends its last share re-optimising the best plan."""
    monkeypatch.setattr(hybrid, "ELIMINATIONS", 1)
    monkeypatch.setattr(hybrid, "_one_route_fewer", lambda *args: pytest.fail("eliminated"))
    spread = {v: [i] for v, i in enumerate(consolidation.stops)}
    start = plan.assemble(consolidation, spread, engine="test", elapsed_s=0)
    deadline = monotonic() + 0.3
    polished = _fewer_routes(consolidation, start, SolveParams(), deadline, variant=1, variants=2)
    assert_valid(consolidation, polished)
    assert polished.cost < start.cost


def test_last_partner_polishes_a_plan_that_just_lost_a_route(
    consolidation: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three tries: the partner removes a route in the first; when the trade brings a plan
    with fewer routes, it re-optimises that one instead, and again in the final share."""
    monkeypatch.setattr(hybrid, "ELIMINATIONS", 3)
    tried: list[Solution] = []

    def fail(problem: Problem, best: Solution, *args: object) -> Solution:
        tried.append(best)
        return best

    monkeypatch.setattr(hybrid, "_one_route_fewer", fail)
    a, b, c = consolidation.stops
    three = plan.assemble(consolidation, {0: [a], 1: [b], 2: [c]}, engine="test", elapsed_s=0)
    two = plan.assemble(consolidation, {0: [a, b], 2: [c]}, engine="test", elapsed_s=0)
    offers = iter([three, two, two])
    rank = plan.ranking(consolidation)

    def trade(ours: Solution) -> Solution:
        theirs = next(offers)
        return theirs if rank(theirs) < rank(ours) else ours

    deadline = monotonic() + 0.6
    found = _fewer_routes(consolidation, three, SolveParams(), deadline, trade, 1, 2)
    assert tried == [three]
    assert_valid(consolidation, found)
    assert found.cost < two.cost


@pytest.mark.parametrize(
    ("late_cost", "idle"), [(0, "ortools_engine.solve"), (1, "pyvrp_engine.search")]
)
def test_one_route_fewer_searches_with_the_engine_that_expresses_the_problem(
    consolidation: Problem, late_cost: int, idle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyVRP searches from the other routes for the plan without one; under lateness, which
    PyVRP takes as free, OR-Tools does."""
    problem = consolidation.replace(late_cost=late_cost, max_lateness=5 * late_cost)
    module, name = idle.split(".")
    monkeypatch.setattr(getattr(hybrid, module), name, lambda *a, **k: pytest.fail(idle))
    spread = {v: [i] for v, i in enumerate(problem.stops)}
    start = plan.assemble(problem, spread, engine="test", elapsed_s=0)
    fewer = _one_route_fewer(problem, start, SolveParams(time_limit_s=0.3))
    assert_valid(problem, fewer)
    assert len(fewer.routes) < 3
