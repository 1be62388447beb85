"""What a worker process does: take job ids from the service, plan each stored request and
store its plan, for as long as the service that started it lives."""

from __future__ import annotations

import ctypes
import logging
import logging.config
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from api.logs import logging_config
from api.problems import error_problem, problem
from dispatch.day import plan_day
from dispatch.errors import DispatchError
from dispatch.loading import load_request
from dispatch.model import COST_SCALE
from dispatch.plan import Plan
from dispatch.store import (
    JobNotRunningError,
    JobStatus,
    Store,
    audit,
    create_driver_link,
    fail_job,
    get_job,
    report_progress,
    save_plan,
    start_job,
)
from dispatch.tracking import issue_driver_links
from optimizer import Progress

log = logging.getLogger("dispatch.worker")

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job_id: str
    status: str
    seconds: float


@dataclass(frozen=True, slots=True)
class JobTask:
    """What the service sends a worker for one job."""

    database_url: str
    job_id: str
    progress_interval_s: float = 1.0
    link_key: bytes | None = None


def serve_jobs(conn: Connection, log_level: str, service_pid: int) -> None:
    """The worker's main loop: run each task received on ``conn`` and answer its outcome
    (or the text of an unexpected error); end when the service closes the pipe or dies."""
    exit_with_service(service_pid)
    logging.config.dictConfig(logging_config(log_level))
    while True:
        try:
            task: JobTask = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: JobOutcome | str = run_job(
                task.database_url, task.job_id,
                progress_interval_s=task.progress_interval_s, link_key=task.link_key,
            )  # fmt: skip
        except Exception as exc:
            log.exception("job crashed", extra={"job_id": task.job_id})
            reply = f"{type(exc).__name__}: {exc}"
        conn.send(reply)


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


class _ProgressWriter:
    """Saves the best cost so far, at most once per ``interval`` seconds."""

    def __init__(self, store: Store, job_id: str, interval: float) -> None:
        self.store, self.job_id, self.interval = store, job_id, interval
        self.last = float("-inf")

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        with self.store.write() as session:
            report_progress(
                session, self.job_id,
                best_cost=progress.best_cost / COST_SCALE, solutions=progress.solutions,
            )  # fmt: skip


def run_job(
    database_url: str,
    job_id: str,
    *,
    progress_interval_s: float = 1.0,
    link_key: bytes | None = None,
) -> JobOutcome:
    """Plan job ``job_id`` if it is still queued; its plan and its routes' driver links are
    stored in one transaction, and only if the job is still running by then."""
    store = Store(database_url, pool_size=1)
    started = time.perf_counter()
    try:
        with store.write() as session:
            document = start_job(session, job_id)
        if document is None:
            return JobOutcome(job_id, "skipped", 0.0)
        log.info("job started", extra={"job_id": job_id})
        try:
            plan = plan_day(
                load_request(document),
                on_progress=_ProgressWriter(store, job_id, progress_interval_s),
            )
        except DispatchError as exc:
            error = error_problem(exc)
        except Exception as exc:
            log.exception("planning failed", extra={"job_id": job_id})
            error = problem(500, title="Planning failed", detail=f"{type(exc).__name__}: {exc}")
        else:
            return _store_plan(store, job_id, plan, link_key, started)
        with store.write() as session:
            fail_job(session, job_id, error, only=(JobStatus.RUNNING,))
            audit(session, "worker", "plan.fail", f"job:{job_id}", title=error["title"])
        return JobOutcome(job_id, "failed", time.perf_counter() - started)
    finally:
        store.dispose()


def _store_plan(
    store: Store, job_id: str, plan: Plan, link_key: bytes | None, started: float
) -> JobOutcome:
    try:
        with store.write() as session:
            row = save_plan(session, job_id, plan)
            issue_driver_links(plan, partial(create_driver_link, session, row.id, key=link_key))
            audit(session, "worker", "plan.create", f"plan:{row.id}", job_id=job_id)
    except JobNotRunningError:
        with store.read() as session:
            status = get_job(session, job_id).status.value
        log.info("job no longer running; its plan is discarded",
                 extra={"job_id": job_id, "status": status})  # fmt: skip
        return JobOutcome(job_id, status, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    log.info("job succeeded", extra={"job_id": job_id, "plan_id": row.id, "seconds": seconds})
    return JobOutcome(job_id, "succeeded", seconds)
