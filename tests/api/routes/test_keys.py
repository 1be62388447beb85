"""API keys and the role matrix at the door: 401 without a live key, 403 for the wrong role."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem


def test_admin_creates_lists_and_revokes_keys(client: TestClient, keys: Keys) -> None:
    """The secret is shown once; a revoked key stops working at once."""
    created = client.post("/keys", json={"role": "planner", "name": "ops"}, headers=keys.admin)
    assert created.status_code == 201
    secret = created.json()["key"]
    listed = client.get("/keys", headers=keys.admin).json()
    assert listed["count"] == 4
    assert all("key" not in k for k in listed["data"])
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get("/plans", headers=mine).status_code == 200
    client.delete(f"/keys/{created.json()['id']}", headers=keys.admin)
    assert_problem(client.get("/plans", headers=mine), 401)


def test_no_key_or_a_wrong_key_is_401(client: TestClient) -> None:
    """Reads of plans need a key too; a 401 tells how to authenticate."""
    response = client.get("/plans")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(client.get("/plans", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get("/plans", headers={"Authorization": "Basic eDp5"}), 401)


def test_only_admins_manage_keys(client: TestClient, keys: Keys) -> None:
    """A dispatcher cannot create keys: 403, and no key appears."""
    response = client.post("/keys", json={"role": "admin"}, headers=keys.dispatcher)
    assert_problem(response, 403)
    assert client.get("/keys", headers=keys.admin).json()["count"] == 3


def test_bad_role_is_a_field_error(client: TestClient, keys: Keys) -> None:
    """Request validation errors are problem details naming the field."""
    body = assert_problem(client.post("/keys", json={"role": "boss"}, headers=keys.admin), 422)
    assert [(e["record"], e["field"]) for e in body["errors"]] == [("body", "role")]


def test_unknown_key_id_is_404(client: TestClient, keys: Keys) -> None:
    assert_problem(client.delete("/keys/999", headers=keys.admin), 404)
