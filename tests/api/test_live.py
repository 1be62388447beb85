"""The app's tick: after the time-based rules, the recent days whose facts changed are
counted and stored, by the injected clock's day."""

from __future__ import annotations

from datetime import date, datetime

from api.live import LiveDay
from api.settings import Settings
from dispatch.live.wallclock import ManualClock
from dispatch.store import Store
from dispatch.store.models import KpiDay
from tests.dispatch.kpis.day import CARRIER, ROAD, TZ
from tests.dispatch.kpis.stored import store_events, store_plan

DAY = date(2026, 12, 8)


def _kept(store: Store) -> set[date]:
    with store.read() as session:
        return {row.day for row in session.query(KpiDay)}


def test_the_tick_counts_the_days_of_its_clock(store: Store, database_url: str) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD, CARRIER)
    settings = Settings(database_url=database_url, load_demo=False)
    clock = ManualClock(datetime(2026, 11, 1, 9, 0, tzinfo=TZ))
    live = LiveDay(store, settings, clock)
    live.tick()
    assert _kept(store) == set()  # the day lies beyond the clock's span
    clock.advance(datetime(2026, 12, 8, 20, 0, tzinfo=TZ) - clock.now())
    live.tick()
    assert _kept(store) == {DAY}
