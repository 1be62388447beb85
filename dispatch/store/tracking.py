"""Tracking events reported from the road: arrived, delivered or failed at a stop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.live.tracking import EventKind
from dispatch.store.models import TrackingEvent, utcnow
from dispatch.store.paging import Page, paginate


def record_event(
    session: Session,
    plan_id: int,
    vehicle: str,
    stop: str,
    kind: EventKind,
    *,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> TrackingEvent:
    event = TrackingEvent(
        plan_id=plan_id,
        vehicle=vehicle,
        stop=stop,
        kind=kind,
        reason=reason,
        note=note,
        at=at or utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session, plan_id: int, *, vehicle: str | None = None, limit: int, offset: int
) -> Page[TrackingEvent]:
    """The plan's events, oldest first."""
    query = select(TrackingEvent).where(TrackingEvent.plan_id == plan_id)
    if vehicle is not None:
        query = query.where(TrackingEvent.vehicle == vehicle)
    query = query.order_by(TrackingEvent.at, TrackingEvent.id)
    return paginate(session, query, limit=limit, offset=offset)
