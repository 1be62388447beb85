"""The validator's re-plan rules: a re-plan of a small demo day passes, and each way of
breaking the state it started from is caught."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.intake.request import Request
from dispatch.live.live_day import prepare_day
from dispatch.live.simulate import Delays, as_received, simulate_day
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_replan
from dispatch.replan import ReplanSpec, day_state, replan
from scenarios.demo import demo_request

AT = 11 * 60
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def case() -> tuple[Request, dict[str, Any], dict[str, Any], str]:
    """(request, state document, re-plan document, the broken van)."""
    doc = demo_request(orders=150, date="2026-12-08", carriers_enabled=False)
    doc["options"] = {"time_limit_s": 2, "seed": 0, "engine": "ortools"}
    request = load_request(doc)
    plan = plan_day(request, time_limit_s=2, iterations=200)
    live = prepare_day(plan, request)
    at = live.time(AT)
    timeline = simulate_day(live, Delays(departure_max=0, leg_max=0))
    events, _ = as_received(e for e in timeline if e.sent_at <= at)
    probe = day_state(plan, request, events, [], ReplanSpec(at=at))
    running = [v for v in probe.vehicles if v.status == "running"]
    broken = running[0].vehicle
    spec = ReplanSpec(at=at, vehicles_down=[{"vehicle": broken, "at": at}])
    state = day_state(plan, request, events, [], spec)
    new = replan(request, plan, state, spec, time_limit_s=1, iterations=100)
    return request, state.document(), new.document(), broken


def _rules(case: Any, plan: dict[str, Any]) -> set[str]:
    request, state, _, _ = case
    return {v.rule for v in validate_replan(request, state, plan)}


def test_the_replan_passes(case: Any) -> None:
    request, state, plan, _ = case
    assert validate_replan(request, state, plan) == []


def test_a_done_stop_whose_time_moved_is_caught(case: Any) -> None:
    plan = copy.deepcopy(case[2])
    route = next(r for r in plan["routes"] if r["stops"] and r["stops"][0].get("done"))
    route["stops"][0]["departure"] = "23:00"
    assert "done" in _rules(case, plan)


def test_a_broken_van_given_a_stop_is_caught(case: Any) -> None:
    plan = copy.deepcopy(case[2])
    broken = next(r for r in plan["routes"] if r["vehicle"] == case[3])
    other = next(r for r in plan["routes"] if r["vehicle"] != case[3] and
                 any(not s.get("done") for s in r["stops"]))  # fmt: skip
    stop = next(s for s in other["stops"] if not s.get("done"))
    other["stops"].remove(stop)
    broken["stops"].append(stop)
    assert "down" in _rules(case, plan)


def test_goods_on_board_given_to_another_vehicle_are_caught(case: Any) -> None:
    _, state, plan, _ = case
    plan = copy.deepcopy(plan)
    carrier = next(v for v in state["vehicles"] if v["status"] == "running" and v["on_board"])
    order = carrier["on_board"][0]
    for r in plan["routes"]:
        for s in r["stops"]:
            if order in s["orders"]:
                s["orders"].remove(order)
    given = {"region": "x", "carrier": "CAT", "orders": [order], "cost": 0}
    plan["outsourced"] = [*plan.get("outsourced", []), given]
    assert "on_board" in _rules(case, plan)


def test_an_order_left_out_or_twice_is_caught(case: Any) -> None:
    left_out = copy.deepcopy(case[2])
    route = next(r for r in left_out["routes"] if any(not s.get("done") for s in r["stops"]))
    stop = next(s for s in route["stops"] if not s.get("done"))
    stop["orders"] = stop["orders"][1:]
    assert "coverage" in _rules(case, left_out)
    twice = copy.deepcopy(case[2])
    order = twice["routes"][0]["stops"][0]["orders"][0]
    twice["unserved"] = [*twice.get("unserved", []), {"order": order, "reason": "twice"}]
    assert "coverage" in _rules(case, twice)


def test_cold_goods_counted_from_the_real_departure(case: Any) -> None:
    request, state, plan, _ = case
    plan = copy.deepcopy(plan)
    running = {v["vehicle"]: v for v in state["vehicles"] if v["status"] == "running"}
    for r in plan["routes"]:
        if r["vehicle"] in running:
            for v in state["vehicles"]:
                if v["vehicle"] == r["vehicle"]:
                    v_state = copy.deepcopy(state)
                    for x in v_state["vehicles"]:
                        if x["vehicle"] == r["vehicle"]:
                            x["departed"] = x["departed"] - 600
                    cold = [s for s in r["stops"] if not s.get("done") and s.get("cold_minutes")]
                    if cold:
                        found = {v.rule for v in validate_replan(request, v_state, plan)}
                        assert "cold_chain" in found
                        return
    pytest.skip("no running vehicle with cold goods left in this case")
