"""A job's progress: the money cost of the best whole day plan so far, never rising, never
below the plan the day ends with."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.planning.day import plan_request
from dispatch.planning.progress import BestCost, PlanProgress
from scenarios.sourcing_day import sourcing_day

ITERATIONS = 200


@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), max_size=40))
def test_only_lower_costs_are_reported(costs: list[float]) -> None:
    """Each figure is the lowest offered so far; none rises; the last is the lowest of all."""
    seen: list[PlanProgress] = []
    best = BestCost(seen.append)
    for cost in costs:
        best.offer(cost)
    reported = [p.best_cost for p in seen]
    assert all(b < a for a, b in itertools.pairwise(reported))
    for p in seen:
        assert p.best_cost == round(min(costs[: p.plans]), 2)
    if costs:
        assert reported[-1] == round(min(costs), 2)
    assert best.plans == len(costs)


def test_hand_checked_costs() -> None:
    """48,359 → 352,449 → 31,888 → 123,849 reports 48,359 and 31,888 only."""
    seen: list[PlanProgress] = []
    best = BestCost(seen.append)
    for cost in (48_359, 352_449, 31_888, 123_849):
        best.offer(cost)
    assert [(p.best_cost, p.plans) for p in seen] == [(48_359, 1), (31_888, 3)]


def _costs(doc: dict[str, Any]) -> tuple[list[float], float]:
    seen: list[PlanProgress] = []
    plan = plan_request(doc, iterations=ITERATIONS, on_progress=seen.append).plan
    return [p.best_cost for p in seen], plan.objective.total


@pytest.mark.parametrize("outsourcing", ["region", "order", "none"])
def test_a_day_with_carriers_reports_whole_plans_in_money(outsourcing: str) -> None:
    """Per region or per order, the figures are whole day plans' costs (carriers and
    penalties included); with the own fleet alone, its search's plans (rounded up); falling,
    and the last is the plan's own cost."""
    doc = sourcing_day(3, regions=4, orders=30, time_limit_s=2.0)
    doc["policy"]["outsourcing"] = outsourcing
    costs, total = _costs(doc)
    assert costs
    assert costs == sorted(costs, reverse=True)
    assert min(costs) == total
