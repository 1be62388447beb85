"""Events from the road: a driver's (departed, arrived, delivered, failed, position) with its
photo, and a carrier's about one outsourced order; each idempotent by its event id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Table, bindparam, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from dispatch.live.status import CarrierEvent, CarrierKind, RoadEvent
from dispatch.live.tracking import EventKind
from dispatch.store.models import (
    CarrierEventRecord,
    EventPhoto,
    OutsourcedWork,
    PlanRecord,
    TrackingEvent,
    utcnow,
)
from dispatch.store.paging import Page, paginate


@dataclass(frozen=True, slots=True)
class Photo:
    """A proof-of-delivery photo: its bytes and the type read from them."""

    media_type: str
    data: bytes
    sha256: str


_EVENTS: Table = TrackingEvent.__table__  # type: ignore[assignment]
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)


def record_event(
    session: Session,
    plan_id: int,
    vehicle: str,
    stop: str | None,
    kind: EventKind,
    *,
    event_id: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    orders: Sequence[str] | None = None,
    recipient: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    body_sha256: str | None = None,
    photo: Photo | None = None,
    received_at: datetime | None = None,
) -> TrackingEvent:
    """Store one driver event (the caller has checked it); a new id when none is given.

    Without a photo the row is inserted directly (a fraction of the session's flush) and
    the event returned is detached from the session."""
    received = received_at or utcnow()
    values = {
        "plan_id": plan_id,
        "vehicle": vehicle,
        "event_id": event_id or uuid.uuid4().hex,
        "stop": stop,
        "kind": kind,
        "orders": None if orders is None else list(orders),
        "reason": reason,
        "note": note,
        "recipient": recipient,
        "lat": lat,
        "lon": lon,
        "at": at or received,
        "received_at": received,
        "body_sha256": body_sha256,
    }
    if photo is None:
        row_id = session.execute(_INSERT_EVENT, values).scalar_one()
        return TrackingEvent(id=row_id, **values)
    event = TrackingEvent(**values)
    event.photo = EventPhoto(
        media_type=photo.media_type, size=len(photo.data), sha256=photo.sha256, data=photo.data
    )
    session.add(event)
    session.flush()
    return event


_FIND_EVENT = select(TrackingEvent).where(
    TrackingEvent.plan_id == bindparam("plan_id"),
    TrackingEvent.vehicle == bindparam("vehicle"),
    TrackingEvent.event_id == bindparam("event_id"),
)


def find_event(session: Session, plan_id: int, vehicle: str, event_id: str) -> TrackingEvent | None:
    """The route's event stored under ``event_id``, if any."""
    return session.scalar(
        _FIND_EVENT, {"plan_id": plan_id, "vehicle": vehicle, "event_id": event_id}
    )


def list_events(
    session: Session, plan_id: int, *, vehicle: str | None = None, limit: int, offset: int
) -> Page[TrackingEvent]:
    """The plan's driver events, oldest ``at`` first."""
    query = select(TrackingEvent).where(TrackingEvent.plan_id == plan_id)
    if vehicle is not None:
        query = query.where(TrackingEvent.vehicle == vehicle)
    query = query.order_by(TrackingEvent.at, TrackingEvent.id)
    return paginate(session, query, limit=limit, offset=offset)


def plan_timeline(
    session: Session, plan_id: int, *, vehicle: str | None = None, limit: int, offset: int
) -> Page[TrackingEvent | CarrierEventRecord]:
    """The plan's driver and carrier events together, oldest ``at`` first (at the same time,
    drivers' first); only ``vehicle``'s driver events when it is given."""
    road = select(
        literal(0).label("source"), TrackingEvent.id.label("row"), TrackingEvent.at.label("at")
    ).where(TrackingEvent.plan_id == plan_id)
    if vehicle is not None:
        road = road.where(TrackingEvent.vehicle == vehicle)
        both = road.subquery()
    else:
        carrier = select(
            literal(1).label("source"),
            CarrierEventRecord.id.label("row"),
            CarrierEventRecord.at.label("at"),
        ).where(CarrierEventRecord.plan_id == plan_id)
        both = union_all(road, carrier).subquery()
    total = int(session.scalar(select(func.count()).select_from(both)) or 0)
    keys = list(
        session.execute(
            select(both.c.source, both.c.row)
            .order_by(both.c.at, both.c.source, both.c.row)
            .limit(limit)
            .offset(offset)
        )
    )
    drivers = [row for source, row in keys if source == 0]
    carriers = [row for source, row in keys if source == 1]
    found: dict[tuple[int, int], TrackingEvent | CarrierEventRecord] = {}
    if drivers:
        for e in session.scalars(select(TrackingEvent).where(TrackingEvent.id.in_(drivers))):
            found[(0, e.id)] = e
    if carriers:
        for c in session.scalars(
            select(CarrierEventRecord).where(CarrierEventRecord.id.in_(carriers))
        ):
            found[(1, c.id)] = c
    return Page([found[(source, row)] for source, row in keys], total)


def photo_ids(session: Session, rows: Sequence[int]) -> set[int]:
    """Which of the event rows ``rows`` have a photo."""
    if not rows:
        return set()
    return set(
        session.scalars(select(EventPhoto.event_row_id).where(EventPhoto.event_row_id.in_(rows)))
    )


def event_photo(session: Session, plan_id: int, row_id: int) -> EventPhoto | None:
    """The photo of event row ``row_id`` of plan ``plan_id``."""
    return session.scalar(
        select(EventPhoto)
        .join(TrackingEvent, TrackingEvent.id == EventPhoto.event_row_id)
        .where(TrackingEvent.plan_id == plan_id, EventPhoto.event_row_id == row_id)
    )


def road_event(row: TrackingEvent, *, photo: bool = False) -> RoadEvent:
    """The typed event of a stored row (old rows: no orders means all of the stop's), its
    times in UTC as a row read back gives them (also for a row just added)."""
    return RoadEvent(
        event_id=row.event_id,
        vehicle=row.vehicle,
        kind=EventKind(row.kind),
        at=row.at.astimezone(UTC),
        received_at=row.received_at.astimezone(UTC),
        stop=row.stop,
        orders=tuple(row.orders or ()),
        reason=row.reason,
        note=row.note,
        recipient=row.recipient,
        lat=row.lat,
        lon=row.lon,
        photo=photo,
    )


_EVENT_COLUMNS = (
    TrackingEvent.id, TrackingEvent.event_id, TrackingEvent.vehicle, TrackingEvent.kind,
    TrackingEvent.at, TrackingEvent.received_at, TrackingEvent.stop, TrackingEvent.orders,
    TrackingEvent.reason, TrackingEvent.note, TrackingEvent.recipient, TrackingEvent.lat,
    TrackingEvent.lon, EventPhoto.id,
)  # fmt: skip


def road_events(
    session: Session, plan_id: int, *, vehicle: str | None = None, after: int = 0
) -> list[tuple[int, RoadEvent]]:
    """The plan's driver events (or one vehicle's; only rows after row id ``after``), typed
    with their row ids, oldest first."""
    query = (
        select(*_EVENT_COLUMNS)
        .outerjoin(EventPhoto, EventPhoto.event_row_id == TrackingEvent.id)
        .where(TrackingEvent.plan_id == plan_id, TrackingEvent.id > after)
        .order_by(TrackingEvent.at, TrackingEvent.id)
    )
    if vehicle is not None:
        query = query.where(TrackingEvent.vehicle == vehicle)
    return [
        (
            row_id,
            RoadEvent(
                event_id=event_id, vehicle=vehicle_, kind=EventKind(kind), at=at,
                received_at=received, stop=stop, orders=tuple(orders or ()), reason=reason,
                note=note, recipient=recipient, lat=lat, lon=lon, photo=photo is not None,
            ),
        )
        for (row_id, event_id, vehicle_, kind, at, received, stop, orders, reason, note,
             recipient, lat, lon, photo) in session.execute(query)
    ]  # fmt: skip


def route_version(session: Session, plan_id: int, vehicle: str) -> tuple[int, int]:
    """The count and highest row id of one route's events."""
    n, top = session.execute(
        select(func.count(), func.coalesce(func.max(TrackingEvent.id), 0)).where(
            TrackingEvent.plan_id == plan_id, TrackingEvent.vehicle == vehicle
        )
    ).one()
    return int(n), int(top)


_ROUTE_VERSIONS = (
    select(TrackingEvent.vehicle, func.count(), func.max(TrackingEvent.id))
    .where(TrackingEvent.plan_id == bindparam("plan_id"))
    .group_by(TrackingEvent.vehicle)
)


def route_versions(session: Session, plan_id: int) -> dict[str, tuple[int, int]]:
    """Per vehicle of the plan with events: their count and highest row id, which change
    whenever one of its events is stored."""
    rows = session.execute(_ROUTE_VERSIONS, {"plan_id": plan_id})
    return {vehicle: (int(n), int(top)) for vehicle, n, top in rows}


_CARRIER_VERSION = select(func.count(), func.coalesce(func.max(CarrierEventRecord.id), 0)).where(
    CarrierEventRecord.plan_date == bindparam("plan_date")
)


def carrier_version(session: Session, plan_date: date) -> tuple[int, int]:
    """The count and highest row id of the day's carrier events."""
    n, top = session.execute(_CARRIER_VERSION, {"plan_date": plan_date}).one()
    return int(n), int(top)


def record_carrier_event(
    session: Session,
    *,
    carrier: str,
    event_id: str,
    plan_id: int,
    plan_date: date,
    order: str,
    kind: CarrierKind,
    at: datetime,
    reason: str | None,
    body_sha256: str,
    received_at: datetime | None = None,
) -> CarrierEventRecord:
    row = CarrierEventRecord(
        carrier=carrier, event_id=event_id, plan_id=plan_id, plan_date=plan_date, order_id=order,
        kind=kind, at=at, reason=reason, body_sha256=body_sha256,
        received_at=received_at or utcnow(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def find_carrier_event(session: Session, carrier: str, event_id: str) -> CarrierEventRecord | None:
    return session.scalar(
        select(CarrierEventRecord).where(
            CarrierEventRecord.carrier == carrier, CarrierEventRecord.event_id == event_id
        )
    )


def carrier_event(row: CarrierEventRecord) -> CarrierEvent:
    return CarrierEvent(
        event_id=row.event_id, carrier=row.carrier, order=row.order_id,
        kind=CarrierKind(row.kind), at=row.at, received_at=row.received_at, reason=row.reason,
    )  # fmt: skip


def carrier_events(session: Session, plan_date: date) -> list[CarrierEvent]:
    """Every carrier event of the day, typed, oldest ``at`` first."""
    rows = session.scalars(
        select(CarrierEventRecord)
        .where(CarrierEventRecord.plan_date == plan_date)
        .order_by(CarrierEventRecord.at, CarrierEventRecord.id)
    )
    return [carrier_event(r) for r in rows]


def outsourcing_plan(
    session: Session, carrier: str, order: str, days: Sequence[date]
) -> PlanRecord | None:
    """Of the latest plan of each of ``days``, the newest that outsources ``order`` to
    ``carrier``: an order that a later plan of its day gave elsewhere is no longer the
    carrier's."""
    latest = (
        select(func.max(PlanRecord.id))
        .where(PlanRecord.plan_date.in_(list(days)))
        .group_by(PlanRecord.plan_date)
    )
    works = session.scalars(
        select(OutsourcedWork)
        .where(OutsourcedWork.plan_id.in_(latest), OutsourcedWork.carrier == carrier)
        .order_by(OutsourcedWork.plan_id.desc())
    )
    for work in works:
        if order in work.orders:
            return session.get(PlanRecord, work.plan_id)
    return None
