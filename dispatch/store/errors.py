"""What the store refuses: a missing record, or a change that conflicts with stored data."""

from __future__ import annotations


class NotFoundError(LookupError):
    """No ``kind`` with the key ``key``."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key} not found")


class ConflictError(ValueError):
    """The change contradicts stored data (e.g. removing a pickup point orders still use)."""


class JobNotRunningError(ConflictError):
    """The job is no longer running (cancelled, or failed by a restart): its plan is not kept."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"job {job_id} is no longer running")
