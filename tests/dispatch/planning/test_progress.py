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


def test_an_order_no_vehicle_can_carry_is_priced_in_every_figure() -> None:
    """A frozen order and vans without a freezer: it is unserved before any search, and its
    penalty is in each figure reported, never only in the plan that ends the job."""
    doc = {
        "date": "2026-12-08",
        "timezone": "Asia/Taipei",
        "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52},
                    "open": "06:00", "close": "22:00"}],
        "vehicles": [{"id": "VAN", "depot": "DC", "count": 2,
                      "capacity": {"weight_kg": 800, "volume_l": 4000, "chilled_l": 1500},
                      "shift": {"start": "07:00", "end": "21:00"},
                      "cost": {"fixed": 800, "per_km": 9, "per_hour": 300}}],
        "pickup_points": [{"id": "P1", "location": {"lat": 25.035, "lon": 121.568}},
                          {"id": "P2", "location": {"lat": 25.041, "lon": 121.544}}],
        "orders": [
            {"id": "A", "pickup_point": "P1", "items": [{"sku": "x", "qty": 1}]},
            {"id": "B", "pickup_point": "P2",
             "items": [{"sku": "f", "qty": 1, "temperature": "frozen", "volume_l": 1}]},
        ],
        "options": {"time_limit_s": 1},
    }  # fmt: skip
    costs, total = _costs(doc)
    assert costs
    assert min(costs) == total
    assert all(cost >= total for cost in costs)
