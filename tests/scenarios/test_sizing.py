"""Fleet sizing: with the sized fleet every order is served on time."""

from __future__ import annotations

import pytest

from dispatch import load_request, plan_request, validate_plan
from optimizer.executor import Inline
from scenarios.changes import apply_changes
from scenarios.sizing import size_fleet, with_units
from scenarios.spec import check_scenarios
from tests.scenarios.conftest import SOLVE, tiny

pytestmark = pytest.mark.slow

SPEC = check_scenarios(
    {
        "base": {"demo": {}},
        "solve": SOLVE,
        "changes": [],
        "offer": {
            "vehicles": [
                {"id": "RENT-VAN", "like": "VAN-1", "rent": 900, "max": 3},
                {"id": "RENT-REEFER", "like": "REEFER-1", "rent": 1400, "max": 3},
            ],
            "carriers": [{"carrier": "CAT", "orders": 2, "fee": 400, "max": 2}],
            "max_extra": 6,
        },
    }
)


def test_the_sized_fleet_serves_every_order_on_time() -> None:
    day = apply_changes(tiny(), [{"demand": {"factor": 2}}]).request
    found = size_fleet(SPEC, day, executor=Inline())
    curve, best = found["curve"], found["best"]
    assert not curve[0]["on_time"], "the day needs more than its own fleet"
    assert best is not None
    assert best["units"]
    assert best["total"] == min(p["total"] for p in curve if p["on_time"])
    assert [p["extra"] for p in curve] == list(range(len(curve)))
    request, price = with_units(day, best["units"], _offers())
    assert price == best["fees"]
    request["options"] = {**request["options"], **SOLVE}
    loaded = load_request(request)
    plan = plan_request(loaded, time_limit_s=30, iterations=SOLVE["iterations"]).plan
    assert validate_plan(loaded, plan.document()) == []
    assert plan.unserved == ()
    assert all(stop.late_minutes == 0 for route in plan.routes for stop in route.stops)
    assert "every order on time" in found["answer"]


def test_a_day_served_as_it_is_adds_only_what_pays() -> None:
    found = size_fleet(SPEC, tiny(), executor=Inline())
    first, best = found["curve"][0], found["best"]
    assert first["on_time"]
    assert best["total"] <= first["total"]
    if best["units"]:
        assert best["total"] < first["total"]
    else:
        assert found["answer"].startswith("the fleet as it is")
    assert found["curve"][-1]["total"] >= best["total"]


def _offers() -> list[dict[str, object]]:
    from scenarios.sizing import offers

    return offers(SPEC)
