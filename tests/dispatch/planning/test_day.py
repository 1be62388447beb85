"""Planning a day end to end on hand-checkable cases; every plan goes through the validator."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.intake.loading import load_request
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan

ITERATIONS = 200
"""Solutions per search: far more than these tiny days need, so searches end in well under
their time limit."""


def _plan(doc: dict[str, Any], limit: float = 1.0) -> Plan:
    request = load_request(doc)
    plan = plan_day(request, time_limit_s=limit, iterations=ITERATIONS)
    violations = validate_plan(request, plan.model_dump(mode="json"))
    assert violations == [], [str(v) for v in violations]
    return plan


def _vehicle_of(plan: Plan) -> dict[str, str]:
    return {o: r.vehicle for r in plan.routes for s in r.stops for o in s.orders}


def test_small_day_is_complete(doc: dict[str, Any]) -> None:
    """Every order of the small day is routed; the chilled ones go on the reefer."""
    plan = _plan(doc)
    assert plan.status == "complete"
    assert plan.kpis.served_own == 5
    assert _vehicle_of(plan)["O2"] == "REEFER"
    assert plan.objective.total == plan.objective.own_fleet


def test_chilled_stop_never_on_plain_van(doc: dict[str, Any]) -> None:
    """Without the reefer, chilled O2 is unserved for want of a compartment; the rest is routed."""
    doc["vehicles"] = doc["vehicles"][:1]
    plan = _plan(doc)
    assert plan.status == "partial"
    assert [(u.order, u.code) for u in plan.unserved] == [("O2", "no_compartment")]


def test_window_forces_order_of_visits(doc: dict[str, Any]) -> None:
    """PP-B only opens after PP-A closes, so PP-A comes first on a one-vehicle day."""
    doc["vehicles"] = doc["vehicles"][1:]
    doc["pickup_points"][1]["time_windows"] = [{"start": "12:30", "end": "13:00"}]
    plan = _plan(doc)
    stops = [s.stop for s in plan.routes[0].stops]
    assert stops.index("PP-A") < stops.index("PP-B")
    assert plan.routes[0].stops[stops.index("PP-B")].start_service >= 12 * 60 + 30


def test_cold_limit_forces_second_vehicle(doc: dict[str, Any]) -> None:
    """Chilled stops 10 and 20 min out in opposite directions under a 30-min limit: two reefers."""
    doc["vehicles"] = [dict(doc["vehicles"][1], count=2)]
    doc["vehicles"][0]["max_cold_minutes"] = {"chilled": 30, "frozen": 30}
    doc["pickup_points"][1]["location"] = {"x": -20, "y": 0}
    doc["orders"][2]["items"][0]["temperature"] = "chilled"
    doc["orders"] = doc["orders"][:3]
    plan = _plan(doc)
    assert plan.status == "complete"
    assert plan.kpis.vehicles_used == 2
    assert plan.kpis.max_cold_minutes["chilled"] <= 30


def test_capacity_forces_split(doc: dict[str, Any]) -> None:
    """PP-B's 160 kg exceed any 100 kg vehicle: split into parts on two vehicles."""
    doc["orders"] = [
        {
            "id": f"R{k}",
            "pickup_point": "PP-B",
            "items": [{"sku": "rice", "qty": 4, "weight_kg": 5, "volume_l": 6}],
        }
        for k in range(8)
    ]
    plan = _plan(doc)
    assert plan.status == "complete"
    parts = [s.stop for r in plan.routes for s in r.stops]
    assert sorted(parts) == ["PP-B/1", "PP-B/2"]
    assert all(r.load.weight_kg <= 100 for r in plan.routes)


def test_unreachable_window_and_oversize_are_explained(doc: dict[str, Any]) -> None:
    """A window closed before any vehicle can get there and a 500 kg order each get a reason."""
    doc["orders"][3]["time_windows"] = [{"start": "06:00", "end": "07:00"}]
    doc["orders"][4]["time_windows"] = [{"start": "06:00", "end": "07:00"}]
    doc["orders"][0]["items"][0]["qty"] = 100
    plan = _plan(doc)
    codes = {u.order: u.code for u in plan.unserved}
    assert codes == {"H1": "unreachable", "H2": "unreachable", "O1": "oversize"}
    assert plan.status == "partial"
    assert plan.objective.penalties == 3 * 5000


