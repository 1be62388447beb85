"""Worker processes: they end with the service, and a dead worker fails only its own job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.job_runner import JobRunner
from api.launch import run_cli, server_process
from tests.api.conftest import Keys
from tests.api.job_data import alive, descendants, scenario, session_processes, wait_job

pytestmark = pytest.mark.slow


def test_workers_end_with_a_killed_service(database_url: str, tmp_path: Path) -> None:
    """``kill -9`` of the service leaves no worker (nor its helpers) running; after a
    restart the job it was solving stays failed and no plan is ever stored."""
    env = {**os.environ, "DATABASE_URL": database_url, "DISPATCH_LOAD_DEMO": "false",
           "DISPATCH_WORKERS": "1"}  # fmt: skip
    key = run_cli("keys", "create", "--role", "admin", env=env)
    headers = {"Authorization": f"Bearer {key}"}

    with (
        server_process(env, tmp_path) as server,
        httpx.Client(base_url=server.url, headers=headers) as http,
    ):
        accepted = http.post("/plans", json=scenario(60))
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["job_id"]
        wait_job(lambda j: http.get(f"/jobs/{j}").json(), job_id, ["running"])
        time.sleep(2)  # the portfolio search starts its helper processes
        assert len(session_processes(server.process.pid)) >= 3
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + 10
        while session_processes(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session_processes(server.process.pid) == []

    with (
        server_process(env, tmp_path) as server,
        httpx.Client(base_url=server.url, headers=headers) as http,
    ):
        job = http.get(f"/jobs/{job_id}").json()
        assert job["status"] == "failed"
        assert job["error"]["detail"] == "interrupted by a server restart"
        assert job["plan_id"] is None
        assert http.get("/plans").json()["count"] == 0


def test_a_killed_worker_fails_only_its_job(client: TestClient, keys: Keys) -> None:
    """The job whose worker is killed fails; the job queued behind it runs in a new worker
    and succeeds; the killed worker's helper processes end with it."""
    runner: JobRunner = client.app.state.runner  # type: ignore[attr-defined]

    def read(job_id: str) -> dict[str, Any]:
        return dict(client.get(f"/jobs/{job_id}", headers=keys.planner).json())

    running = client.post("/plans", json=scenario(60), headers=keys.dispatcher).json()["job_id"]
    wait_job(read, running, ["running"])
    queued = client.post("/plans", json=scenario(1), headers=keys.dispatcher).json()["job_id"]
    time.sleep(2)  # the portfolio search starts its helper processes
    worker = runner.worker_pids()[running]
    assert worker is not None
    helpers = descendants(worker)
    assert helpers
    assert read(queued)["status"] == "queued"

    os.kill(worker, signal.SIGKILL)
    failed = wait_job(read, running)
    assert failed["status"] == "failed"
    assert "the worker process stopped while planning" in failed["error"]["detail"]
    done = wait_job(read, queued)
    assert done["status"] == "succeeded", done["error"]
    assert done["plan_id"] is not None
    deadline = time.monotonic() + 10
    while alive(helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(helpers) == []
