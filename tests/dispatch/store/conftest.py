"""A tiny network and plan to store."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from dispatch.planning.plan import Plan
from dispatch.store import JobSource, Store, create_job, replace_network, validate_network

NETWORK: dict[str, Any] = {
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "vehicles": [{"id": "VAN", "depot": "DC", "count": 2, "capacity": {"weight_kg": 500}}],
    "pickup_points": [
        {"id": "PP-1", "location": {"lat": 25.04, "lon": 121.56},
         "time_windows": [{"start": "09:00", "end": "12:00"}]},
        {"id": "PP-2", "location": {"lat": 25.03, "lon": 121.50}},
    ],
}  # fmt: skip

PLAN: dict[str, Any] = {
    "status": "partial",
    "objective": {"total": 6200.0, "own_fleet": 1200.0, "carriers": 0.0, "penalties": 5000.0},
    "routes": [
        {"vehicle": "VAN#1", "depot": "DC", "start": "08:30", "end": "10:05", "distance_km": 12.5,
         "load": {"weight_kg": 6.0}, "cost": {"fixed": 1000, "distance": 100, "time": 100,
                                              "total": 1200.0},
         "stops": [{"stop": "PP-1", "orders": ["A-1", "A-2"],
                    "location": {"lat": 25.04, "lon": 121.56}, "arrival": "09:00",
                    "start_service": "09:00", "departure": "09:10", "late_minutes": 0}]},
    ],
    "outsourced": [],
    "unserved": [{"order": "A-3", "reason": "no vehicle can reach it in its window"}],
    "kpis": {"orders": 3, "served_own": 2, "served_carrier": 0, "unserved": 1,
             "vehicles_used": 1, "distance_km": 12.5, "on_time_rate": 1.0,
             "cost_per_order": 600.0, "max_cold_minutes": {}},
}  # fmt: skip


@pytest.fixture
def network(store: Store) -> dict[str, Any]:
    """The tiny network, stored."""
    doc = copy.deepcopy(NETWORK)
    with store.write() as session:
        replace_network(session, validate_network(doc))
    return doc


def new_job(store: Store) -> str:
    """A queued job for an empty request."""
    request = {"date": "2026-11-11", **NETWORK, "orders": []}
    with store.write() as session:
        job = create_job(
            session, request=request, plan_date=date(2026, 11, 11),
            source=JobSource.REQUEST, time_limit_s=5, actor="test",
        )  # fmt: skip
        return job.id


@pytest.fixture
def plan_doc() -> Plan:
    """The small plan, typed as the store takes it."""
    return Plan.model_validate(PLAN)
