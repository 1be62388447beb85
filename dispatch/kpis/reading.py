"""The store's part of the KPIs: the days' counted plans, their events, notices and moved
orders, read in a few queries over the whole range, and each day's facts."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.kpis import facts as facts_module
from dispatch.kpis import frame as frame_module
from dispatch.kpis import outcomes as outcomes_module
from dispatch.kpis.choice import PlanHead, chain_of, counting_plan
from dispatch.kpis.facts import DayFacts
from dispatch.kpis.frame import DayFrame
from dispatch.kpis.kept import frames_from_documents, keep_day, keep_frame, kept_days, kept_frames
from dispatch.kpis.outcomes import SentNotice, day_facts
from dispatch.live import predict as predict_module
from dispatch.live.status import CarrierEvent, CarrierKind, RoadEvent
from dispatch.live.tracking import EventKind
from dispatch.store.alerts import Notice
from dispatch.store.db import Store
from dispatch.store.models import CarrierEventRecord, Order, PlanRecord, TrackingEvent


class Cache(Protocol):
    """Where prepared plans and days' facts are kept between calls (a stored plan never
    changes; a day's facts are kept under the versions of its events, notices and moved
    orders)."""

    def get(self, key: Hashable) -> Any: ...

    def put(self, key: Hashable, value: Any) -> Any: ...


def plan_heads(session: Session, first: date, last: date) -> list[PlanHead]:
    rows = session.execute(
        select(
            PlanRecord.id, PlanRecord.plan_date, PlanRecord.created_at,
            PlanRecord.previous_plan_id, PlanRecord.published_at, PlanRecord.superseded_by,
        ).where(PlanRecord.plan_date >= first, PlanRecord.plan_date <= last)
    )  # fmt: skip
    return [PlanHead(*r) for r in rows]


def counted_plans(session: Session, first: date, last: date) -> dict[date, tuple[int, ...]]:
    """Per day with a plan: the counted plan's id and its earlier versions' (newest first)."""
    by_day: dict[date, list[PlanHead]] = defaultdict(list)
    for head in plan_heads(session, first, last):
        by_day[head.day].append(head)
    chosen = {}
    for day, heads in sorted(by_day.items()):
        plan = counting_plan(heads)
        if plan is not None:
            chosen[day] = chain_of(plan, heads)
    return chosen


def _frames(
    session: Session, ids: Sequence[int], cache: Cache | None, made: dict[int, DayFrame]
) -> dict[int, DayFrame]:
    """The plans' frames: kept in ``cache``, else stored, else made from their documents
    (those also in ``made``)."""
    frames = {}
    missing = []
    for plan_id in ids:
        kept = cache.get(("frame", plan_id)) if cache is not None else None
        if not isinstance(kept, DayFrame):
            missing.append(plan_id)
        else:
            frames[plan_id] = kept
    if missing:
        found = kept_frames(session, missing)
        fresh = frames_from_documents(session, [p for p in missing if p not in found])
        made.update(fresh)
        for plan_id, frame in {**found, **fresh}.items():
            frames[plan_id] = cache.put(("frame", plan_id), frame) if cache is not None else frame
    return frames


@dataclass(frozen=True, slots=True)
class Made:
    """What counting a span had to make: the frames of plans kept without one (before frames
    were kept, or in an older layout) and the days not stored under their current
    fingerprint (with it)."""

    frames: Mapping[int, DayFrame]
    days: Mapping[date, tuple[str, DayFacts]]

    def __bool__(self) -> bool:
        return bool(self.frames or self.days)


def prepare(store: Store, first: date, last: date, *, cache: Cache) -> Made:
    """Count the days from ``first`` to ``last`` into ``cache`` (reading only), for the
    report that follows; what had to be made, for :func:`keep_made` to store."""
    frames: dict[int, DayFrame] = {}
    days: dict[date, tuple[str, DayFacts]] = {}
    with store.read() as session:
        read_days(session, first, last, cache=cache, made=frames, counted=days)
    return Made(frames, days)


def keep_made(store: Store, made: Made) -> None:
    """Store what a report made, in one transaction, so that later reports (after a restart
    too) read it instead of making it again."""
    if not made:
        return
    try:
        with store.write() as session:
            for plan_id, frame in made.frames.items():
                keep_frame(session, plan_id, frame)
            for day, (fingerprint, facts) in made.days.items():
                keep_day(session, day, fingerprint, facts)
    except IntegrityError:
        pass  # another report stored them first, counted from the same


@functools.cache
def _rules() -> str:
    """A digest of the counting code: a day kept by other rules is counted again."""
    digest = hashlib.sha256()
    for module in (facts_module, frame_module, outcomes_module, predict_module):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()


DayKey = tuple[str, tuple[int, ...], tuple[Any, ...], Any, tuple[Any, ...], frozenset[str]]
"""What a day's facts are counted from: its counted plan's chain, its road events', carrier
events' and notices' versions, and the orders it leaves out."""


def fingerprint(key: DayKey) -> str | None:
    """The day's key (its plans, its events', notices' and moved orders' versions) and the
    counting rules as a digest; None when the rules' code cannot be read."""
    _, chain, road, carrier, notices, skip = key
    try:
        rules = _rules()
    except (OSError, TypeError):
        return None
    text = json.dumps([rules, chain, road, carrier, notices, sorted(skip)], default=list)
    return hashlib.sha256(text.encode()).hexdigest()


