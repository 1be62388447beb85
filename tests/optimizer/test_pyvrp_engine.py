"""What is particular to the PyVRP engine: what it refuses, and its progress reports."""

from __future__ import annotations

from optimizer import Problem, Progress, SolveParams
from optimizer.pyvrp_engine import solve, unsupported
from tests.optimizer.check import assert_valid


def test_unsupported_names_ages_and_lateness(age_split: Problem, lateness: Problem) -> None:
    """Age limits and lateness are named; a plain problem has no reasons."""
    assert unsupported(age_split) == ["age limits (age_classes, max_age)"]
    assert unsupported(lateness) == ["lateness (late_cost, max_lateness)"]
    assert unsupported(lateness.replace(late_cost=0)) == []


def test_progress_reported(consolidation: Problem) -> None:
    """New best solutions reach ``on_progress``."""
    seen: list[Progress] = []
    solution = solve(consolidation, SolveParams(time_limit_s=0.2, on_progress=seen.append))
    assert_valid(consolidation, solution)
    assert seen
    assert seen[-1].best_cost == solution.cost
