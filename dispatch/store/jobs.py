"""Plan jobs: queued, running, then succeeded with a plan, failed with a problem detail, or
cancelled."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, NotFoundError
from dispatch.store.models import ApiKey, JobSource, JobStatus, Json, PlanJob, User, utcnow
from dispatch.store.paging import Page, paginate

UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def create_job(
    session: Session,
    *,
    request: Json,
    plan_date: date,
    source: JobSource,
    time_limit_s: float,
    actor: str,
    key_id: int | None = None,
    user_id: int | None = None,
) -> PlanJob:
    """A queued job for ``request`` (a validated contract request document)."""
    job = PlanJob(
        id=uuid.uuid4().hex,
        status=JobStatus.QUEUED,
        source=source,
        plan_date=plan_date,
        request=request,
        time_limit_s=time_limit_s,
        created_by=actor,
        key_id=key_id,
        user_id=user_id,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> PlanJob:
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFoundError("job", job_id)
    return job


def list_jobs(
    session: Session, *, status: JobStatus | None, limit: int, offset: int
) -> Page[PlanJob]:
    query = select(PlanJob).order_by(PlanJob.created_at.desc(), PlanJob.id)
    if status is not None:
        query = query.where(PlanJob.status == status)
    return paginate(session, query, limit=limit, offset=offset)


def start_job(session: Session, job_id: str) -> Json | None:
    """Mark a queued job running and return its request; None if it is no longer queued."""
    started = session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow())
    )
    if started.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.scalar(select(PlanJob.request).where(PlanJob.id == job_id))


def report_progress(session: Session, job_id: str, *, best_cost: float, solutions: int) -> None:
    session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status == JobStatus.RUNNING)
        .values(best_cost=best_cost, solutions=solutions)
    )


def fail_job(
    session: Session, job_id: str, error: Json, *, only: Collection[JobStatus] = UNFINISHED
) -> bool:
    """Mark the job failed with ``error`` (a problem detail) if its status is in ``only``."""
    result = session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status.in_(list(only)))
        .values(status=JobStatus.FAILED, error=error, finished_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def cancel_job(session: Session, job_id: str, error: Json) -> JobStatus:
    """Mark a queued or running job cancelled with ``error`` (a problem detail saying by whom);
    returns the status it had. ConflictError when it has finished already."""
    status = session.scalar(select(PlanJob.status).where(PlanJob.id == job_id).with_for_update())
    if status is None:
        raise NotFoundError("job", job_id)
    cancelled = session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status.in_(UNFINISHED))
        .values(status=JobStatus.CANCELLED, error=error, finished_at=utcnow())
    )
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"job {job_id} has {status.value} already")
    return status


def open_jobs(session: Session, key_id: int | None, user_id: int | None = None) -> list[PlanJob]:
    """The queued and running jobs of a key (or, with ``user_id``, of a signed-in person),
    oldest first; its row stays locked until the transaction ends, so two requests of one
    caller count one after the other."""
    if user_id is not None:
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
        owner = PlanJob.user_id == user_id
    else:
        session.execute(select(ApiKey.id).where(ApiKey.id == key_id).with_for_update())
        owner = PlanJob.key_id == key_id
    return list(
        session.scalars(
            select(PlanJob)
            .where(owner, PlanJob.status.in_(UNFINISHED))
            .order_by(PlanJob.created_at)
        )
    )


def interrupt_jobs(session: Session, error: Json) -> list[str]:
    """Fail every job left queued or running (by a process that stopped); returns their ids."""
    ids = list(session.scalars(select(PlanJob.id).where(PlanJob.status.in_(UNFINISHED))))
    for job_id in ids:
        fail_job(session, job_id, error)
    return ids


def job_counts(session: Session) -> dict[JobStatus, int]:
    rows = session.execute(select(PlanJob.status, func.count()).group_by(PlanJob.status))
    counts = dict.fromkeys(JobStatus, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts
