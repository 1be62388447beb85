"""The planning use case, as the worker, the command line and the benchmarks run it.

:func:`dispatch.planning.day.plan_request` loads a request (checked whole before any work), plans
the day and reports the best cost so far in money; :func:`run_planning_job` does that for a
stored job
and keeps the plan, its routes' driver links and the audit entry in one transaction, or
fails the job with the problem its error maps to. :func:`stored_request` is the request
for a date's stored orders on the stored network.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import DispatchError, FieldError, RequestError
from dispatch.kpis.frame import frame_of
from dispatch.kpis.kept import keep_frame
from dispatch.live.tracking import issue_driver_links
from dispatch.planning.day import plan_request
from dispatch.planning.plan import Plan
from dispatch.planning.progress import PlanProgress
from dispatch.store import (
    JobNotRunningError,
    JobStatus,
    Store,
    audit,
    carry_events,
    carry_over,
    create_driver_link,
    fail_job,
    get_job,
    load_network,
    orders_on,
    report_progress,
    save_plan,
    start_job,
)

log = logging.getLogger("dispatch.worker")

Json = dict[str, Any]
DescribeError = Callable[[Exception], Json]
"""The problem document a failed job keeps for the error that ended it."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """How a job ended in this run: ``succeeded``, ``failed``, ``skipped`` (not queued), or
    the status it had meanwhile been given (``cancelled``)."""

    job_id: str
    status: str
    seconds: float


def stored_request(
    session: Session,
    day: date,
    *,
    options: Mapping[str, Any] | None = None,
    policy: Mapping[str, Any] | None = None,
) -> Json:
    """The contract request for ``day``'s stored orders on the stored network, ``options``
    and ``policy`` overriding the stored ones; RequestError when no order is stored for it."""
    network = load_network(session)
    orders = orders_on(session, day)
    if not orders:
        raise RequestError([FieldError("", "date", f"no orders are stored for {day}")])
    return {
        **network,
        "date": day.isoformat(),
        "orders": orders,
        "policy": {**(network.get("policy") or {}), **(policy or {})},
        "options": {**(network.get("options") or {}), **(options or {})},
    }


class _ProgressWriter:
    """Saves the best cost so far on the job, at most once per ``interval`` seconds."""

    def __init__(self, store: Store, job_id: str, interval: float) -> None:
        self.store, self.job_id, self.interval = store, job_id, interval
        self.last = float("-inf")

    def __call__(self, progress: PlanProgress) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        with self.store.write() as session:
            report_progress(
                session, self.job_id, best_cost=progress.best_cost, solutions=progress.plans
            )


def run_planning_job(
    store: Store,
    job_id: str,
    *,
    describe: DescribeError,
    progress_interval_s: float = 1.0,
    link_key: bytes | None = None,
    actor: str = "worker",
) -> JobOutcome:
    """Plan job ``job_id`` if it is still queued; its plan and its routes' driver links are
    stored in one transaction, and only if the job is still running by then. An error ends
    the job ``failed`` with ``describe(error)``; none escapes but the store's own."""
    started = time.perf_counter()
    with store.write() as session:
        document = start_job(session, job_id)
    if document is None:
        return JobOutcome(job_id, "skipped", 0.0)
    log.info("job started", extra={"job_id": job_id})
    try:
        if document.get("replan") is not None:
            from dispatch.replan.job import run_replan

            plan = run_replan(store, document)
        else:
            plan = plan_request(
                document, on_progress=_ProgressWriter(store, job_id, progress_interval_s)
            ).plan
    except Exception as exc:
        refused = isinstance(exc, DispatchError)
        log.log(logging.INFO if refused else logging.ERROR, "planning failed",
                extra={"job_id": job_id}, exc_info=not refused)  # fmt: skip
        error = describe(exc)
        with store.write() as session:
            fail_job(session, job_id, error, only=(JobStatus.RUNNING,))
            audit(session, actor, "plan.fail", f"job:{job_id}", title=error["title"])
        return JobOutcome(job_id, "failed", time.perf_counter() - started)
    return _keep(store, job_id, plan, document, link_key, started, actor)


def _keep(
    store: Store,
    job_id: str,
    plan: Plan,
    request: Mapping[str, Any],
    link_key: bytes | None,
    started: float,
    actor: str,
) -> JobOutcome:
    try:
        with store.write() as session:
            row = save_plan(session, job_id, plan)
            keep_frame(session, row.id, frame_of(plan, request, plan_id=row.id))
            if plan.previous_plan_id is not None:
                carry_events(session, plan.previous_plan_id, row.id)
            if plan.carried_over and plan.date is not None:
                carried = [(c.order, c.reason) for c in plan.carried_over]
                carry_over(session, plan.date, carried, actor=actor)
            issue_driver_links(plan, partial(create_driver_link, session, row.id, key=link_key))
            audit(session, actor, "plan.create", f"plan:{row.id}", job_id=job_id)
    except JobNotRunningError:
        with store.read() as session:
            status = get_job(session, job_id).status.value
        log.info("job no longer running; its plan is discarded",
                 extra={"job_id": job_id, "status": status})  # fmt: skip
        return JobOutcome(job_id, status, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    log.info("job succeeded", extra={"job_id": job_id, "plan_id": row.id, "seconds": seconds})
    return JobOutcome(job_id, "succeeded", seconds)
