"""/jobs: a job's state survives the process that ran it; jobs can be cancelled."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.job_runner import JobRunner
from dispatch.store import JobSource, Store, create_job, start_job
from tests.api.conftest import Keys, assert_problem
from tests.api.job_data import alive, scenario, wait_job


def test_jobs_left_by_a_stopped_server_fail_at_start(
    app: FastAPI, database_url: str, keys: Keys, client: TestClient
) -> None:
    """At start-up, jobs left running or queued are failed: 'interrupted by a server restart'."""
    store = Store(database_url)
    with store.write() as session:
        job = create_job(
            session, request={}, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=5, actor="test",
        )  # fmt: skip
        start_job(session, job.id)
    store.dispose()
    client.__exit__(None, None, None)
    with TestClient(app) as restarted:
        body = restarted.get(f"/jobs/{job.id}", headers=keys.planner).json()
        listed = restarted.get("/jobs", params={"status": "failed"}, headers=keys.planner)
    assert body["status"] == "failed"
    assert body["error"]["detail"] == "interrupted by a server restart"
    assert listed.json()["count"] == 1


def test_unknown_job_is_404(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/jobs/nope", headers=keys.planner), 404)
    assert_problem(client.get("/jobs", params={"status": "lost"}, headers=keys.planner), 422)


def _reader(client: TestClient, keys: Keys) -> Callable[[str], dict[str, Any]]:
    def read(job_id: str) -> dict[str, Any]:
        return dict(client.get(f"/jobs/{job_id}", headers=keys.planner).json())

    return read


@pytest.mark.slow
def test_cancelled_jobs_never_run_or_stop_running(client: TestClient, keys: Keys) -> None:
    """A queued job cancelled never starts; a running one has its worker stopped and keeps no
    plan; the solver is free at once for the next job; a finished job cannot be cancelled."""
    read = _reader(client, keys)
    runner: JobRunner = client.app.state.runner  # type: ignore[attr-defined]
    running = client.post("/plans", json=scenario(60), headers=keys.planner).json()["job_id"]
    wait_job(read, running, ["running"])
    queued = client.post("/plans", json=scenario(1), headers=keys.planner).json()["job_id"]
    worker = runner.worker_pids()[running]
    assert worker is not None

    cancelled = client.delete(f"/jobs/{queued}", headers=keys.dispatcher)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"]["detail"] == "cancelled by key:2 (dispatcher)"
    stopped = client.delete(f"/jobs/{running}", headers=keys.planner).json()
    assert stopped["status"] == "cancelled"
    assert stopped["error"]["detail"] == "cancelled by key:3 (planner)"
    deadline = time.monotonic() + 10
    while alive([worker]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive([worker]) == []

    started = time.monotonic()
    after = client.post("/plans", json=scenario(1), headers=keys.planner).json()["job_id"]
    assert wait_job(read, after)["status"] == "succeeded"
    assert time.monotonic() - started < 30
    assert read(queued)["started_at"] is None
    for job_id in (queued, running):
        job = read(job_id)
        assert (job["status"], job["plan_id"]) == ("cancelled", None)
    assert_problem(client.delete(f"/jobs/{after}", headers=keys.admin), 409)
    assert_problem(client.delete(f"/jobs/{running}", headers=keys.admin), 409)
    assert_problem(client.delete("/jobs/nope", headers=keys.admin), 404)
    actions = [e["action"] for e in client.get("/audit", headers=keys.admin).json()["data"]]
    assert actions.count("plan.cancel") == 2
    metrics = client.get("/metrics").text
    assert 'dispatch_plan_jobs{status="cancelled"} 2.0' in metrics


def test_planners_cancel_only_their_own_jobs(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    """A planner may cancel its own key's jobs, not another key's."""
    with api_store.write() as session:
        theirs = create_job(
            session, request={}, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=5, actor="key:2 (dispatcher)", key_id=2,
        ).id  # fmt: skip
        own = create_job(
            session, request={}, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=5, actor="key:3 (planner)", key_id=3,
        ).id  # fmt: skip
    assert_problem(client.delete(f"/jobs/{theirs}", headers=keys.planner), 403)
    assert client.delete(f"/jobs/{own}", headers=keys.planner).json()["status"] == "cancelled"
    assert client.delete(f"/jobs/{theirs}", headers=keys.admin).json()["status"] == "cancelled"
