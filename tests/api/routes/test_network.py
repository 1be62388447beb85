"""/network: read by all roles, replaced by admins."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem
from tests.dispatch.store.conftest import NETWORK


def test_admin_replaces_the_network(client: TestClient, keys: Keys) -> None:
    response = client.put("/network", json=NETWORK, headers=keys.admin)
    assert response.status_code == 200
    assert response.json()["pickup_points"] == 2
    stored = client.get("/network", headers=keys.planner).json()
    assert [p["id"] for p in stored["pickup_points"]] == ["PP-1", "PP-2"]


def test_invalid_network_lists_problems(client: TestClient, keys: Keys) -> None:
    """Unknown references are 422 with the record and field of each."""
    bad = {**NETWORK, "vehicles": [{"id": "V", "depot": "NOWHERE"}]}
    body = assert_problem(client.put("/network", json=bad, headers=keys.admin), 422)
    assert [(e["record"], e["field"], e["id"]) for e in body["errors"]] == [
        ("vehicles[0]", "depot", "V")
    ]


def test_dispatchers_cannot_replace_the_network(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """403, and the stored network is unchanged."""
    assert_problem(client.put("/network", json={"depots": []}, headers=keys.dispatcher), 403)
    assert len(client.get("/network", headers=keys.admin).json()["pickup_points"]) == 2
