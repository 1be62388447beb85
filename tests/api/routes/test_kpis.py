"""GET /kpis as JSON and CSV, the scorecard, and the KPI page, on the hand-made stored day."""

from __future__ import annotations

import copy
import csv
import io

import pytest
from fastapi.testclient import TestClient

from dispatch.kpis.kept import kept_frames
from dispatch.live.wallclock import ManualClock
from dispatch.store import Store, get_job
from tests.api.conftest import Keys, assert_problem
from tests.dispatch.kpis.day import CARRIER, ROAD, at
from tests.dispatch.kpis.stored import store_events, store_notice, store_plan
from tests.dispatch.kpis.test_rates import OUTSOURCE

DAY = {"from": "2026-12-08", "to": "2026-12-08"}


@pytest.fixture
def day(api_store: Store) -> int:
    plan_id = store_plan(api_store)
    store_events(api_store, plan_id, ROAD, CARRIER)
    store_notice(api_store, plan_id, "A-1", at("09:40"), 50.0)
    store_notice(api_store, plan_id, "H-1", at("10:13"))
    return plan_id


def test_the_total_and_rows_per_carrier(client: TestClient, keys: Keys, day: int) -> None:
    r = client.get("/kpis", params={**DAY, "group_by": "carrier"}, headers=keys.planner)
    assert r.status_code == 200, r.text
    body = r.json()
    total = body["total"]
    assert (total["orders"], total["delivered"], total["failed"]) == (6, 3, 2)
    assert total["failed_by_reason"] == {"nobody": 1, "refused": 1}
    assert (total["success_rate"], total["p95_delay_minutes"]) == (0.5, 20)
    assert (total["cost_per_delivered_order"], total["cold_chain_compliance"]) == (500, 0)
    assert (total["notices"], total["compensation_total"]) == (2, 50)
    assert body["count"] == 3
    assert [row["group"] for row in body["data"]] == ["CAT", "own", "unserved"]
    assert sum(row["orders"] for row in body["data"]) == total["orders"]


def test_csv_by_accept_or_format(client: TestClient, keys: Keys, day: int) -> None:
    for extra, headers in (({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})):
        r = client.get(
            "/kpis", params={**DAY, "group_by": "day", **extra}, headers={**keys.planner, **headers}
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["group"] for row in rows] == ["2026-12-08", "total"]
        assert rows[1]["orders"] == "6"
        assert (rows[1]["failed_nobody"], rows[1]["failed_refused"]) == ("1", "1")
        assert rows[1]["on_time_rate"] == "0.3333"


def test_a_report_keeps_the_frame_of_a_plan_stored_without_one(
    client: TestClient, keys: Keys, api_store: Store, day: int
) -> None:
    with api_store.read() as session:
        assert kept_frames(session, [day]) == {}
    r = client.get("/kpis", params=DAY, headers=keys.planner)
    assert r.json()["total"]["delivered"] == 3
    with api_store.read() as session:
        assert set(kept_frames(session, [day])) == {day}


def test_a_replan_counts_with_the_events_of_its_earlier_version(
    client: TestClient, keys: Keys, api_store: Store, day: int
) -> None:
    store_plan(api_store, previous=day)
    r = client.get("/kpis", params=DAY, headers=keys.planner)
    assert r.json()["total"]["delivered"] == 3
    assert r.json()["data"] == []


def test_a_day_without_plans_counts_nothing(client: TestClient, keys: Keys, day: int) -> None:
    r = client.get("/kpis", params={"from": "2026-12-01", "to": "2026-12-07"}, headers=keys.admin)
    assert r.json()["total"]["orders"] == 0
    assert r.json()["total"]["success_rate"] is None


def test_bad_spans_are_named(client: TestClient, keys: Keys) -> None:
    body = assert_problem(
        client.get("/kpis", params={"from": "2026-12-08", "to": "2026-12-01"}, headers=keys.admin),
        422,
    )
    assert body["errors"][0]["field"] == "to"
    body = assert_problem(
        client.get("/kpis", params={"from": "2024-01-01", "to": "2026-12-01"}, headers=keys.admin),
        422,
    )
    assert body["errors"][0]["field"] == "to"
    assert_problem(client.get("/kpis", params={"group_by": "driver"}, headers=keys.admin), 422)
    assert_problem(client.get("/kpis", params={"from": "12/08"}, headers=keys.admin), 422)


def test_a_key_or_session_is_needed(client: TestClient) -> None:
    assert_problem(client.get("/kpis"), 401)
    assert_problem(client.get("/carriers/scorecard"), 401)
    page = client.get("/kpis/view", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in")


def test_the_scorecard(client: TestClient, keys: Keys, day: int) -> None:
    client.app.state.clock = ManualClock(at("18:00"))  # type: ignore[attr-defined]
    r = client.get("/carriers/scorecard", params={"days": 7}, headers=keys.planner)
    assert r.status_code == 200, r.text
    assert r.json()["from"] == "2026-12-02"
    (cat,) = r.json()["data"]
    assert cat == {
        "carrier": "CAT", "orders": 2, "delivered": 1, "failed": 1, "open": 0, "on_time": 1,
        "success_rate": 0.5, "on_time_rate": 1.0,
    }  # fmt: skip
    assert_problem(client.get("/carriers/scorecard?days=0", headers=keys.planner), 422)


def test_the_page_names_its_scripts_and_policy(client: TestClient, keys: Keys) -> None:
    r = client.get("/kpis/view", params={**DAY, "lang": "en"}, headers=keys.dispatcher)
    assert r.status_code == 200, r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "/static/vendor/chartjs-4.5.1/chart.umd.min.js" in r.text
    assert 'data-from="2026-12-08"' in r.text
    assert "By region" in r.text
    assert "各區域" in client.get("/kpis/view", headers=keys.dispatcher).text
    js = client.get("/static/vendor/chartjs-4.5.1/chart.umd.min.js")
    assert js.status_code == 200


def test_a_plan_request_asking_for_measured_rates_gets_them(
    client: TestClient, keys: Keys, api_store: Store, day: int
) -> None:
    client.app.state.clock = ManualClock(at("18:00"))  # type: ignore[attr-defined]
    document = copy.deepcopy(OUTSOURCE)
    document["policy"]["carrier_rates"] = "measured"
    r = client.post("/plans", json=document, headers=keys.planner)
    assert r.status_code == 202, r.text
    with api_store.read() as session:
        stored = get_job(session, r.json()["job_id"]).request
    assert stored["policy"]["measured_rates"] == {"CAT": 1.0}
