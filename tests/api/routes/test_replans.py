"""POST /plans/{id}/replan and GET /plans/{id}/versions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dispatch.store import Store
from dispatch.store.models import PlanJob
from tests.api.conftest import Keys, assert_problem
from tests.api.job_data import wait_job

AT = "2026-11-11T09:30:00+08:00"


def _jobs(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(PlanJob)) or 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"at": AT, "vehicles_down": [{"vehicle": "TRUCK", "at": AT}]}, "vehicle"),
        ({"at": AT, "cancel_orders": ["NOPE-1"]}, "[0]"),
        ({"at": AT, "carriers_down": ["CAT"]}, "[0]"),
        ({"at": "2026-11-10T23:00:00+08:00"}, "at"),
        ({"at": AT, "add_orders": [{"id": "A-1", "pickup_point": "PP-1"}]}, "id"),
    ],
)
def test_a_replan_naming_what_the_day_lacks_is_refused_and_stores_nothing(
    client: TestClient, keys: Keys, plan_id: int, api_store: Store, body: dict[str, Any],
    field: str,
) -> None:  # fmt: skip
    before = _jobs(api_store)
    response = client.post(f"/plans/{plan_id}/replan", json=body, headers=keys.dispatcher)
    problem = assert_problem(response, 422)
    assert any(e["field"] == field for e in problem["errors"]), problem["errors"]
    assert _jobs(api_store) == before


def test_a_planner_may_not_replan(client: TestClient, keys: Keys, plan_id: int) -> None:
    response = client.post(f"/plans/{plan_id}/replan", json={"at": AT}, headers=keys.planner)
    assert response.status_code == 403


def test_a_replan_is_the_next_version_of_the_plan(
    client: TestClient, keys: Keys, plan_id: int
) -> None:
    body = {"at": AT, "vehicles_down": [{"vehicle": "VAN#1", "at": AT}], "time_limit_s": 1}
    response = client.post(f"/plans/{plan_id}/replan", json=body, headers=keys.dispatcher)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    job = wait_job(lambda j: client.get(f"/jobs/{j}", headers=keys.dispatcher).json(), job_id)
    assert job["status"] == "succeeded", job
    new = client.get(job["plan_url"], headers=keys.dispatcher).json()
    assert new["previous_plan_id"] == plan_id
    assert new["replanned_at"].startswith("2026-11-11T09:30")
    routes = {r["vehicle"]: r for r in new["routes"]}
    assert "VAN#1" not in routes
    assert sorted(o for s in routes["VAN#2"]["stops"] for o in s["orders"]) == ["A-1", "A-2", "A-3"]
    moved = {m["order"]: (m["before"], m["after"]) for m in new["changes"]["orders_moved"]}
    assert moved["A-1"] == ("VAN#1", "VAN#2")
    versions = client.get(f"/plans/{plan_id}/versions", headers=keys.dispatcher).json()
    assert [v["id"] for v in versions["data"]] == [plan_id, job["plan_id"]]
    again = client.get(f"/plans/{job['plan_id']}/versions", headers=keys.dispatcher).json()
    assert again == versions
