"""/health and /metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Keys


def test_health_needs_no_key(client: TestClient) -> None:
    """Monitoring reads /health without a key; the database is checked."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_metrics_by_route_template(client: TestClient, keys: Keys) -> None:
    """Latency is labelled by route template (never an id); jobs are counted by status."""
    client.get("/plans/424242", headers=keys.planner)
    text = client.get("/metrics").text
    assert 'route="/plans/{plan_id}",status="404"' in text
    assert "424242" not in text
    assert 'dispatch_plan_jobs{status="queued"} 0.0' in text
    assert "dispatch_plan_solve_seconds" in text
