"""/plans: planning as a job, the plan as contract JSON and as GeoJSON, and bad input."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.intake.loading import load_request
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from dispatch.store import Role, Store, create_key, list_jobs
from optimizer import portfolio
from tests.api.conftest import Keys, assert_problem
from tests.dispatch.store.conftest import PLAN

SCENARIO: dict[str, Any] = {
    "date": "2026-11-11",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52},
                "open": "06:00", "close": "22:00", "loading_minutes": 10}],
    "vehicles": [{"id": "VAN", "depot": "DC", "count": 2,
                  "capacity": {"weight_kg": 500, "volume_l": 3000, "chilled_l": 800},
                  "shift": {"start": "07:00", "end": "20:00"},
                  "cost": {"fixed": 1000, "per_km": 9, "per_hour": 300}}],
    "pickup_points": [{"id": "PP-1", "location": {"lat": 25.041, "lon": 121.565},
                       "time_windows": [{"start": "09:00", "end": "12:00"}],
                       "service_minutes": 5}],
    "orders": [
        {"id": f"S-{k}", "pickup_point": "PP-1",
         "items": [{"sku": "milk-1l", "qty": 2, "weight_kg": 1.05, "volume_l": 1.1,
                    "temperature": "chilled"}]}
        for k in range(6)
    ] + [
        {"id": "H-1", "location": {"lat": 25.03, "lon": 121.50},
         "time_windows": [{"start": "13:00", "end": "17:00"}], "service_minutes": 3,
         "items": [{"sku": "rice-5kg", "qty": 1, "weight_kg": 5, "volume_l": 6.5}]},
    ],
    "options": {"time_limit_s": 1},
}  # fmt: skip


def _jobs(store: Store) -> int:
    with store.read() as session:
        return list_jobs(session, status=None, limit=1, offset=0).count


def wait_for(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll the job until it has finished (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.slow
def test_a_scenario_is_planned_as_a_job(client: TestClient, keys: Keys) -> None:
    """202 at once with the status URL; the job ends with a valid plan, in JSON and GeoJSON."""
    accepted = client.post("/plans", json=SCENARIO, headers=keys.planner)
    assert accepted.status_code == 202, accepted.text
    status_url = accepted.json()["status_url"]
    assert accepted.headers["location"] == status_url
    job = wait_for(client, accepted.json()["job_id"], keys.planner)
    assert job["status"] == "succeeded", job["error"]
    assert job["best_cost"] > 0
    assert job["elapsed_s"] > 0
    plan = client.get(job["plan_url"], headers=keys.planner).json()
    assert validate_plan(load_request(SCENARIO), plan) == []
    assert plan["kpis"]["orders"] == 7
    geo = client.get(f"{job['plan_url']}/geojson", headers=keys.planner)
    assert geo.headers["content-type"] == "application/geo+json"
    kinds = {f["properties"]["kind"] for f in geo.json()["features"]}
    assert {"route", "stop"} <= kinds


@pytest.mark.slow
def test_a_job_runs_the_portfolio_from_its_worker(client: TestClient, keys: Keys) -> None:
    """With 5 s the default engine starts its partner search and their trade queues in
    children of the job's worker process."""
    scenario = copy.deepcopy(SCENARIO)
    scenario["options"] = {"time_limit_s": portfolio.PARALLEL_FROM_S}
    accepted = client.post("/plans", json=scenario, headers=keys.planner)
    assert accepted.status_code == 202, accepted.text
    job = wait_for(client, accepted.json()["job_id"], keys.planner)
    assert job["status"] == "succeeded", job["error"]
    plan = client.get(job["plan_url"], headers=keys.planner).json()
    assert plan["solver"]["engine"] == "portfolio"
    assert validate_plan(load_request(scenario), plan) == []


@pytest.mark.slow
def test_jobs_run_side_by_side(settings: Settings) -> None:
    """Two jobs solved at once by two workers each end with their own plan of their orders."""
    first = copy.deepcopy(SCENARIO)
    second = copy.deepcopy(SCENARIO)
    second["orders"] = [{**o, "id": "B" + o["id"]} for o in second["orders"]]
    first["options"] = second["options"] = {"time_limit_s": 4}
    app = create_app(settings.model_copy(update={"workers": 2}))
    with TestClient(app) as client:
        with app.state.store.write() as session:
            headers = {"Authorization": f"Bearer {create_key(session, Role.DISPATCHER)[1]}"}
        ids = [client.post("/plans", json=d, headers=headers).json()["job_id"]
               for d in (first, second)]  # fmt: skip
        jobs = [wait_for(client, i, headers) for i in ids]
        plans = [client.get(j["plan_url"], headers=headers).json() for j in jobs]
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"]
    assert jobs[0]["started_at"] < jobs[1]["finished_at"]
    assert jobs[1]["started_at"] < jobs[0]["finished_at"]
    for doc, plan in zip((first, second), plans, strict=True):
        assert validate_plan(load_request(doc), plan) == []


