"""The independent validator on a hand-computed plan for the small euclidean day."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.planning.validator import validate_plan

# REEFER leaves D (0,0) at 08:50 after 10 min loading: PP-A (10,0) at 09:00, service 7;
# H1+H2 at (5,5): 7.07 km → 09:14, waits to 10:00, service 4; PP-B (0,20): 15.81 km → 10:20,
# service 6; back 20 km → 10:46. 52.88 km; cost 200 + 52.88 + 60 × 126/60.
PLAN: dict[str, Any] = {
    "status": "complete",
    "objective": {"total": 378.88, "own_fleet": 378.88, "carriers": 0, "penalties": 0},
    "routes": [
        {
            "vehicle": "REEFER",
            "depot": "D",
            "start": "08:40",
            "end": "10:46",
            "distance_km": 52.882,
            "load": {"weight_kg": 18, "volume_l": 21, "chilled_l": 4, "frozen_l": 0},
            "cost": {"fixed": 200, "distance": 52.88, "time": 126, "total": 378.88},
            "stops": [
                {
                    "stop": "PP-A",
                    "orders": ["O1", "O2"],
                    "location": {"x": 10, "y": 0},
                    "arrival": "09:00",
                    "start_service": "09:00",
                    "departure": "09:07",
                },
                {
                    "stop": "HOME-H1",
                    "orders": ["H1", "H2"],
                    "location": {"x": 5, "y": 5},
                    "arrival": "09:14",
                    "start_service": "10:00",
                    "departure": "10:04",
                },
                {
                    "stop": "PP-B",
                    "orders": ["O3"],
                    "location": {"x": 0, "y": 20},
                    "arrival": "10:20",
                    "start_service": "10:20",
                    "departure": "10:26",
                },
            ],
        }
    ],
    "outsourced": [],
    "unserved": [],
}


@pytest.fixture
def plan() -> dict[str, Any]:
    return copy.deepcopy(PLAN)


def _rules(doc: dict[str, Any], plan: dict[str, Any]) -> set[str]:
    return {v.rule for v in validate_plan(load_request(doc), plan)}


def test_hand_computed_plan_is_valid(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """The plan worked out by hand above breaks no rule."""
    assert validate_plan(load_request(doc), plan) == []


def test_arrival_too_early_is_a_travel_violation(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Arriving at PP-B 2 minutes before the drive can end is caught."""
    plan["routes"][0]["stops"][2].update(arrival="10:18", start_service="10:18", departure="10:24")
    assert "travel" in _rules(doc, plan)


@pytest.mark.parametrize(("arrival", "late"), [("10:20", False), ("10:21", True)])
def test_arrival_allows_the_rounding_of_two_times(
    doc: dict[str, Any], plan: dict[str, Any], arrival: str, late: bool
) -> None:
    """PP-B moved 14.99 km from H1: from 10:04 the drive ends at 10:18.99. A departure at
    10:04.49 (printed 10:04) and the drive rounded up to the second arrive at 10:19.50,
    printed 10:20: 1.01 minutes off and valid. A whole minute more is a travel violation."""
    doc["pickup_points"][1]["location"] = {"x": 19.99, "y": 5}
    plan["routes"][0]["stops"][2].update(arrival=arrival, start_service=arrival)
    assert ("travel" in _rules(doc, plan)) is late


def test_service_outside_window(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Starting the home delivery at 09:14, before its 10:00 window, is caught."""
    plan["routes"][0]["stops"][1].update(start_service="09:14", departure="09:18")
    assert "window" in _rules(doc, plan)


def test_cold_limit(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """PP-A's milk is on board 10 minutes; an 8-minute limit (+1 min rounding) is broken."""
    doc["vehicles"][1]["max_cold_minutes"]["chilled"] = 8
    assert "cold_chain" in _rules(doc, plan)


def test_chilled_on_plain_van_breaks_capacity(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """The van has no chilled compartment, so the same route on it is a capacity violation."""
    plan["routes"][0]["vehicle"] = "VAN"
    assert "capacity" in _rules(doc, plan)


def test_order_twice_and_missing(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """An order in two places and an order nowhere are both coverage violations."""
    plan["routes"][0]["stops"][2]["orders"] = ["O1"]
    msgs = [str(v) for v in validate_plan(load_request(doc), plan)]
    assert any("also appears" in m for m in msgs)
    assert any("O3 appears nowhere" in m for m in msgs)


def test_shift_and_status(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Starting before the 08:00 shift and a wrong status are reported."""
    doc["vehicles"][1]["shift"]["start"] = "08:45"
    plan["status"] = "partial"
    assert {"shift", "status"} <= _rules(doc, plan)


def test_wrong_distance_and_cost(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Reported figures must match the recomputed ones."""
    plan["routes"][0]["distance_km"] = 40.0
    plan["routes"][0]["cost"]["total"] = 300.0
    assert {"distance", "cost"} <= _rules(doc, plan)


def test_unserved_needs_reason(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Moving an order to unserved without a reason is caught."""
    plan["routes"][0]["stops"].pop(2)
    plan["unserved"] = [{"order": "O3", "reason": ""}]
    plan["status"] = "partial"
    assert "reason" in _rules(doc, plan)


def test_objective_parts_must_add_up(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """A total that is not the sum of its parts, or an own-fleet part off the routes, is caught."""
    plan["objective"]["total"] = 400.0
    plan["objective"]["own_fleet"] = 390.0
    msgs = [str(v) for v in validate_plan(load_request(doc), plan)]
    assert any("is not own_fleet + carriers + penalties" in m for m in msgs)
    assert any("own_fleet 390.0, routes cost 378.88" in m for m in msgs)
