"""What the store refuses beyond the common kinds of :mod:`dispatch.errors`."""

from __future__ import annotations

from dispatch.errors import ConflictError, NotFoundError

__all__ = ["ConflictError", "JobNotRunningError", "NotFoundError"]


class JobNotRunningError(ConflictError):
    """The job is no longer running (cancelled, or failed by a restart): its plan is not kept."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"job {job_id} is no longer running")
