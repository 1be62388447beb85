"""The days' counts brought up to date as the days change, not when a report asks: each call
counts (and stores) a bounded number of recent days whose stored count is not under their
current fingerprint, newest first, so a report reads stored counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.kpis.facts import DayFacts
from dispatch.kpis.frame import DayFrame
from dispatch.kpis.reading import DayKey, Made, count_days, day_keys, fingerprint, keep_made
from dispatch.store.db import Store
from dispatch.store.models import KpiDay

SPAN_DAYS = 30
"""The days before (and including) today kept counted: a report's default span."""
MOST_DAYS = 8
"""The most days one call counts (a 600-order day takes tens of milliseconds)."""


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one call counted and stored, and how many stale days it left for the next."""

    counted: tuple[date, ...]
    left: int


def _stale(session: Session, keys: dict[date, DayKey]) -> tuple[list[date], dict[date, str]]:
    """The days whose stored count (if any) was counted from something else than what the
    day holds now, newest first; and every day's fingerprint now."""
    rows = session.execute(select(KpiDay.day, KpiDay.fingerprint).where(KpiDay.day.in_(list(keys))))
    stored: dict[date, str] = dict(rows.all())
    prints = {day: p for day, key in keys.items() if (p := fingerprint(key)) is not None}
    stale = sorted((day for day, p in prints.items() if stored.get(day) != p), reverse=True)
    return stale, prints


def refresh_days(
    store: Store, today: date, *, span: int = SPAN_DAYS, most: int = MOST_DAYS
) -> Refreshed:
    """Count and store at most ``most`` stale days of the ``span`` days ending tomorrow
    (today's plans and tomorrow's are counted as their events arrive)."""
    first, last = today - timedelta(days=span - 1), today + timedelta(days=1)
    frames: dict[int, DayFrame] = {}
    days: dict[date, tuple[str, DayFacts]] = {}
    with store.read() as session:
        chains, keys = day_keys(session, first, last)
        stale, prints = _stale(session, keys)
        todo = {day: chains[day] for day in stale[: max(0, most)]}
        for day, facts in count_days(session, todo, keys, made=frames).items():
            days[day] = (prints[day], facts)
    keep_made(store, Made(frames, days))
    return Refreshed(tuple(todo), len(stale) - len(todo))
