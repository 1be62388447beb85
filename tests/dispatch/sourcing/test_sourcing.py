"""Own fleet vs carriers: regions, the per-region and per-order decisions, and their reasons."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from benchmarks.sourcing import best_assignment
from dispatch.intake.loading import RequestError, load_request
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from dispatch.sourcing.order_regions import assign_regions
from scenarios.sourcing_day import sourcing_day


def square(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def region(rid: str, ring: list[list[float]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": rid},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def box(rid: str, qty: int = 1, temperature: str = "ambient") -> list[dict[str, Any]]:
    return [{"sku": rid, "qty": qty, "weight_kg": 2, "volume_l": 3, "temperature": temperature}]


def carrier(cid: str, per_order: float, **more: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": cid,
        "regions": ["*"],
        "handles": {"temperatures": ["ambient"]},
        "price": {"per_order": per_order},
        "delivers_by": "18:00",
        "on_time_rate": 1.0,
    }
    for key, value in more.items():
        if key in ("min_charge_per_region", "per_kg", "cold_surcharge_per_order"):
            doc["price"][key] = value
        else:
            doc[key] = value
    return doc


# Euclidean (1 unit = 1 km = 1 min). NEAR alone costs the van 151.40 (50 fixed + 17.07 km × 5
# + 32 min × 0.5); with FAR, 50 km east, its route costs 638.87: FAR adds 487. CHEAP charges 100
# per order plus 10 expected lateness ((1 - 0.95) × 200): 330 for FAR's three orders.
DAY: dict[str, Any] = {
    "date": "2026-11-11",
    "travel": {"metric": "euclidean"},
    "depots": [{"id": "D", "location": {"x": 0, "y": 0}, "loading_minutes": 10}],
    "vehicles": [
        {
            "id": "VAN",
            "depot": "D",
            "capacity": {"weight_kg": 100, "volume_l": 1000},
            "shift": {"start": "08:00", "end": "18:00"},
            "cost": {"fixed": 50, "per_km": 5, "per_hour": 30},
        }
    ],
    "pickup_points": [
        {
            "id": "PP-N",
            "location": {"x": 5, "y": 0},
            "service_minutes": 5,
            "time_windows": [{"start": "09:00", "end": "18:00"}],
        },
        {
            "id": "PP-F",
            "location": {"x": 50, "y": 0},
            "service_minutes": 5,
            "time_windows": [{"start": "09:00", "end": "18:00"}],
        },
    ],
    "orders": [
        {"id": "N1", "pickup_point": "PP-N", "items": box("n1")},
        {"id": "N2", "pickup_point": "PP-N", "items": box("n2")},
        {
            "id": "N3",
            "location": {"x": 0, "y": 5},
            "items": box("n3"),
            "time_windows": [{"start": "09:00", "end": "18:00"}],
        },
        {"id": "F1", "pickup_point": "PP-F", "items": box("f1")},
        {"id": "F2", "pickup_point": "PP-F", "items": box("f2")},
        {"id": "F3", "pickup_point": "PP-F", "items": box("f3")},
    ],
    "regions": {
        "type": "FeatureCollection",
        "features": [
            region("NEAR", square(-10, -10, 10, 10)),
            region("FAR", square(40, -10, 60, 10)),
        ],
    },
    "carriers": [carrier("CHEAP", 100, on_time_rate=0.95)],
    "policy": {
        "unserved_penalty": 5000,
        "carrier_late_penalty_per_order": 200,
        "outsourcing": "region",
    },
    "options": {"time_limit_s": 1},
}
FAR = ["F1", "F2", "F3"]
ITERATIONS = 200
"""Solutions per search: far more than these tiny days need, so searches end in well under
their time limit."""


@pytest.fixture
def day() -> dict[str, Any]:
    """A fresh copy of the two-region day."""
    return copy.deepcopy(DAY)


def planned(doc: dict[str, Any]) -> Plan:
    """Plan ``doc`` and check the plan with the independent validator."""
    request = load_request(doc)
    plan = plan_day(request, iterations=ITERATIONS)
    violations = validate_plan(request, plan.model_dump(mode="json"))
    assert violations == []
    return plan


def routed(plan: Plan) -> set[str]:
    return {o for r in plan.routes for s in r.stops for o in s.orders}


def taken(plan: Plan) -> dict[str, tuple[str, list[str], float]]:
    """Outsourced entries by region: carrier, orders, cost."""
    return {e.region: (e.carrier, sorted(e.orders), e.cost) for e in plan.outsourced}


def explained(plan: Plan) -> dict[str, dict[str, object]]:
    return {str(r["id"]): r for r in plan.regions}


def test_orders_get_their_pickup_points_region(day: dict[str, Any]) -> None:
    """Pickup-point orders take the point's region, home orders their own place's."""
    zones = assign_regions(load_request(day))
    assert dict(zones.region_of) == {
        "N1": "NEAR",
        "N2": "NEAR",
        "N3": "NEAR",
        "F1": "FAR",
        "F2": "FAR",
        "F3": "FAR",
    }
    assert zones.ids == ("NEAR", "FAR")


def test_explicit_region_wins_and_outside_orders_are_unassigned(day: dict[str, Any]) -> None:
    """``order.region`` overrides the polygons; a place in no polygon goes to "unassigned"."""
    day["orders"][2]["region"] = "FAR"
    day["orders"].append({"id": "U1", "location": {"x": 0, "y": -30}, "items": box("u1")})
    zones = assign_regions(load_request(day))
    assert zones.region_of["N3"] == "FAR"
    assert zones.region_of["U1"] == "unassigned"
    assert zones.outside == ("U1",)
    plan = planned(day)
    note = explained(plan)["unassigned"]
    assert note["orders"] == 1
    assert "U1" in str(note["note"])


def test_without_regions_everything_is_one_region(day: dict[str, Any]) -> None:
    """A request without ``regions`` has the single region "all"."""
    del day["regions"]
    zones = assign_regions(load_request(day))
    assert set(zones.region_of.values()) == {"all"}
    assert [r["id"] for r in planned(day).regions] == ["all"]


def test_bad_region_polygons_are_a_request_error(day: dict[str, Any]) -> None:
    """Unusable polygons are reported as request errors naming ``regions``."""
    day["regions"]["features"][0]["geometry"] = {"type": "Point", "coordinates": [0, 0]}
    with pytest.raises(RequestError, match="regions"):
        plan_day(load_request(day))


def test_a_far_region_goes_to_the_cheap_carrier(day: dict[str, Any]) -> None:
    """FAR costs the van 487 more, CHEAP 3 × 110 = 330: FAR outsourced, NEAR routed."""
    plan = planned(day)
    assert taken(plan) == {"FAR": ("CHEAP", FAR, 330.0)}
    assert routed(plan) == {"N1", "N2", "N3"}
    assert plan.objective.carriers == 330.0
    assert plan.outsourced[0].reason.startswith("own fleet +")
    assert "vs CHEAP 330" in plan.outsourced[0].reason
    far = explained(plan)["FAR"]
    assert far["decision"] == "CHEAP"
    assert far["cost"] == 330.0
    assert far["second_best"] == "own"
    assert far["second_best_cost"] == pytest.approx(487.47, abs=1)
    near = explained(plan)["NEAR"]
    assert near["decision"] == "own"
    assert near["second_best"] == "CHEAP"


def test_a_carrier_that_is_down_moves_work_to_the_backup(day: dict[str, Any]) -> None:
    """CHEAP with max_orders 0 takes nothing; BACKUP at 120 per order (360) takes FAR."""
    day["carriers"][0]["max_orders"] = 0
    day["carriers"].append(carrier("BACKUP", 120))
    plan = planned(day)
    assert taken(plan) == {"FAR": ("BACKUP", FAR, 360.0)}
    assert "takes no orders" in str(explained(plan)["FAR"]["ineligible"])


def test_a_carrier_that_is_down_moves_work_back_to_the_own_fleet(day: dict[str, Any]) -> None:
    """With CHEAP down and no backup, the van serves every region."""
    day["carriers"][0]["max_orders"] = 0
    plan = planned(day)
    assert plan.outsourced == ()
    assert routed(plan) == {"N1", "N2", "N3", *FAR}


def test_max_orders_counts_over_all_regions(day: dict[str, Any]) -> None:
    """CHEAP may take 3 orders in all: it cannot take both regions at once."""
    day["carriers"][0]["price"]["per_order"] = 10
    day["carriers"][0]["max_orders"] = 3
    plan = planned(day)
    assert sum(len(e.orders) for e in plan.outsourced) <= 3
    assert taken(plan)["FAR"][0] == "CHEAP"


def test_a_region_pinned_to_the_own_fleet_stays_with_it(day: dict[str, Any]) -> None:
    """Pinning FAR to "own" keeps it routed though CHEAP is cheaper."""
    day["policy"]["pin"] = {"FAR": "own"}
    plan = planned(day)
    assert plan.outsourced == ()
    assert explained(plan)["FAR"]["pinned"] is True


def test_a_region_pinned_to_a_carrier_goes_to_it(day: dict[str, Any]) -> None:
    """Pinning NEAR to CHEAP outsources it though the van is cheaper there."""
    day["policy"]["pin"] = {"NEAR": "CHEAP"}
    plan = planned(day)
    assert taken(plan)["NEAR"] == ("CHEAP", ["N1", "N2", "N3"], 330.0)
    assert plan.outsourced[0].reason.startswith("pinned to CHEAP")


def test_a_pinned_carrier_that_refuses_orders_leaves_them_unserved(day: dict[str, Any]) -> None:
    """FAR pinned to ambient-only CHEAP: the frozen F3 is unserved, saying why."""
    day["vehicles"][0]["capacity"]["frozen_l"] = 100
    day["orders"][5]["items"] = box("f3", temperature="frozen")
    day["policy"]["pin"] = {"FAR": "CHEAP"}
    plan = planned(day)
    assert taken(plan)["FAR"][1] == ["F1", "F2"]
    (u,) = plan.unserved
    assert u.order == "F3"
    assert "CHEAP does not handle frozen goods" in u.reason


def test_a_pin_to_an_unknown_carrier_is_a_request_error(day: dict[str, Any]) -> None:
    """A pin naming no carrier is refused with the pin's field."""
    day["policy"]["pin"] = {"FAR": "NOPE"}
    with pytest.raises(RequestError, match=r"policy\.pin\.FAR"):
        plan_day(load_request(day))


