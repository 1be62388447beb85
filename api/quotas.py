"""What one key may ask of the solvers: the longest search for its role, and how many of its
jobs may be unfinished at once; and a plan job stored within those limits."""

from __future__ import annotations

import math

from fastapi import HTTPException
from sqlalchemy.orm import Session

from api.deps import Principal
from api.settings import Settings
from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import Request
from dispatch.store import JobSource, JobStatus, Store, audit, create_job, open_jobs
from dispatch.store.models import Json, utcnow


def check_time_limit(who: Principal, settings: Settings, seconds: float) -> None:
    """422 naming ``options.time_limit_s`` when the search is longer than the role may ask."""
    most = settings.max_time_limit_s.of(who.role)
    if seconds > most:
        message = f"the {who.role.value} role may ask for at most {most:g} seconds"
        raise RequestError([FieldError("", "options.time_limit_s", message)])


def check_open_jobs(who: Principal, settings: Settings, session: Session) -> None:
    """429 with Retry-After when the key has as many unfinished jobs as its role may.

    Call it in the transaction that stores the new job: it locks the key's row, so two
    requests of one key are counted one after the other.
    """
    most = settings.max_open_jobs.of(who.role)
    jobs = open_jobs(session, who.key_id, who.user_id)
    if len(jobs) < most:
        return
    now = utcnow()
    remaining = [
        job.time_limit_s - (now - job.started_at).total_seconds()
        if job.status is JobStatus.RUNNING and job.started_at is not None
        else job.time_limit_s
        for job in jobs
    ]
    retry = min(3600, max(1, math.ceil(min(remaining))))
    raise HTTPException(
        429,
        f"this key has {len(jobs)} unfinished plan jobs, the most its role "
        f"({who.role.value}) may have; wait for one to finish or cancel one (DELETE /jobs/ID)",
        headers={"Retry-After": str(retry)},
    )


def store_job(
    store: Store, who: Principal, settings: Settings, document: Json, request: Request,
    *, source: JobSource, action: str, **details: object,
) -> str:  # fmt: skip
    """A queued plan job for ``document`` (already checked as ``request``) after the role's
    limits, audited as ``action`` with its source; the caller hands its id to the runner."""
    check_time_limit(who, settings, request.options.time_limit_s)
    with store.write() as session:
        check_open_jobs(who, settings, session)
        job = create_job(
            session, request=document, plan_date=request.date, source=source,
            time_limit_s=request.options.time_limit_s, actor=who.actor, key_id=who.key_id,
            user_id=who.user_id,
        )  # fmt: skip
        audit(session, who.actor, action, f"job:{job.id}", source=source.value, **details)
        return job.id
