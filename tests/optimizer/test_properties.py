"""Invariants on random small problems: every plan passes the independent checker."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from optimizer import Engine, Problem, SolveParams, solve
from optimizer.pyvrp_engine import unsupported
from tests.optimizer.check import assert_valid
from tests.optimizer.strategies import problems

QUICK = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ITERATIONS = 200
"""Solutions or iterations per search: plans are checked for validity, not for quality."""


@pytest.mark.parametrize("engine", ["ortools", "hybrid"])
@QUICK
@given(problem=problems())
def test_plans_are_valid(problem: Problem, engine: Engine) -> None:
    """Every stop is routed or dropped once; routes keep windows, loads, ages and shifts."""
    params = SolveParams(time_limit_s=0.3, iterations=ITERATIONS, engine=engine)
    assert_valid(problem, solve(problem, params))


@QUICK
@given(problem=problems(lateness=False))
def test_pyvrp_plans_are_valid(problem: Problem) -> None:
    """PyVRP's plans pass the checker on problems without lateness; ages are kept."""
    assert not unsupported(problem)
    params = SolveParams(time_limit_s=0.3, iterations=ITERATIONS, engine="pyvrp")
    assert_valid(problem, solve(problem, params))
