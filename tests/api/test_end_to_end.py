"""The service over real HTTP: import the demo orders as CSV, plan, restart, read the plan again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from dispatch.imports import orders_csv
from dispatch.loading import load_request
from dispatch.validator import validate_plan
from scenarios.demo import demo_request
from tests.conftest import free_port

pytestmark = pytest.mark.slow

DAY = "2026-11-11"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """``dispatch serve`` on a free loopback port until the block ends (then SIGTERM)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(http: httpx.Client, status_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(status_url).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError("the plan job did not finish")


def test_import_plan_restart_read(database_url: str, tmp_path: Path) -> None:
    """Demo orders imported as CSV are planned into a valid plan that survives a restart."""
    env = {**os.environ, "DATABASE_URL": database_url, "DISPATCH_LOAD_DEMO": "false",
           "DISPATCH_WORKERS": "1"}  # fmt: skip
    key = _cli("keys", "create", "--role", "admin", env=env).stdout.strip()
    doc = demo_request(orders=60, date=DAY)
    network = {k: v for k, v in doc.items() if k not in ("date", "orders")}
    headers = {"Authorization": f"Bearer {key}"}

    with serving(env, tmp_path) as base, httpx.Client(base_url=base, headers=headers) as http:
        assert http.put("/network", json=network).status_code == 200
        csv = orders_csv(doc["orders"], day=date.fromisoformat(DAY)).encode("utf-8-sig")
        imported = http.post("/imports", files={"file": ("demo.csv", csv, "text/csv")})
        assert imported.status_code == 201, imported.text
        assert imported.json()["stored"] == 60
        accepted = http.post("/plans", json={"date": DAY, "options": {"time_limit_s": 3}})
        assert accepted.status_code == 202, accepted.text
        job = _wait(http, accepted.json()["status_url"])
        assert job["status"] == "succeeded", job["error"]
        plan = http.get(job["plan_url"]).json()

    assert validate_plan(load_request(doc), plan) == []
    assert plan["kpis"]["orders"] == 60

    with serving(env, tmp_path) as base, httpx.Client(base_url=base, headers=headers) as http:
        assert http.get(job["plan_url"]).json() == plan
        assert http.get(f"/jobs/{job['id']}").json()["status"] == "succeeded"
