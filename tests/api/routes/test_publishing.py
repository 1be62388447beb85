"""``POST /plans/{id}/publish`` and the driver links of a superseded plan."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dispatch.store import Role, Store, create_key, get_plan, list_events
from tests.api.conftest import assert_problem
from tests.api.driver_data import StoredPlan, build_app, make_plan, store_plan


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DISPATCH_TILES_URL", "")
    app = build_app(f"sqlite:///{tmp_path / 'dispatch.sqlite'}")
    with TestClient(app) as c:
        yield c


@pytest.fixture
def store(client: TestClient) -> Store:
    s: Store = client.app.state.store  # type: ignore[attr-defined]
    return s


@pytest.fixture
def keys(store: Store) -> dict[Role, dict[str, str]]:
    with store.write() as session:
        return {
            role: {"Authorization": f"Bearer {create_key(session, role, role.value)[1]}"}
            for role in Role
        }


def _renamed(plan: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The plan with every stop renamed ``prefix <n>``, to tell its pages apart."""
    plan = copy.deepcopy(plan)
    for route in plan["routes"]:
        for k, stop in enumerate(route["stops"], start=1):
            stop["name"] = f"{prefix} {k}"
    return plan


def _stop_names(html: str) -> list[str]:
    return re.findall(r"<h2>([^<]+)</h2>", html)


def _publish(client: TestClient, plan_id: int, headers: dict[str, str]) -> Any:
    return client.post(f"/plans/{plan_id}/publish", headers=headers)


def test_a_dispatcher_publishes_and_the_previous_plan_is_superseded(
    client: TestClient, store: Store, keys: dict[Role, dict[str, str]]
) -> None:
    old, new = store_plan(store), store_plan(store)
    first = _publish(client, old.plan_id, keys[Role.DISPATCHER])
    assert first.status_code == 200, first.text
    assert first.json()["superseded"] is None
    second = _publish(client, new.plan_id, keys[Role.ADMIN])
    assert (second.json()["plan_id"], second.json()["superseded"]) == (new.plan_id, old.plan_id)
    with store.read() as session:
        assert get_plan(session, old.plan_id).superseded_by == new.plan_id
        published_by = get_plan(session, new.plan_id).published_by
    assert published_by is not None
    assert published_by.endswith("(admin)")
    assert_problem(_publish(client, old.plan_id, keys[Role.ADMIN]), 409)
    assert_problem(_publish(client, 999, keys[Role.ADMIN]), 404)


def test_a_planner_cannot_publish(
    client: TestClient, store: Store, keys: dict[Role, dict[str, str]]
) -> None:
    stored = store_plan(store)
    assert_problem(_publish(client, stored.plan_id, keys[Role.PLANNER]), 403)
    assert_problem(client.post(f"/plans/{stored.plan_id}/publish"), 401)
    with store.read() as session:
        assert get_plan(session, stored.plan_id).published_at is None


def test_an_old_link_shows_the_newest_route_with_a_banner(
    client: TestClient, store: Store, keys: dict[Role, dict[str, str]]
) -> None:
    old = store_plan(store, _renamed(make_plan((3, 2)), "舊站"))
    page = client.get(f"/d/{old.tokens['V01']}").text
    assert _stop_names(page) == ["舊站 1", "舊站 2", "舊站 3"]
    assert 'id="route-changed"' not in page
    new = store_plan(store, _renamed(make_plan((2, 2)), "新站"))
    _publish(client, old.plan_id, keys[Role.DISPATCHER])
    _publish(client, new.plan_id, keys[Role.DISPATCHER])

    page = client.get(f"/d/{old.tokens['V01']}").text
    assert _stop_names(page) == ["新站 1", "新站 2"]
    assert 'id="route-changed"' in page
    assert "路線已更新" in page
    assert "舊站" not in page
    assert 'id="route-changed"' not in client.get(f"/d/{new.tokens['V01']}").text


def test_an_old_links_events_go_to_the_plan_it_shows(
    client: TestClient, store: Store, keys: dict[Role, dict[str, str]]
) -> None:
    old, new = store_plan(store), store_plan(store)
    _publish(client, old.plan_id, keys[Role.DISPATCHER])
    _publish(client, new.plan_id, keys[Role.DISPATCHER])
    sent = client.post(
        f"/d/{old.tokens['V01']}/events", json={"stop": "PP-102", "kind": "delivered"}
    )
    assert sent.status_code == 201, sent.text
    with store.read() as session:
        assert list_events(session, old.plan_id, limit=10, offset=0).items == []
        (event,) = list_events(session, new.plan_id, limit=10, offset=0).items
    assert (event.vehicle, event.stop) == ("V01", "PP-102")
    page = client.get(f"/d/{old.tokens['V01']}").text
    assert 'data-stop="PP-102" data-status="delivered"' in page


def test_a_link_whose_vehicle_has_no_route_now_says_it_was_replaced(
    client: TestClient, store: Store, keys: dict[Role, dict[str, str]]
) -> None:
    old: StoredPlan = store_plan(store, make_plan((3, 2)))
    new = store_plan(store, make_plan((3,)))
    _publish(client, old.plan_id, keys[Role.DISPATCHER])
    _publish(client, new.plan_id, keys[Role.DISPATCHER])
    page = client.get(f"/d/{old.tokens['V02']}?lang=en")
    assert page.status_code == 200
    assert 'id="route-replaced"' in page.text
    assert "This route was replaced" in page.text
    assert "PP-201" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    refused = client.post(
        f"/d/{old.tokens['V02']}/events", json={"stop": "PP-201", "kind": "delivered"}
    )
    assert_problem(refused, 409)
    with store.read() as session:
        assert list_events(session, new.plan_id, limit=10, offset=0).items == []
        assert list_events(session, old.plan_id, limit=10, offset=0).items == []
