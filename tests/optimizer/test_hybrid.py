"""The hybrid engine: PyVRP's routes, repaired and finished by OR-Tools when needed."""

from __future__ import annotations

from optimizer import Problem, SolveParams
from optimizer.hybrid import solve
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
