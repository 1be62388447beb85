"""A stored plan for the live day's storage tests: a pickup point and a home delivery."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from dispatch.planning.plan import Plan
from dispatch.store import (
    JobSource,
    Store,
    create_job,
    replace_network,
    save_plan,
    start_job,
    validate_network,
)
from tests.dispatch.store.conftest import NETWORK, PLAN

REQUEST: dict[str, Any] = {
    "date": "2026-12-08",
    "timezone": "Asia/Taipei",
    **NETWORK,
    "pickup_points": [
        {**NETWORK["pickup_points"][0], "name": "信義社區", "contact": "陳團主",
         "email": "leader@example.com"},
        NETWORK["pickup_points"][1],
    ],
    "orders": [
        {"id": "A-1", "pickup_point": "PP-1"},
        {"id": "A-2", "pickup_point": "PP-1"},
        {"id": "A-3", "pickup_point": "PP-2"},
        {"id": "H-1", "customer": "王小姐", "email": "wang@example.com",
         "location": {"lat": 25.05, "lon": 121.55}},
    ],
}  # fmt: skip

LIVE_PLAN: dict[str, Any] = copy.deepcopy(PLAN)
LIVE_PLAN["date"] = "2026-12-08"
LIVE_PLAN["routes"][0]["stops"].append(
    {"stop": "H-1", "orders": ["H-1"], "location": {"lat": 25.05, "lon": 121.55},
     "arrival": "09:30", "start_service": "09:30", "departure": "09:35", "late_minutes": 0}
)  # fmt: skip
LIVE_PLAN["kpis"] = {**PLAN["kpis"], "orders": 4, "served_own": 3}


def store_live_plan(store: Store) -> int:
    """The network, a job for :data:`REQUEST` and :data:`LIVE_PLAN`, stored; the plan's id."""
    with store.write() as session:
        replace_network(session, validate_network(copy.deepcopy(NETWORK)))
        job = create_job(
            session, request=copy.deepcopy(REQUEST), plan_date=date(2026, 12, 8),
            source=JobSource.REQUEST, time_limit_s=5, actor="test",
        )  # fmt: skip
        start_job(session, job.id)
        return save_plan(session, job.id, Plan.model_validate(LIVE_PLAN)).id


@pytest.fixture
def plan_id(store: Store) -> int:
    return store_live_plan(store)
