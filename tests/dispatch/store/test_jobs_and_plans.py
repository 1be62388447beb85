"""Plan jobs and stored plans."""

from __future__ import annotations

import json
import threading

import pytest

from dispatch.planning.plan import Plan
from dispatch.store import (
    ConflictError,
    JobNotRunningError,
    JobStatus,
    NotFoundError,
    Store,
    cancel_job,
    fail_job,
    get_job,
    get_plan,
    interrupt_jobs,
    job_counts,
    list_plans,
    plan_document,
    report_progress,
    save_plan,
    start_job,
)
from tests.dispatch.store.conftest import new_job


def test_a_job_starts_once(store: Store) -> None:
    """Only a queued job can start: a second start (e.g. a resubmission) gets nothing."""
    job_id = new_job(store)
    with store.write() as session:
        assert start_job(session, job_id) is not None
    with store.write() as session:
        assert start_job(session, job_id) is None
        assert get_job(session, job_id).status is JobStatus.RUNNING


def test_plan_is_stored_whole_and_normalised(store: Store, plan_doc: Plan) -> None:
    """The plan JSON comes back as stored; routes, stops and unserved rows are normalised."""
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
        report_progress(session, job_id, best_cost=7000.5, solutions=3)
        plan_id = save_plan(session, job_id, plan_doc).id
    with store.read() as session:
        assert json.loads(plan_document(session, plan_id)) == plan_doc.document()
        plan = get_plan(session, plan_id)
        route = plan.routes[0]
        assert (route.vehicle, route.start_minute, route.end_minute) == ("VAN#1", 510, 605)
        assert [(s.stop, s.orders, s.arrival_minute) for s in route.stops] == [
            ("PP-1", ["A-1", "A-2"], 540)
        ]
        assert [u.order_id for u in plan.unserved_orders] == ["A-3"]
        job = get_job(session, job_id)
        assert job.status is JobStatus.SUCCEEDED
        assert job.best_cost == 6200.0
        assert list_plans(session, day=None, limit=10, offset=0).count == 1


def test_unfinished_jobs_are_failed_after_a_restart(store: Store) -> None:
    """Jobs left queued or running by a stopped process are failed with the reason."""
    queued, running, done = new_job(store), new_job(store), new_job(store)
    with store.write() as session:
        start_job(session, running)
        start_job(session, done)
        fail_job(session, done, {"title": "bad"})
    with store.write() as session:
        ids = interrupt_jobs(session, {"detail": "interrupted by a server restart"})
    assert sorted(ids) == sorted([queued, running])
    with store.read() as session:
        assert get_job(session, done).error == {"title": "bad"}
        assert get_job(session, queued).error == {"detail": "interrupted by a server restart"}
        assert job_counts(session)[JobStatus.FAILED] == 3


def test_concurrent_plans_do_not_mix(store: Store, plan_doc: Plan) -> None:
    """Plans saved at once by several writers each keep exactly their own routes."""
    jobs = [new_job(store) for _ in range(6)]
    with store.write() as session:
        for job_id in jobs:
            start_job(session, job_id)
    saved: dict[str, int] = {}

    def save(k: int, job_id: str) -> None:
        doc = plan_doc.document()
        doc["routes"][0]["vehicle"] = f"VAN#{k}"  # type: ignore[index]
        doc["objective"]["total"] = float(k)  # type: ignore[index]
        with store.write() as session:
            saved[job_id] = save_plan(session, job_id, Plan.model_validate(doc)).id

    threads = [threading.Thread(target=save, args=(k, j)) for k, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.read() as session:
        for k, job_id in enumerate(jobs):
            plan = get_plan(session, saved[job_id])
            assert [r.vehicle for r in plan.routes] == [f"VAN#{k}"]
            assert plan.total_cost == k
            assert plan.job_id == job_id


@pytest.mark.parametrize("end", ["cancel", "fail"])
def test_a_plan_is_kept_only_while_its_job_runs(store: Store, plan_doc: Plan, end: str) -> None:
    """A job cancelled or failed (e.g. by a restart) while it ran keeps its status, and the
    plan its worker finds afterwards is refused: nothing is stored."""
    job_id = new_job(store)
    with store.write() as session:
        start_job(session, job_id)
    with store.write() as session:
        if end == "cancel":
            assert cancel_job(session, job_id, {"detail": "cancelled by test"}) is JobStatus.RUNNING
        else:
            assert fail_job(session, job_id, {"detail": "interrupted by a server restart"})
    with pytest.raises(JobNotRunningError), store.write() as session:
        save_plan(session, job_id, plan_doc)
    with store.read() as session:
        job = get_job(session, job_id)
        assert job.status is (JobStatus.CANCELLED if end == "cancel" else JobStatus.FAILED)
        assert job.plan is None
        assert list_plans(session, day=None, limit=10, offset=0).count == 0


def test_only_unfinished_jobs_can_be_cancelled(store: Store) -> None:
    """Cancelling returns the status the job had; a finished job is a conflict."""
    queued = new_job(store)
    with store.write() as session:
        assert cancel_job(session, queued, {"detail": "by test"}) is JobStatus.QUEUED
    with store.write() as session:
        assert start_job(session, queued) is None
        assert job_counts(session)[JobStatus.CANCELLED] == 1
    with pytest.raises(ConflictError, match="cancelled already"), store.write() as session:
        cancel_job(session, queued, {"detail": "again"})
    with pytest.raises(NotFoundError), store.write() as session:
        cancel_job(session, "nope", {})
