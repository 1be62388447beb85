"""What a worker process does with a job id: plan the stored request and store the plan."""

from __future__ import annotations

import json
import logging
import logging.config
import time
from dataclasses import dataclass
from functools import partial

from api.logs import logging_config
from api.problems import problem, request_problem
from dispatch.day import plan_day
from dispatch.loading import RequestError, load_request
from dispatch.model import COST_SCALE
from dispatch.store import (
    Store,
    audit,
    create_driver_link,
    fail_job,
    report_progress,
    save_plan,
    start_job,
)
from dispatch.tracking import issue_driver_links
from optimizer import Progress

log = logging.getLogger("dispatch.worker")


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job_id: str
    status: str
    seconds: float


def init_worker(log_level: str) -> None:
    """Set up a fresh worker process: JSON logs like the server's."""
    logging.config.dictConfig(logging_config(log_level))


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


def run_job(database_url: str, job_id: str, *, progress_interval_s: float = 1.0) -> JobOutcome:
    """Plan job ``job_id`` if it is still queued; its plan is stored in one transaction."""
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
        except RequestError as exc:
            error = request_problem(exc)
        except Exception as exc:
            log.exception("planning failed", extra={"job_id": job_id})
            error = problem(500, title="Planning failed", detail=f"{type(exc).__name__}: {exc}")
        else:
            with store.write() as session:
                data = plan.model_dump(mode="json", exclude_none=True)
                row = save_plan(session, job_id, data)
                issue_driver_links(data, partial(create_driver_link, session, row.id))
                row.document = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                audit(session, "worker", "plan.create", f"plan:{row.id}", job_id=job_id)
            seconds = time.perf_counter() - started
            log.info(
                "job succeeded", extra={"job_id": job_id, "plan_id": row.id, "seconds": seconds}
            )
            return JobOutcome(job_id, "succeeded", seconds)
        with store.write() as session:
            fail_job(session, job_id, error)
            audit(session, "worker", "plan.fail", f"job:{job_id}", title=error["title"])
        return JobOutcome(job_id, "failed", time.perf_counter() - started)
    finally:
        store.dispose()
