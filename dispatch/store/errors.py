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