@pytest.mark.parametrize("policy", ["region", "order"])
def test_a_region_no_one_can_serve_gives_reasons(day: dict[str, Any], policy: str) -> None:
    """ISLAND is 160 min away with a 09:00–09:30 window, and CHEAP does not serve it."""
    day["policy"]["outsourcing"] = policy
    day["regions"]["features"].append(region("ISLAND", square(150, -10, 170, 10)))
    day["carriers"][0]["regions"] = ["NEAR", "FAR"]
    day["orders"].append(
        {
            "id": "I1",
            "location": {"x": 160, "y": 0},
            "items": box("i1"),
            "time_windows": [{"start": "09:00", "end": "09:30"}],
        }
    )
    plan = planned(day)
    assert plan.status == "partial"
    (u,) = plan.unserved
    assert u.order == "I1"
    assert "no vehicle can reach" in u.reason
    assert "CHEAP does not serve ISLAND" in u.reason
    assert explained(plan)["ISLAND"]["ineligible"] == {"CHEAP": "does not serve ISLAND"}


def test_frozen_goods_keep_a_region_with_the_reefer(day: dict[str, Any]) -> None:
    """CHEAP handles only ambient: FAR with a frozen order stays with the own fleet."""
    day["vehicles"][0]["capacity"]["frozen_l"] = 100
    day["orders"][5]["items"] = box("f3", temperature="frozen")
    plan = planned(day)
    assert plan.outsourced == ()
    assert plan.unserved == ()
    assert explained(plan)["FAR"]["ineligible"] == {
        "CHEAP": "refuses 1 of 3 orders: does not handle frozen goods (1)"
    }


