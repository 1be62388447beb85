"""The store's part: the counted plan's orders less those carried over, moved to a later day
or cancelled; a re-plan with its earlier version's events; days kept until they change; a
plan stored without a frame given one."""

from __future__ import annotations

import json
from datetime import date

from api.views.cache import Kept
from dispatch.kpis.facts import DayFacts, day_document
from dispatch.kpis.frame import DayFrame
from dispatch.kpis.kept import kept_frames
from dispatch.kpis.measures import measure
from dispatch.kpis.reading import keep_made, prepare, read_days
from dispatch.live.status import LiveKind
from dispatch.store import Store
from dispatch.store.models import ImportBatch, KpiDay, Order, PlanRecord
from tests.dispatch.kpis.day import CARRIER, ROAD, road
from tests.dispatch.kpis.stored import store_events, store_plan

DAY = date(2026, 12, 8)


def _orders(store: Store) -> set[str]:
    with store.read() as session:
        (day,) = read_days(session, DAY, DAY)
    return {o.order for o in day.orders}


def _store_order(store: Store, order: str, due: date, **kw: object) -> None:
    with store.write() as session:
        batch = ImportBatch(sha256=order.ljust(64, "0"), format="json", mapping="contract",
                            created_by="test", received=1, stored=1, report={})  # fmt: skip
        session.add(batch)
        session.flush()
        session.add(Order(order_id=order, platform="line", delivery_date=due, batch_id=batch.id,
                          data={"id": order}, **kw))  # fmt: skip


def test_orders_carried_over_moved_or_cancelled_are_not_counted(store: Store) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD, CARRIER)
    assert _orders(store) == {"A-1", "A-2", "H-1", "C-1", "C-2", "U-1"}
    with store.write() as session:
        row = session.get(PlanRecord, plan_id)
        assert row is not None
        row.document = json.dumps(
            {**json.loads(row.document), "carried_over": [{"order": "U-1", "reason": "nobody"}]}
        )
    _store_order(store, "H-1", date(2026, 12, 9), carried_over_from=DAY)
    _store_order(store, "C-2", DAY, status="cancelled")
    _store_order(store, "A-2", DAY)
    assert _orders(store) == {"A-1", "A-2", "C-1"}
    with store.read() as session:
        # No plan on the 9th yet: H-1 waits to be counted on the day it ends.
        assert read_days(session, date(2026, 12, 9), date(2026, 12, 9)) == []


def test_a_replan_counts_its_earlier_versions_events_once(store: Store) -> None:
    first = store_plan(store)
    store_events(store, first, ROAD[:3], CARRIER)
    second = store_plan(store, previous=first)
    store_events(store, second, ROAD[2:])  # e3 is stored under both versions
    with store.read() as session:
        (day,) = read_days(session, DAY, DAY)
    (total,) = measure([day])
    assert (total.delivered, total.failed) == (3, 2)


def test_a_day_is_kept_until_its_events_change(store: Store) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD[:3], CARRIER)
    cache: Kept[object, object] = Kept(16)
    with store.read() as session:
        (first,) = read_days(session, DAY, DAY, cache=cache)
        (again,) = read_days(session, DAY, DAY, cache=cache)
    assert again is first
    store_events(store, plan_id, [road("e9", LiveKind.FAILED, "10:12", "H-1", reason="closed")])
    with store.read() as session:
        (after,) = read_days(session, DAY, DAY, cache=cache)
    assert after is not first
    assert measure([after])[0].failed_by_reason == {"closed": 1, "refused": 1}


def test_a_plan_stored_without_a_frame_is_given_one_and_its_day_is_kept(store: Store) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD[:3], CARRIER)
    with store.read() as session:
        (before,) = read_days(session, DAY, DAY)
    cache: Kept[object, object] = Kept(16)
    made = prepare(store, DAY, DAY, cache=cache)
    assert (set(made.frames), set(made.days)) == ({plan_id}, {DAY})
    assert isinstance(cache.get(("frame", plan_id)), DayFrame)
    keep_made(store, made)
    assert not prepare(store, DAY, DAY, cache=Kept(16))
    with store.read() as session:
        assert set(kept_frames(session, [plan_id])) == {plan_id}
        (after,) = read_days(session, DAY, DAY)
    assert after == before


def test_a_kept_day_is_read_until_its_events_change(store: Store) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD[:3], CARRIER)
    keep_made(store, prepare(store, DAY, DAY, cache=Kept(16)))
    with store.write() as session:
        row = session.get(KpiDay, DAY)
        assert row is not None
        row.facts = json.dumps(day_document(DayFacts()))
    with store.read() as session:
        assert read_days(session, DAY, DAY) == [DayFacts()]  # the kept day, as kept
    store_events(store, plan_id, [road("e9", LiveKind.FAILED, "10:12", "H-1", reason="closed")])
    made = prepare(store, DAY, DAY, cache=Kept(16))
    assert (set(made.frames), set(made.days)) == (set(), {DAY})
    with store.read() as session:
        (day,) = read_days(session, DAY, DAY)
    assert measure([day])[0].failed_by_reason == {"closed": 1, "refused": 1}
