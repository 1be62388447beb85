"""The one source of the current time for every live-day rule, injectable so a test can
replay a whole day in seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import Protocol


class WallClock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is set or moved forward (never back)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time needs a time zone")
        self._now = start
        self._lock = Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += by
            return self._now

    def set(self, to: datetime) -> datetime:
        with self._lock:
            if to < self._now:
                raise ValueError("a clock does not go back")
            self._now = to
            return self._now
