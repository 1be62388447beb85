"""/audit: every write, by whom."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem
from tests.dispatch.store.conftest import NETWORK


def test_writes_are_audited(client: TestClient, keys: Keys) -> None:
    client.put("/network", json=NETWORK, headers=keys.admin)
    client.post("/keys", json={"role": "planner"}, headers=keys.admin)
    entries = client.get("/audit", headers=keys.admin).json()["data"]
    assert [e["action"] for e in entries] == ["key.create", "network.replace"]
    assert all(e["actor"].startswith("key:") for e in entries)


def test_only_admins_read_the_audit_log(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/audit", headers=keys.planner), 403)
