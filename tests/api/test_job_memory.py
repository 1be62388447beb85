"""A plan job's memory: watched against its limit, the job failing with a message while the
service goes on, and its processes the kernel's first choice when memory runs out."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.job_memory import MemoryWatch, offer_to_oom_killer, over_limit_detail, tree_rss_mb
from api.job_runner import JobRunner
from api.settings import Settings
from tests.api.conftest import Keys
from tests.api.job_data import scenario, wait_job


def test_the_watch_calls_once_on_the_first_sample_past_the_limit() -> None:
    samples = iter([10.0, 50.0, 120.0, 500.0])
    seen: list[float] = []
    with MemoryWatch(100.0, seen.append, measure=lambda: next(samples), interval_s=0.01) as w:
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
    assert seen == [120.0]
    assert w.peak_mb == 120.0


def test_the_watch_stays_quiet_under_the_limit_and_ends_with_the_job() -> None:
    calls: list[float] = []
    watch = MemoryWatch(100.0, calls.append, measure=lambda: 99.0, interval_s=0.01)
    with watch:
        time.sleep(0.1)
    assert calls == []
    assert watch._thread is not None
    assert not watch._thread.is_alive()
    assert watch.peak_mb == 99.0


def test_tree_rss_counts_the_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "x = bytearray(200 * 2**20); input()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    try:
        alone = tree_rss_mb()
        deadline = time.monotonic() + 10
        while tree_rss_mb() < alone + 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tree_rss_mb() >= alone + 150
    finally:
        child.kill()
        child.wait()


def test_the_message_names_the_use_the_limit_and_the_setting() -> None:
    detail = over_limit_detail(5123.4, 4096)
    assert "5,123 MB" in detail
    assert "4,096 MB" in detail
    assert "DISPATCH_JOB_MAX_MB" in detail


@pytest.mark.skipif(sys.platform != "linux", reason="oom_score_adj is Linux's")
def test_a_worker_and_what_it_starts_go_first_when_memory_runs_out() -> None:
    """The worker's score is the highest there is, and a process it starts inherits it."""
    code = (
        "import subprocess\n"
        "from api.job_memory import offer_to_oom_killer\n"
        "assert offer_to_oom_killer()\n"
        "print(open('/proc/self/oom_score_adj').read().strip())\n"
        "print(subprocess.run(['cat', '/proc/self/oom_score_adj'], capture_output=True,"
        " text=True).stdout.strip())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1000", "1000"]
    assert Path("/proc/self/oom_score_adj").read_text().strip() != "1000"


def test_offering_where_there_is_no_such_file_says_so(tmp_path: Path) -> None:
    assert not offer_to_oom_killer(tmp_path / "missing" / "oom_score_adj")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A service whose plan jobs may use 1 MB: a worker passes it as soon as a job starts."""
    return Settings(
        database_url=database_url, load_demo=False, workers=1, progress_interval_s=0.2,
        job_max_mb=1,
    )  # fmt: skip


@pytest.mark.slow
def test_a_job_past_its_memory_limit_fails_and_the_service_goes_on(
    client: TestClient, keys: Keys
) -> None:
    """The job fails with the message, its worker ends, the service answers, and the next
    job runs in a fresh worker (and fails the same way under the same limit)."""
    runner: JobRunner = client.app.state.runner  # type: ignore[attr-defined]

    def read(job_id: str) -> dict[str, Any]:
        return dict(client.get(f"/jobs/{job_id}", headers=keys.planner).json())

    first = client.post("/plans", json=scenario(5), headers=keys.dispatcher).json()["job_id"]
    job = wait_job(read, first)
    assert job["status"] == "failed"
    assert job["error"]["title"] == "Planning used too much memory"
    assert "more than the 1 MB a plan job may use here (DISPATCH_JOB_MAX_MB)" in (
        job["error"]["detail"]
    )
    assert job["plan_id"] is None
    assert client.get("/health").status_code == 200
    second = client.post("/plans", json=scenario(5), headers=keys.dispatcher).json()["job_id"]
    assert wait_job(read, second)["error"]["title"] == "Planning used too much memory"
    deadline = time.monotonic() + 10
    while runner.worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.worker_pids() == {}
    audit = client.get("/audit", headers=keys.admin).json()["data"]
    failed = [e for e in audit if e["action"] == "plan.fail"]
    assert {e["target"] for e in failed} == {f"job:{first}", f"job:{second}"}
    assert all("DISPATCH_JOB_MAX_MB" in str(e["detail"]) for e in failed)
