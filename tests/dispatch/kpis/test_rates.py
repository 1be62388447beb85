"""Measured carrier rates: taken from the scorecard into a request that asks for them, priced
by the planner, checked by the validator, and named in the plan."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.kpis.rates import with_measured_rates
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan
from dispatch.store import Store
from tests.dispatch.kpis.day import CARRIER, ROAD
from tests.dispatch.kpis.stored import store_events, store_plan

OUTSOURCE: dict[str, Any] = {
    "date": "2026-12-09",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "vehicles": [{"id": "VAN", "depot": "DC", "capacity": {"weight_kg": 500},
                  "cost": {"fixed": 5000, "per_km": 10}}],
    "orders": [
        {"id": f"O-{k}", "location": {"lat": 25.0 + 0.01 * k, "lon": 121.5},
         "items": [{"sku": "x", "qty": 1, "weight_kg": 2}]}
        for k in range(3)
    ],
    "carriers": [{"id": "CAT", "price": {"per_order": 100}, "on_time_rate": 0.9}],
    "policy": {"outsourcing": "order", "carrier_late_penalty_per_order": 1000},
    "options": {"time_limit_s": 2, "engine": "ortools"},
}  # fmt: skip


def _plan(document: dict[str, Any]) -> dict[str, Any]:
    request = load_request(document)
    plan = plan_day(request, iterations=50).model_dump(mode="json")
    assert validate_plan(request, plan) == []
    return plan


def test_typed_rates_price_the_carrier_by_its_contract() -> None:
    plan = _plan(copy.deepcopy(OUTSOURCE))
    (work,) = plan["outsourced"]
    assert work["cost"] == pytest.approx(3 * (100 + 0.1 * 1000))
    assert plan["carrier_rates"] == {"source": "typed", "on_time": {"CAT": 0.9}, "measured": []}


def test_measured_rates_price_the_carrier_by_what_it_did() -> None:
    document = copy.deepcopy(OUTSOURCE)
    document["policy"] |= {"carrier_rates": "measured", "measured_rates": {"CAT": 0.5}}
    plan = _plan(document)
    (work,) = plan["outsourced"]
    assert work["cost"] == pytest.approx(3 * (100 + 0.5 * 1000))
    assert plan["carrier_rates"] == {
        "source": "measured", "on_time": {"CAT": 0.5}, "measured": ["CAT"],
    }  # fmt: skip


def test_a_carrier_without_a_measurement_keeps_its_typed_rate() -> None:
    document = copy.deepcopy(OUTSOURCE)
    document["policy"] |= {"carrier_rates": "measured", "measured_rates": {"OTHER": 0.1}}
    assert _plan(document)["carrier_rates"]["on_time"] == {"CAT": 0.9}


def test_the_store_gives_the_scorecard_rates(store: Store) -> None:
    plan_id = store_plan(store)
    late = [replace(e, at=e.at.replace(hour=13)) if e.event_id == "c2" else e for e in CARRIER]
    store_events(store, plan_id, ROAD, late)
    document = copy.deepcopy(OUTSOURCE)
    document["policy"]["carrier_rates"] = "measured"
    with store.read() as session:
        given = with_measured_rates(session, document, date(2026, 12, 9))
        assert with_measured_rates(session, OUTSOURCE, date(2026, 12, 9)) is OUTSOURCE
    # CAT's one delivery came at 13:00, after its 12:00 window: measured on time 0 of 1.
    assert given["policy"]["measured_rates"] == {"CAT": 0.0}
    assert _plan(dict(given))["carrier_rates"]["on_time"] == {"CAT": 0.0}
