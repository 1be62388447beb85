"""The hybrid engine: PyVRP's routes, repaired and finished by OR-Tools when needed."""

from __future__ import annotations

from optimizer import Problem, SolveParams, plan
from optimizer.hybrid import _one_route_fewer, solve
from tests.optimizer.check import assert_valid


def test_expressible_problem_stays_with_pyvrp(consolidation: Problem) -> None:
    """Without ages or lateness PyVRP's feasible plan is final; OR-Tools is not run."""
    solution = solve(consolidation, SolveParams(time_limit_s=0.3))
    assert_valid(consolidation, solution)
    assert "iterations" in solution.stats
    assert "ortools_cost" not in solution.stats


def test_ages_enforced_by_ortools(age_split: Problem) -> None:
    """PyVRP ignores the age limit; its plan is repaired and OR-Tools keeps the rule."""
    solution = solve(age_split, SolveParams(time_limit_s=0.3))
    assert_valid(age_split, solution)
    assert "ortools_cost" in solution.stats
    assert len(solution.routes) == 2


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
