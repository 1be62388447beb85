"""/plans/{id}/driver-links and /plans/{id}/events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from dispatch.store import EventKind, Store, record_event, resolve_driver_link
from tests.api.conftest import Keys, assert_problem

LATER = (datetime.now(UTC) + timedelta(days=1)).isoformat()


def test_dispatcher_creates_and_revokes_links(
    client: TestClient, keys: Keys, plan_id: int, api_store: Store
) -> None:
    """Links resolve to their route until revoked; tokens are returned once."""
    url = f"/plans/{plan_id}/driver-links"
    assert_problem(client.post(url, headers=keys.dispatcher), 422)
    created = client.post(url, json={"expires_at": LATER}, headers=keys.dispatcher)
    assert created.status_code == 201, created.text
    link = created.json()["links"]["VAN#1"]
    token = link.removeprefix("/d/")
    with api_store.read() as session:
        assert resolve_driver_link(session, token) == (plan_id, "VAN#1")
    revoked = client.delete(f"/plans/{plan_id}/driver-links", headers=keys.dispatcher)
    assert revoked.json() == {"revoked": 1}
    with api_store.read() as session:
        assert resolve_driver_link(session, token) is None
    audit = client.get("/audit", headers=keys.admin).json()["data"]
    assert token not in str(audit)


def test_links_need_a_dispatcher_and_a_known_route(
    client: TestClient, keys: Keys, plan_id: int
) -> None:
    url = f"/plans/{plan_id}/driver-links"
    assert_problem(client.post(url, headers=keys.planner), 403)
    assert_problem(client.delete(url, headers=keys.planner), 403)
    assert_problem(client.post(url, json={"vehicles": ["BUS"]}, headers=keys.admin), 404)
    assert_problem(client.post("/plans/999/driver-links", headers=keys.admin), 404)


def test_events_are_listed_per_plan(
    client: TestClient, keys: Keys, plan_id: int, api_store: Store
) -> None:
    with api_store.write() as session:
        record_event(session, plan_id, "VAN#1", "PP-1", EventKind.ARRIVED)
    page = client.get(f"/plans/{plan_id}/events", headers=keys.planner).json()
    assert [(e["stop"], e["kind"]) for e in page["data"]] == [("PP-1", "arrived")]