_ROAD_KINDS: dict[str, EventKind] = {k.value: k for k in EventKind}
_CARRIER_KINDS: dict[str, CarrierKind] = {k.value: k for k in CarrierKind}
"""Stored kinds by their value (a kind read as its enum finds itself: they hash alike)."""

_EVENT_COLUMNS = (
    TrackingEvent.plan_id, TrackingEvent.event_id, TrackingEvent.vehicle, TrackingEvent.kind,
    TrackingEvent.at, TrackingEvent.received_at, TrackingEvent.stop, TrackingEvent.orders,
    TrackingEvent.reason,
)  # fmt: skip


def _road_events(session: Session, ids: Sequence[int]) -> dict[int, list[RoadEvent]]:
    by_plan: dict[int, list[RoadEvent]] = defaultdict(list)
    rows = session.execute(
        select(*_EVENT_COLUMNS)
        .where(TrackingEvent.plan_id.in_(ids))
        .order_by(TrackingEvent.at, TrackingEvent.id)
    )
    for plan_id, event_id, vehicle, kind, at, received, stop, orders, reason in rows:
        by_plan[plan_id].append(
            RoadEvent(
                event_id, vehicle, _ROAD_KINDS[kind], at, received, stop, tuple(orders or ()),
                reason,
            )
        )  # fmt: skip
    return by_plan


_CARRIER_COLUMNS = (
    CarrierEventRecord.plan_date, CarrierEventRecord.event_id, CarrierEventRecord.carrier,
    CarrierEventRecord.order_id, CarrierEventRecord.kind, CarrierEventRecord.at,
    CarrierEventRecord.received_at, CarrierEventRecord.reason,
)  # fmt: skip


def _carrier_events(session: Session, days: Sequence[date]) -> dict[date, list[CarrierEvent]]:
    by_day: dict[date, list[CarrierEvent]] = defaultdict(list)
    rows = session.execute(
        select(*_CARRIER_COLUMNS)
        .where(CarrierEventRecord.plan_date.in_(days))
        .order_by(CarrierEventRecord.at, CarrierEventRecord.id)
    )
    for day, event_id, carrier, order, kind, at, received, reason in rows:
        by_day[day].append(
            CarrierEvent(event_id, carrier, order, _CARRIER_KINDS[kind], at, received, reason)
        )  # fmt: skip
    return by_day


def _notices(session: Session, ids: Sequence[int]) -> dict[int, list[SentNotice]]:
    by_plan: dict[int, list[SentNotice]] = defaultdict(list)
    rows = session.execute(
        select(
            Notice.id, Notice.plan_id, Notice.subject, Notice.order_id, Notice.orders,
            Notice.sent_at, Notice.compensation_amount, Notice.compensation_kind,
        ).where(Notice.plan_id.in_(ids))
    )  # fmt: skip
    for nid, plan_id, subject, order, orders, sent_at, amount, kind in rows:
        first = order or next(iter(orders or ()), None)
        paid = None if kind is None else float(amount or 0.0)
        by_plan[plan_id].append(SentNotice(nid, subject, first, sent_at, paid))
    return by_plan


def _moved(session: Session, first: date) -> tuple[dict[str, date], set[str]]:
    """Orders carried over to a day after ``first`` (by their day now), and cancelled orders."""
    rows = session.execute(
        select(Order.order_id, Order.delivery_date, Order.status).where(
            or_(
                and_(Order.carried_over_from.is_not(None), Order.delivery_date > first),
                Order.status == "cancelled",
            )
        )
    )
    moved: dict[str, date] = {}
    cancelled: set[str] = set()
    for order, day, status in rows:
        if status == "cancelled":
            cancelled.add(order)
        else:
            moved[order] = day
    return moved, cancelled


