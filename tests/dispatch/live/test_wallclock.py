"""The injectable clock: stands still, moves forward only, and is always timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch.live.wallclock import ManualClock, SystemClock


def test_a_manual_clock_moves_only_when_told_and_never_back() -> None:
    start = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.advance(timedelta(minutes=5)) == start + timedelta(minutes=5)
    with pytest.raises(ValueError, match="back"):
        clock.set(start)
    with pytest.raises(ValueError, match="back"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="time zone"):
        ManualClock(datetime(2026, 12, 8, 1, 0))


def test_the_system_clock_is_aware() -> None:
    assert SystemClock().now().tzinfo is not None
