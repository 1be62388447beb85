"""Per-role limits on plan jobs: the longest search, and unfinished jobs per key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.settings import JobLimits, Settings, TimeLimits
from dispatch.store import Role, Store, create_key
from tests.api.conftest import Keys, assert_problem
from tests.api.job_data import scenario


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, load_demo=False, workers=1,
        max_time_limit_s=TimeLimits(planner=60, dispatcher=90),
        max_open_jobs=JobLimits(planner=1, dispatcher=2),
    )  # fmt: skip


@pytest.fixture
def quiet(client: TestClient, keys: Keys) -> Iterator[None]:
    """Cancel every unfinished job at the end, so no search outlives the test."""
    yield
    for job in client.get("/jobs", headers=keys.admin).json()["data"]:
        if job["status"] in ("queued", "running"):
            client.delete(f"/jobs/{job['id']}", headers=keys.admin)


def test_a_role_may_not_ask_for_a_longer_search(client: TestClient, keys: Keys) -> None:
    """Beyond the role's longest search: 422 naming options.time_limit_s; nothing queued."""
    body = assert_problem(client.post("/plans", json=scenario(61), headers=keys.planner), 422)
    assert [e["field"] for e in body["errors"]] == ["options.time_limit_s"]
    assert "at most 60 seconds" in body["errors"][0]["message"]
    assert_problem(client.post("/plans", json=scenario(91), headers=keys.dispatcher), 422)
    assert client.get("/jobs", headers=keys.admin).json()["count"] == 0


@pytest.mark.usefixtures("quiet")
def test_a_key_may_have_only_so_many_unfinished_jobs(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    """One key more than its role's unfinished jobs: 429 with Retry-After; another key of
    the role still gets in; a cancelled job frees the place."""
    first = client.post("/plans", json=scenario(60), headers=keys.planner)
    assert first.status_code == 202, first.text
    refused = client.post("/plans", json=scenario(5), headers=keys.planner)
    body = assert_problem(refused, 429)
    assert "unfinished" in body["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    with api_store.write() as session:
        other = {"Authorization": f"Bearer {create_key(session, Role.PLANNER)[1]}"}
    assert client.post("/plans", json=scenario(5), headers=other).status_code == 202
    client.delete(f"/jobs/{first.json()['job_id']}", headers=keys.planner)
    assert client.post("/plans", json=scenario(5), headers=keys.planner).status_code == 202


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """DISPATCH_MAX_TIME_LIMIT_S and DISPATCH_MAX_OPEN_JOBS take JSON, by role."""
    monkeypatch.setenv("DISPATCH_MAX_TIME_LIMIT_S", '{"planner": 30}')
    monkeypatch.setenv("DISPATCH_MAX_OPEN_JOBS", '{"dispatcher": 6}')
    settings = Settings()
    assert settings.max_time_limit_s.of(Role.PLANNER) == 30
    assert settings.max_time_limit_s.of(Role.ADMIN) == 3600
    assert settings.max_open_jobs.of(Role.DISPATCHER) == 6
    assert settings.max_open_jobs.of(Role.PLANNER) == 2
