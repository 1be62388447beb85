"""Scenario runs over HTTP: a planner submits a set, follows it and reads the report."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem
from tests.scenarios.conftest import SOLVE, tiny

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCH_SCENARIO_WORKERS", "1")


def document() -> dict[str, Any]:
    return {
        "name": "tiny peak",
        "base": {"inline": tiny()},
        "solve": SOLVE,
        "scenarios": [
            {"name": "peak", "likelihood": {"p": 0.3}, "changes": [{"demand": {"factor": 2}}]}
        ],
    }


def wait(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(url, headers=headers).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


def test_a_planner_runs_a_set_and_reads_the_report(client: TestClient, keys: Keys) -> None:
    answer = client.post("/scenarios", json=document(), headers=keys.planner)
    assert answer.status_code == 202, answer.text
    run = wait(client, answer.json()["url"], keys.planner)
    assert run["status"] == "succeeded", run["error"]
    assert set(run["progress"]) == {"baseline", "peak"}
    result = run["result"]
    assert result["baseline"]["figures"]["violations"] == 0
    assert result["scenarios"][0]["figures"]["orders"] == 16
    assert "plan" not in result["baseline"]
    page = client.get(run["report"], headers=keys.planner)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'src="assets/report.js"' in page.text
    script = client.get(f"{answer.json()['url']}/assets/report.js", headers=keys.planner)
    assert script.status_code == 200
    assert "report-data" in script.text
    plan = client.get(f"{answer.json()['url']}/plans/peak.json", headers=keys.planner)
    assert plan.json()["kpis"]["orders"] == 16


def test_yaml_bodies_are_read_and_errors_name_the_line(client: TestClient, keys: Keys) -> None:
    text = yaml.safe_dump(document(), sort_keys=False)
    ok = client.post(
        "/scenarios", content=text, headers={**keys.planner, "content-type": "application/yaml"}
    )
    assert ok.status_code == 202
    wait(client, ok.json()["url"], keys.planner)
    bad = text.replace("factor: 2", "factor: -2")
    problem = assert_problem(
        client.post(
            "/scenarios", content=bad, headers={**keys.planner, "content-type": "text/yaml"}
        ),
        422,
    )
    assert "scenarios[0].changes[0].demand.factor" in json.dumps(problem)
    assert "line " in json.dumps(problem)


def test_a_file_of_the_service_is_never_read(client: TestClient, keys: Keys) -> None:
    doc = {**document(), "base": {"request": "/etc/passwd"}}
    problem = assert_problem(client.post("/scenarios", json=doc, headers=keys.planner), 422)
    assert "base.request" in json.dumps(problem)


def test_unknown_runs_and_no_key(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/scenarios/" + "0" * 32, headers=keys.planner), 404)
    assert client.post("/scenarios", json=document()).status_code == 401
