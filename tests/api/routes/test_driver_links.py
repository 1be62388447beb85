"""/plans/{id}/driver-links and /plans/{id}/events: only dispatchers see working links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from api.app import create_app
from api.settings import Settings
from dispatch.store import EventKind, Role, Store, create_key, record_event, resolve_driver_link
from tests.api.conftest import Keys, assert_problem
from tests.api.job_data import scenario, wait_job

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


LINK_KEY = "a-link-key-for-tests-only-0123456789"


def _plan_by_a_job(client: TestClient, keys: Keys) -> int:
    """A plan for tomorrow made the service's way: a job solved by a worker, with links."""
    doc = {**scenario(1), "date": (datetime.now(UTC) + timedelta(days=1)).date().isoformat()}
    job_id = client.post("/plans", json=doc, headers=keys.planner).json()["job_id"]
    job = wait_job(lambda j: client.get(f"/jobs/{j}", headers=keys.planner).json(), job_id)
    assert job["status"] == "succeeded", job["error"]
    return int(job["plan_id"])


def _everything_stored(store: Store) -> str:
    """Every value of every row of every table, as one text."""
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


@pytest.fixture
def keyed_client(database_url: str) -> Iterator[TestClient]:
    """The app with a link key."""
    settings = Settings(database_url=database_url, load_demo=False, workers=1,
                        link_key=LINK_KEY)  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.slow
def test_only_dispatchers_see_working_links(keyed_client: TestClient) -> None:
    """A planned job's plan has no links for anyone; dispatchers list the live links (revoked
    ones left out, replaced ones too), planners cannot; no token is stored in any table."""
    client = keyed_client
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    with store.write() as session:
        secrets = {role: create_key(session, role, role.value)[1] for role in Role}
    keys = Keys(*({"Authorization": f"Bearer {secrets[r]}"} for r in Role))
    plan_id = _plan_by_a_job(client, keys)
    url = f"/plans/{plan_id}/driver-links"

    listed = client.get(url, headers=keys.dispatcher).json()["data"]
    vehicles = [link["vehicle"] for link in listed]
    assert vehicles
    assert all(link["link"] for link in listed)
    tokens = [link["link"].removeprefix("/d/") for link in listed]
    with store.read() as session:
        assert [resolve_driver_link(session, t) for t in tokens] == [(plan_id, v) for v in vehicles]
    assert client.get(url, headers=keys.admin).json()["data"] == listed
    assert_problem(client.get(url, headers=keys.planner), 403)
    for who in (keys.planner, keys.dispatcher):
        plan = client.get(f"/plans/{plan_id}", headers=who).text
        assert "driver_link" not in plan
        assert not [t for t in tokens if t in plan]

    client.delete(url, params={"vehicle": vehicles[-1]}, headers=keys.dispatcher)
    after_revoke = client.get(url, headers=keys.dispatcher).json()["data"]
    assert vehicles[-1] not in [link["vehicle"] for link in after_revoke]
    replaced = client.post(url, json={"vehicles": [vehicles[0]]}, headers=keys.dispatcher)
    new = replaced.json()["links"][vehicles[0]].removeprefix("/d/")
    live = {
        link["link"].removeprefix("/d/")
        for link in client.get(url, headers=keys.dispatcher).json()["data"]
    }
    assert new in live
    assert not live & set(tokens)
    events = client.post(f"/d/{tokens[0]}/events", json={"stop": "PP-1", "kind": "arrived"})
    assert events.status_code == 404

    stored = _everything_stored(store)
    assert not [t for t in {*tokens, new} if t in stored]
    assert LINK_KEY not in stored


def test_without_a_link_key_links_are_shown_once(
    client: TestClient, keys: Keys, plan_id: int, api_store: Store
) -> None:
    """Without a link key a token appears only in the answer creating it: the list shows the
    live link with ``link`` null; the database holds only its hash."""
    url = f"/plans/{plan_id}/driver-links"
    created = client.post(url, json={"expires_at": LATER}, headers=keys.dispatcher)
    token = created.json()["links"]["VAN#1"].removeprefix("/d/")
    listed = client.get(url, headers=keys.dispatcher).json()
    assert listed["count"] == 1
    assert listed["data"][0]["vehicle"] == "VAN#1"
    assert listed["data"][0]["link"] is None
    assert token not in _everything_stored(api_store)
