"""Frames kept in the store: read back as written, a frame of another layout or unreadable
made again from the documents, and a kept frame counted without the documents; a kept day
read only under the fingerprint it was kept with."""

from __future__ import annotations

from datetime import date

from dispatch.kpis.frame import FRAME_FORMAT, frame_of
from dispatch.kpis.kept import frames_from_documents, keep_day, keep_frame, kept_days, kept_frames
from dispatch.kpis.measures import measure
from dispatch.kpis.outcomes import day_facts
from dispatch.kpis.reading import read_days
from dispatch.store import Store
from dispatch.store.models import PlanJob, PlanKpiFrame, PlanRecord
from tests.dispatch.kpis.day import CARRIER, REQUEST, ROAD, plan
from tests.dispatch.kpis.stored import store_events, store_plan

DAY = date(2026, 12, 8)


def test_a_kept_frame_reads_back_as_the_one_made_from_the_documents(store: Store) -> None:
    plan_id = store_plan(store)
    with store.write() as session:
        assert kept_frames(session, [plan_id]) == {}
        (made,) = frames_from_documents(session, [plan_id]).values()
        keep_frame(session, plan_id, made)
    with store.read() as session:
        assert kept_frames(session, [plan_id]) == {plan_id: made}
    assert made == frame_of(plan(), REQUEST, plan_id=plan_id)


def test_frames_of_another_layout_or_unreadable_are_not_read(store: Store) -> None:
    first, second = store_plan(store), store_plan(store)
    with store.write() as session:
        session.add(PlanKpiFrame(plan_id=first, format=FRAME_FORMAT + 1, frame="{}"))
        session.add(PlanKpiFrame(plan_id=second, format=FRAME_FORMAT, frame='{"format": 1}'))
    with store.read() as session:
        assert kept_frames(session, [first, second]) == {}


def test_a_day_with_a_kept_frame_is_counted_without_the_plan_or_request(store: Store) -> None:
    plan_id = store_plan(store)
    store_events(store, plan_id, ROAD, CARRIER)
    with store.read() as session:
        (from_documents,) = read_days(session, DAY, DAY)
    with store.write() as session:
        keep_frame(session, plan_id, frame_of(plan(), REQUEST, plan_id=plan_id))
        row = session.get(PlanRecord, plan_id)
        assert row is not None
        row.document = "not a plan"
        job = session.get(PlanJob, row.job_id)
        assert job is not None
        job.request = {}
    with store.read() as session:
        (from_frame,) = read_days(session, DAY, DAY)
    assert from_frame == from_documents
    assert measure([from_frame])[0].delivered == 3


def test_a_kept_day_is_read_only_under_its_fingerprint(store: Store) -> None:
    counted = day_facts(frame_of(plan(), REQUEST), ROAD, CARRIER)
    with store.write() as session:
        keep_day(session, DAY, "a" * 64, counted)
    with store.read() as session:
        assert kept_days(session, {DAY: "a" * 64}) == {DAY: counted}
        assert kept_days(session, {DAY: "b" * 64}) == {}
