"""/jobs: a job's state survives the process that ran it."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dispatch.store import JobSource, Store, create_job, start_job
from tests.api.conftest import Keys, assert_problem


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
