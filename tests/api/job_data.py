"""Small plan requests for job tests, waiting on jobs, and the processes of a service."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from tests.api.routes.test_plans import SCENARIO

FINISHED = ("succeeded", "failed", "cancelled")


def scenario(time_limit_s: float, engine: str | None = None) -> dict[str, Any]:
    """The seven-order scenario with a search of ``time_limit_s`` seconds."""
    doc = copy.deepcopy(SCENARIO)
    doc["options"] = {"time_limit_s": time_limit_s, **({"engine": engine} if engine else {})}
    return doc


def wait_job(
    read: Callable[[str], dict[str, Any]],
    job_id: str,
    statuses: Collection[str] = FINISHED,
    *,
    timeout: float = 60,
) -> dict[str, Any]:
    """Poll ``read(job_id)`` until the job has one of ``statuses``; the job."""
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = read(job_id)
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} is still {job.get('status')}, not {statuses}")


def _stat(pid_dir: Path) -> tuple[int, str, int, int] | None:
    """(pid, state, parent pid, session id) of one /proc entry; None if it has gone."""
    try:
        text = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(pid_dir.name), fields[0], int(fields[1]), int(fields[3])


def _processes() -> list[tuple[int, str, int, int]]:
    stats = (_stat(p) for p in Path("/proc").iterdir() if p.name.isdigit())
    return [s for s in stats if s is not None and s[1] != "Z"]


def session_processes(session_id: int) -> list[int]:
    """Live (not zombie) processes of the session."""
    return [pid for pid, _, _, sid in _processes() if sid == session_id]


def descendants(pid: int) -> list[int]:
    """Live processes started by ``pid``, their children, and so on."""
    children: dict[int, list[int]] = {}
    for child, _, parent, _ in _processes():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pids: Collection[int]) -> list[int]:
    """Those of ``pids`` still running (not zombies)."""
    live = {pid for pid, *_ in _processes()}
    return [pid for pid in pids if pid in live]