def _versions(
    session: Session, ids: Sequence[int], first: date, last: date
) -> tuple[
    dict[int, tuple[int, int]], dict[date, tuple[int, int]], dict[int, tuple[int, int, int]]
]:
    """What changes when an event or notice is stored or sent: per plan its events' and
    notices' count and highest id (and notices sent), per day its carrier events'."""
    road = session.execute(
        select(TrackingEvent.plan_id, func.count(), func.max(TrackingEvent.id))
        .where(TrackingEvent.plan_id.in_(ids))
        .group_by(TrackingEvent.plan_id)
    )
    carriers = session.execute(
        select(CarrierEventRecord.plan_date, func.count(), func.max(CarrierEventRecord.id))
        .where(CarrierEventRecord.plan_date >= first, CarrierEventRecord.plan_date <= last)
        .group_by(CarrierEventRecord.plan_date)
    )
    notices = session.execute(
        select(Notice.plan_id, func.count(), func.max(Notice.id), func.count(Notice.sent_at))
        .where(Notice.plan_id.in_(ids))
        .group_by(Notice.plan_id)
    )
    return (
        {p: (n, top) for p, n, top in road},
        {d: (n, top) for d, n, top in carriers},
        {p: (n, top, sent) for p, n, top, sent in notices},
    )


def day_keys(
    session: Session, first: date, last: date
) -> tuple[dict[date, tuple[int, ...]], dict[date, DayKey]]:
    """Per day from ``first`` to ``last`` with a stored plan: its counted plan's chain, and
    its key (what its facts are counted from: its plans, its events', notices' and moved
    orders' versions)."""
    chains = counted_plans(session, first, last)
    if not chains:
        return {}, {}
    every = [plan_id for chain in chains.values() for plan_id in chain]
    road_v, carrier_v, notice_v = _versions(session, every, first, last)
    moved, cancelled = _moved(session, first)
    keys: dict[date, DayKey] = {}
    for day, chain in chains.items():
        skip = frozenset({o for o, due in moved.items() if due > day} | cancelled)
        keys[day] = (
            "facts", chain, tuple(road_v.get(p) for p in chain), carrier_v.get(day),
            tuple(notice_v.get(p) for p in chain), skip,
        )  # fmt: skip
    return chains, keys


def count_days(
    session: Session,
    chains: Mapping[date, tuple[int, ...]],
    keys: Mapping[date, DayKey],
    *,
    cache: Cache | None = None,
    made: dict[int, DayFrame] | None = None,
) -> dict[date, DayFacts]:
    """These days counted from their counted plan's frame, events and notices."""
    if not chains:
        return {}
    ids = [plan_id for chain in chains.values() for plan_id in chain]
    frames = _frames(
        session, [chain[0] for chain in chains.values()], cache, {} if made is None else made
    )
    road = _road_events(session, ids)
    carriers = _carrier_events(session, list(chains))
    notices = _notices(session, ids)
    counted = {}
    for day, chain in chains.items():
        counted[day] = day_facts(
            frames[chain[0]],
            [e for plan_id in chain for e in road.get(plan_id, ())],
            carriers.get(day, ()),
            [n for plan_id in chain for n in notices.get(plan_id, ())],
            skip=keys[day][-1],
        )
    return counted


def read_days(
    session: Session,
    first: date,
    last: date,
    *,
    cache: Cache | None = None,
    made: dict[int, DayFrame] | None = None,
    counted: dict[date, tuple[str, DayFacts]] | None = None,
) -> list[DayFacts]:
    """The facts of each day from ``first`` to ``last`` that has a stored plan.

    An order carried over to a later day is counted on the day it ends (its stored
    ``delivery_date``), not on the days it was carried from; a cancelled order not at all.
    A day's facts are kept in ``cache`` until one of its events, notices or moved orders
    changes; a day stored under its current fingerprint is read, not counted. Frames made
    from documents are added to ``made``, days counted to ``counted`` (with their
    fingerprint), for :func:`keep_made` to store.
    """
    chains, keys = day_keys(session, first, last)
    facts: dict[date, DayFacts] = {}
    for day in chains:
        kept = cache.get(keys[day]) if cache is not None else None
        if isinstance(kept, DayFacts):
            facts[day] = kept
    todo = {day: chain for day, chain in chains.items() if day not in facts}
    prints = {day: fingerprint(keys[day]) for day in todo}
    known = {day: p for day, p in prints.items() if p is not None}
    for day, stored in (kept_days(session, known) if known else {}).items():
        facts[day] = cache.put(keys[day], stored) if cache is not None else stored
        del todo[day]
    for day, day_facts_ in count_days(session, todo, keys, cache=cache, made=made).items():
        facts[day] = cache.put(keys[day], day_facts_) if cache is not None else day_facts_
        day_print = prints[day]
        if counted is not None and day_print is not None:
            counted[day] = (day_print, day_facts_)
    return [facts[day] for day in chains]