def test_stored_plan_reads_back_exactly(client: TestClient, keys: Keys, plan_id: int) -> None:
    """GET /plans/{id} is the stored contract JSON; the list pages summaries."""
    stored = Plan.model_validate(PLAN).document()
    assert client.get(f"/plans/{plan_id}", headers=keys.planner).json() == stored
    listed = client.get("/plans", params={"date": "2026-11-11"}, headers=keys.planner).json()
    assert listed["count"] == 1
    assert listed["data"][0]["unserved"] == 1
    summary = client.get(f"/plans/{plan_id}/summary", headers=keys.planner).json()
    assert summary["total_cost"] == PLAN["objective"]["total"]


def test_geojson_has_routes_stops_and_unserved(
    client: TestClient, keys: Keys, plan_id: int
) -> None:
    collection = client.get(f"/plans/{plan_id}/geojson", headers=keys.planner).json()
    features = {f["properties"]["kind"]: f for f in collection["features"]}
    assert features["route"]["geometry"]["type"] == "LineString"
    assert features["route"]["geometry"]["coordinates"][0] == [121.52, 25.06]
    assert features["stop"]["geometry"]["coordinates"] == [121.56, 25.04]
    assert features["unserved"]["properties"]["order"] == "A-3"


def test_planners_may_not_plan_stored_orders(
    client: TestClient, keys: Keys, api_store: Store, network: dict[str, Any]
) -> None:
    """A planner's date request is 403 and creates no job."""
    response = client.post("/plans", json={"date": "2026-11-11"}, headers=keys.planner)
    assert_problem(response, 403)
    assert _jobs(api_store) == 0


def test_date_without_orders_is_422(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    body = assert_problem(
        client.post("/plans", json={"date": "2026-11-11"}, headers=keys.dispatcher), 422
    )
    assert body["errors"][0]["field"] == "date"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"date": "11/11/2026"}, 422, "date"),
        ({"date": "2026-11-11", "surprise": 1}, 422, "surprise"),
        ([1, 2], 422, ""),
        ({**SCENARIO, "orders": [{**SCENARIO["orders"][0], "pickup_point": "PP-404"}]}, 422,
         "pickup_point"),
        ({**SCENARIO, "vehicles": [{**SCENARIO["vehicles"][0], "count": "two"}]}, 422, "count"),
    ],
)  # fmt: skip
def test_bad_plan_requests_are_problems(
    client: TestClient, keys: Keys, api_store: Store, body: Any, status: int, field: str
) -> None:
    """Wrong types, unknown references and unknown fields: 422 listing each; no job made."""
    problem = assert_problem(client.post("/plans", json=body, headers=keys.admin), status)
    assert any(e["field"] == field for e in problem["errors"]) or not field
    assert _jobs(api_store) == 0


def test_nan_is_not_a_number(client: TestClient, keys: Keys, api_store: Store) -> None:
    """NaN and Infinity (which Python's JSON parser accepts) are refused by field."""
    body = b'{"date": "2026-11-11", "depots": [], "note": NaN, "options": {"seed": Infinity}}'
    headers = {**keys.admin, "content-type": "application/json"}
    problem = assert_problem(client.post("/plans", content=body, headers=headers), 422)
    assert [e["field"] for e in problem["errors"]] == ["note", "options.seed"]
    assert _jobs(api_store) == 0


def test_malformed_json_is_400(client: TestClient, keys: Keys) -> None:
    response = client.post(
        "/plans", content=b'{"date": ', headers={**keys.admin, "content-type": "application/json"}
    )
    assert_problem(response, 400)


def test_unknown_plan_is_404(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/plans/999", headers=keys.planner), 404)
    assert_problem(client.get("/plans/abc", headers=keys.planner), 422)


def test_an_engine_that_cannot_plan_the_request_is_422(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    """PyVRP alone with paid lateness is refused at once, naming the option; no job is made."""
    body = {**SCENARIO, "options": {"time_limit_s": 1, "engine": "pyvrp"},
            "policy": {"late_penalty_per_minute": 5, "max_late_minutes": 30}}  # fmt: skip
    problem = assert_problem(client.post("/plans", json=body, headers=keys.planner), 422)
    assert problem["type"] == "/problems/unsupported-option"
    assert [e["field"] for e in problem["errors"]] == ["options.engine"]
    assert "paid lateness" in problem["detail"]
    assert _jobs(api_store) == 0