def test_frozen_goods_no_one_carries_are_unserved_with_both_reasons(day: dict[str, Any]) -> None:
    """Without a frozen compartment either, CHEAP takes FAR and F3 is explained twice."""
    day["orders"][5]["items"] = box("f3", temperature="frozen")
    plan = planned(day)
    assert taken(plan)["FAR"][1] == ["F1", "F2"]
    (u,) = plan.unserved
    assert "CHEAP does not handle frozen goods" in u.reason
    assert "own fleet: frozen items but no vehicle with that compartment" in u.reason


@pytest.mark.parametrize(("minimum", "expected"), [(400, ("CHEAP", FAR, 430.0)), (600, None)])
def test_min_charge_per_region(
    day: dict[str, Any], minimum: float, expected: tuple[str, list[str], float] | None
) -> None:
    """A 400 minimum makes FAR cost 400 + 30, below the van's 487; 600 + 30 is above it."""
    day["carriers"][0]["price"]["min_charge_per_region"] = minimum
    plan = planned(day)
    assert taken(plan).get("FAR") == expected
    if expected is None:
        assert explained(plan)["FAR"]["second_best_cost"] == 630.0


def test_policy_none_routes_everything(day: dict[str, Any]) -> None:
    """With outsourcing off, carriers are ignored."""
    day["policy"]["outsourcing"] = "none"
    plan = planned(day)
    assert plan.outsourced == ()
    assert routed(plan) == {"N1", "N2", "N3", *FAR}