def test_nothing_plannable_is_infeasible(doc: dict[str, Any]) -> None:
    """With every vehicle off shift the plan is infeasible and says why for every order."""
    for v in doc["vehicles"]:
        v["shift"] = {"start": "20:00", "end": "21:00"}
    plan = _plan(doc)
    assert plan.status == "infeasible"
    assert len(plan.unserved) == 5
    assert all(u.reason for u in plan.unserved)


def test_second_window_used_when_first_unreachable(doc: dict[str, Any]) -> None:
    """PP-A's first window closes before 08:30; service happens in its afternoon window."""
    doc["pickup_points"][0]["time_windows"] = [
        {"start": "07:00", "end": "08:00"},
        {"start": "14:00", "end": "15:00"},
    ]
    plan = _plan(doc)
    visit = next(s for r in plan.routes for s in r.stops if s.stop == "PP-A")
    assert 14 * 60 <= visit.start_service <= 15 * 60


@st.composite
def small_days(draw: st.DrawFn) -> dict[str, Any]:
    """Random small euclidean days: 1–8 orders, mixed temperatures, windows, 1–3 vehicles."""
    n = draw(st.integers(1, 8))
    points = [
        {
            "id": f"P{k}",
            "location": {"x": draw(st.integers(-30, 30)), "y": draw(st.integers(-30, 30))},
            "time_windows": [
                {"start": f"{h:02d}:00", "end": f"{h + draw(st.integers(1, 4)):02d}:00"}
            ],
            "service_minutes": draw(st.integers(0, 10)),
        }
        for k, h in enumerate(draw(st.lists(st.integers(8, 14), min_size=1, max_size=4)))
    ]
    orders = [
        {
            "id": f"O{k}",
            "pickup_point": draw(st.sampled_from(points))["id"],
            "service_minutes": draw(st.integers(0, 3)),
            "items": [
                {
                    "qty": draw(st.integers(1, 5)),
                    "weight_kg": draw(st.floats(0.1, 15)),
                    "volume_l": draw(st.floats(0.1, 20)),
                    "temperature": draw(st.sampled_from(["ambient", "chilled", "frozen"])),
                }
            ],
        }
        for k in range(n)
    ]
    vehicles = [
        {
            "id": f"V{k}",
            "depot": "D",
            "capacity": {
                "weight_kg": draw(st.integers(20, 120)),
                "volume_l": 200,
                "chilled_l": draw(st.sampled_from([0, 40])),
                "frozen_l": draw(st.sampled_from([0, 30])),
            },
            "max_cold_minutes": {
                "chilled": draw(st.integers(20, 120)),
                "frozen": draw(st.integers(20, 120)),
            },
            "shift": {"start": "07:00", "end": f"{draw(st.integers(12, 20))}:00"},
            "cost": {"fixed": draw(st.integers(0, 300)), "per_km": 1, "per_hour": 30},
            "speed_factor": draw(st.sampled_from([0.8, 1.0, 1.25])),
        }
        for k in range(draw(st.integers(1, 3)))
    ]
    return {
        "date": "2026-11-11",
        "travel": {"metric": "euclidean"},
        "depots": [{"id": "D", "location": {"x": 0, "y": 0}, "loading_minutes": 5}],
        "vehicles": vehicles,
        "pickup_points": points,
        "orders": orders,
        "policy": {"outsourcing": "none"},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_days())
def test_any_plan_passes_the_validator(day: dict[str, Any]) -> None:
    """Whatever the random day, the plan is valid and accounts for every order once."""
    plan = _plan(day, limit=0.3)
    assert plan.kpis.served_own + plan.kpis.unserved == len(day["orders"])
