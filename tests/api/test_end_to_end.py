"""The service over real HTTP: import the demo orders as CSV, plan, restart, read the plan again."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.launch import run_cli, serving
from dispatch.intake.imports import orders_csv
from dispatch.intake.loading import load_request
from dispatch.planning.validator import validate_plan
from scenarios.demo import demo_request

pytestmark = pytest.mark.slow

DAY = "2026-11-11"


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
    key = run_cli("keys", "create", "--role", "admin", env=env)
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