def test_per_order_outsourcing_drops_far_orders_to_the_carrier(day: dict[str, Any]) -> None:
    """Per order, routing drops the FAR stop at CHEAP's price; one entry per region+carrier."""
    day["policy"]["outsourcing"] = "order"
    plan = planned(day)
    assert taken(plan) == {"FAR": ("CHEAP", FAR, 330.0)}
    assert routed(plan) == {"N1", "N2", "N3"}


def test_per_order_outsourcing_respects_max_orders(day: dict[str, Any]) -> None:
    """CHEAP has room for 2: the third FAR order goes to BACKUP, not to a van trip east."""
    day["policy"]["outsourcing"] = "order"
    day["carriers"][0]["max_orders"] = 2
    day["carriers"].append(carrier("BACKUP", 120))
    plan = planned(day)
    by_carrier = {e.carrier: len(e.orders) for e in plan.outsourced}
    assert by_carrier == {"CHEAP": 2, "BACKUP": 1}


def test_per_order_min_charge_moves_a_small_group(day: dict[str, Any]) -> None:
    """CHEAP's 600 minimum makes FAR cost 630: BACKUP (360) takes it instead."""
    day["policy"]["outsourcing"] = "order"
    day["carriers"][0]["price"]["min_charge_per_region"] = 600
    day["carriers"].append(carrier("BACKUP", 120))
    plan = planned(day)
    assert taken(plan) == {"FAR": ("BACKUP", FAR, 360.0)}


@pytest.mark.slow
def test_decision_is_near_the_best_of_all_assignments() -> None:
    """On 10 generated days with 3–4 regions, within 1% of the best of all 2^R on 9 or more."""
    within = 0
    for seed in range(10):
        doc = sourcing_day(seed, regions=3 + seed % 2, orders=36, vans=2, time_limit_s=1.5)
        request = load_request(doc)
        plan = plan_day(request)
        assert validate_plan(request, plan.model_dump(mode="json")) == []
        best, _ = best_assignment(request, 0.25, jobs=1)
        within += plan.objective.total <= 1.01 * best
    assert within >= 9
