"""Days counted as they change: a bounded number of stale recent days per call, newest first;
a day counted again only once its events change; a report over refreshed days reads them
and answers byte for byte what it counts itself."""

from __future__ import annotations

import json
from datetime import date, timedelta

from api.views.cache import Kept
from dispatch.kpis.reading import prepare
from dispatch.kpis.refresh import refresh_days
from dispatch.kpis.report import kpi_report
from dispatch.live.status import LiveKind
from dispatch.store import Store
from dispatch.store.models import KpiDay
from tests.dispatch.kpis.day import CARRIER, PLAN, REQUEST, ROAD, road
from tests.dispatch.kpis.stored import store_events, store_plan

DAY = date(2026, 12, 8)


def _store_day(store: Store, day: date) -> int:
    """The hand-made day's plan and events, stored as the plan of ``day``."""
    plan_id = store_plan(
        store, request={**REQUEST, "date": day.isoformat()}, plan={**PLAN, "date": day.isoformat()}
    )
    store_events(store, plan_id, ROAD[:3], CARRIER if day == DAY else ())
    return plan_id


def _kept(store: Store) -> dict[date, str]:
    with store.read() as session:
        return {row.day: row.fingerprint for row in session.query(KpiDay)}


def _report(store: Store, first: date, last: date) -> bytes:
    with store.read() as session:
        document = kpi_report(session, first, last, "day").document()
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def test_each_call_counts_at_most_its_share_of_stale_days_newest_first(store: Store) -> None:
    days = [DAY - timedelta(days=k) for k in range(3)]
    for day in days:
        _store_day(store, day)
    first = refresh_days(store, DAY, most=2)
    assert (first.counted, first.left) == ((DAY, DAY - timedelta(days=1)), 1)
    second = refresh_days(store, DAY, most=2)
    assert (second.counted, second.left) == ((DAY - timedelta(days=2),), 0)
    assert set(_kept(store)) == set(days)
    nothing = refresh_days(store, DAY, most=2)
    assert (nothing.counted, nothing.left) == ((), 0)


def test_a_day_is_counted_again_once_its_events_change(store: Store) -> None:
    today = _store_day(store, DAY)
    _store_day(store, DAY - timedelta(days=1))
    refresh_days(store, DAY)
    before = _kept(store)
    store_events(store, today, [road("e9", LiveKind.FAILED, "10:12", "H-1", reason="closed")])
    again = refresh_days(store, DAY)
    assert again.counted == (DAY,)
    after = _kept(store)
    assert after[DAY] != before[DAY]
    assert after[DAY - timedelta(days=1)] == before[DAY - timedelta(days=1)]


def test_days_outside_the_span_are_left_to_the_report(store: Store) -> None:
    old = DAY - timedelta(days=30)
    _store_day(store, old)
    _store_day(store, DAY + timedelta(days=1))
    done = refresh_days(store, DAY)
    assert done.counted == (DAY + timedelta(days=1),)
    assert old not in _kept(store)


def test_a_report_over_refreshed_days_reads_them_and_answers_the_same(store: Store) -> None:
    first = DAY - timedelta(days=2)
    for k in range(3):
        _store_day(store, DAY - timedelta(days=k))
    counted = _report(store, first, DAY)
    assert refresh_days(store, DAY).counted
    assert not prepare(store, first, DAY, cache=Kept(16))  # nothing left to count or make
    assert _report(store, first, DAY) == counted
