"""Plan jobs: where a requested plan stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PagingDep, Reader, ReadSession, RunnerDep, StoreDep
from api.problems import PermissionDeniedError, problem, problem_responses
from api.schemas import Job, Page
from dispatch.store import JobStatus, Role, audit, cancel_job, get_job, list_jobs
from dispatch.store.models import PlanJob, utcnow

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=problem_responses(400, 401, 403, 422))


def job_view(job: PlanJob) -> Job:
    elapsed = None
    if job.started_at is not None:
        elapsed = round(((job.finished_at or utcnow()) - job.started_at).total_seconds(), 3)
    plan_id = job.plan.id if job.plan is not None else None
    return Job(
        id=job.id,
        status=job.status,
        source=job.source.value,
        date=job.plan_date,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        elapsed_s=elapsed,
        time_limit_s=job.time_limit_s,
        best_cost=None if job.best_cost is None else round(job.best_cost, 2),
        solutions=job.solutions,
        plan_id=plan_id,
        plan_url=f"/plans/{plan_id}" if plan_id is not None else None,
        error=job.error,
    )


@router.get("/{job_id}", responses=problem_responses(404))
def read_job(job_id: str, session: ReadSession, _: Reader) -> Job:
    """A job's status (queued, running, succeeded, failed, cancelled), elapsed seconds, best
    cost so far (currency units), the plan when done, or the problem it ended with.

    **Roles:** admin, dispatcher, planner.
    """
    return job_view(get_job(session, job_id))


@router.get("")
def read_jobs(
    session: ReadSession,
    paging: PagingDep,
    _: Reader,
    status: Annotated[JobStatus | None, Query(description="Only jobs with this status")] = None,
) -> Page[Job]:
    """Plan jobs, newest first. **Roles:** admin, dispatcher, planner."""
    page = list_jobs(session, status=status, limit=paging.limit, offset=paging.offset)
    return Page(data=[job_view(j) for j in page.items], count=page.count)


@router.delete("/{job_id}", responses=problem_responses(404, 409))
def cancel(job_id: str, who: Reader, store: StoreDep, runner: RunnerDep) -> Job:
    """Cancel a queued job (it never runs) or a running one (its worker process is stopped
    and nothing it found is kept); the job ends `cancelled`, its `error` saying by whom.
    409 when the job has finished already.

    **Roles:** admin, dispatcher (any job); planner (its own key's jobs).
    """
    with store.write() as session:
        job = get_job(session, job_id)
        if who.role is Role.PLANNER and (job.key_id, job.user_id) != (who.key_id, who.user_id):
            raise PermissionDeniedError("the planner role may cancel only its own key's jobs")
        detail = f"cancelled by {who.actor}"
        was = cancel_job(session, job_id, problem(
            409, type_="/problems/job-cancelled", title="The job was cancelled", detail=detail,
        ))  # fmt: skip
        audit(session, who.actor, "plan.cancel", f"job:{job_id}", was=was.value)
    runner.cancel(job_id)
    with store.read() as session:
        return job_view(get_job(session, job_id))
