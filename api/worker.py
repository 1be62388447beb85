"""What a worker process does: take job ids from the service, plan each stored request and
store its plan, for as long as the service that started it lives."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import logging.config
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from api.job_memory import MemoryWatch, offer_to_oom_killer, over_limit_detail, stop_helpers
from api.logs import logging_config
from api.problems import job_problem, problem
from dispatch.planning.stored_job import JobOutcome, run_planning_job
from dispatch.store import Store, audit, fail_job

log = logging.getLogger("dispatch.worker")

PR_SET_PDEATHSIG = 1
EXIT_OVER_MEMORY = 75


@dataclass(frozen=True, slots=True)
class JobTask:
    """What the service sends a worker for one job."""

    database_url: str
    job_id: str
    progress_interval_s: float = 1.0
    link_key: bytes | None = None
    max_mb: float | None = None
    """Most memory the job's processes may use together (None: no watch)."""


def serve_jobs(conn: Connection, log_level: str, service_pid: int) -> None:
    """The worker's main loop: run each task received on ``conn`` and answer its outcome
    (or the text of an unexpected error); end when the service closes the pipe or dies."""
    exit_with_service(service_pid)
    logging.config.dictConfig(logging_config(log_level))
    offer_to_oom_killer()
    while True:
        try:
            task: JobTask = conn.recv()
        except (EOFError, OSError):
            return
        try:
            with _watched(task):
                reply: JobOutcome | str = run_job(
                    task.database_url, task.job_id,
                    progress_interval_s=task.progress_interval_s, link_key=task.link_key,
                )  # fmt: skip
        except Exception as exc:
            log.exception("job crashed", extra={"job_id": task.job_id})
            reply = f"{type(exc).__name__}: {exc}"
        conn.send(reply)


@contextlib.contextmanager
def _watched(task: JobTask) -> Iterator[None]:
    """Run the task's job under its memory limit, if it has one."""
    if task.max_mb is None:
        yield
        return
    with MemoryWatch(task.max_mb, partial(fail_over_memory, task)):
        yield


def fail_over_memory(task: JobTask, used_mb: float) -> None:
    """The job has used more memory than it may: stop its helpers, fail it with a message
    saying so, and end this worker (the service starts a fresh one for the next job)."""
    detail = over_limit_detail(used_mb, task.max_mb or 0.0)
    log.error("job over its memory limit", extra={"job_id": task.job_id, "error": detail})
    stop_helpers()
    store = Store(task.database_url, pool_size=1)
    try:
        with store.write() as session:
            error = problem(500, title="Planning used too much memory", detail=detail)
            if fail_job(session, task.job_id, error):
                audit(session, "server", "plan.fail", f"job:{task.job_id}", detail=detail)
    finally:
        store.dispose()
        os._exit(EXIT_OVER_MEMORY)


def exit_with_service(service_pid: int) -> None:
    """End this process, and the helper processes it started, when the service ends.

    On Linux the kernel kills it when the service thread that started it ends, however the
    service ends (``kill -9`` included); everywhere, a thread waits on the service's end of
    the start-up pipe, which closes when the service dies, stops this process's children
    and exits.
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != service_pid:
        os._exit(1)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_watch, args=(parent,), name="service-watch", daemon=True).start()


def _watch(parent: BaseProcess) -> None:
    parent.join()
    for child in multiprocessing.active_children():
        child.kill()
    os._exit(1)


def run_job(
    database_url: str,
    job_id: str,
    *,
    progress_interval_s: float = 1.0,
    link_key: bytes | None = None,
) -> JobOutcome:
    """Run the planning job ``job_id``
    (see :func:`dispatch.planning.stored_job.run_planning_job`)."""
    store = Store(database_url, pool_size=1)
    try:
        return run_planning_job(
            store, job_id, describe=job_problem,
            progress_interval_s=progress_interval_s, link_key=link_key,
        )  # fmt: skip
    finally:
        store.dispose()
