"""Stored plans: the contract's plan document, and its routes, stops, outsourced and unserved.

The store saves a typed :class:`~dispatch.planning.plan.Plan` and gives it back typed
(:func:`load_plan`). Documents stored before the plan model was strict may hold fields it
refuses; :func:`upgrade_document` brings them to the current format, here and only here.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.planning.plan import PLAN_VERSION, Plan, RouteOut
from dispatch.store.errors import JobNotRunningError
from dispatch.store.models import (
    JobStatus,
    OutsourcedWork,
    PlanJob,
    PlanRecord,
    PlanRoute,
    RouteStop,
    TrackingEvent,
    UnservedOrder,
    utcnow,
)
from dispatch.store.paging import Page, paginate
from dispatch.text import MAX_NAME, printable


def save_plan(session: Session, job_id: str, plan: Plan) -> PlanRecord:
    """Store the plan of a running job and mark the job succeeded (in the caller's transaction).

    JobNotRunningError when the job is no longer running (cancelled, or failed by a restart):
    the caller rolls back and nothing is stored.
    """
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFoundError("job", job_id)
    total_cost = plan.objective.total
    finished = session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status == JobStatus.RUNNING)
        .values(status=JobStatus.SUCCEEDED, finished_at=utcnow(), error=None, best_cost=total_cost)
    )
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        raise JobNotRunningError(job_id)
    row = PlanRecord(
        job_id=job_id,
        plan_date=job.plan_date,
        status=plan.status,
        total_cost=total_cost,
        orders=plan.kpis.orders,
        unserved=len(plan.unserved),
        vehicles_used=len(plan.routes),
        document=json.dumps(plan.document(), ensure_ascii=False, separators=(",", ":")),
        routes=[_route(k, r) for k, r in enumerate(plan.routes)],
        outsourced=[
            OutsourcedWork(
                region=o.region,
                carrier=o.carrier,
                cost=o.cost,
                orders=list(o.orders),
                reason=o.reason,
            )
            for o in plan.outsourced
        ],
        unserved_orders=[
            UnservedOrder(order_id=u.order, reason=u.reason, code=u.code) for u in plan.unserved
        ],
        previous_plan_id=plan.previous_plan_id,
    )
    session.add(row)
    session.flush()
    return row


def _route(position: int, route: RouteOut) -> PlanRoute:
    return PlanRoute(
        position=position,
        vehicle=route.vehicle,
        depot=route.depot,
        start_minute=route.start,
        end_minute=route.end,
        distance_km=route.distance_km,
        cost=route.cost.total if route.cost is not None else None,
        stops=[
            RouteStop(
                position=k,
                stop=s.stop,
                name=printable(s.name, MAX_NAME),
                lat=s.location.lat,
                lon=s.location.lon,
                arrival_minute=s.arrival,
                start_minute=s.start_service,
                departure_minute=s.departure,
                late_minutes=s.late_minutes,
                orders=list(s.orders),
            )
            for k, s in enumerate(route.stops)
        ],
    )


def upgrade_document(data: dict[str, Any]) -> dict[str, Any]:
    """A stored plan document in the current format.

    Documents without a ``version`` were stored before the plan model was strict: their
    routes may hold ``driver_link`` (removed by migration 0002) and null fields.
    """
    if "version" in data:
        return data
    routes = [
        {k: v for k, v in route.items() if k != "driver_link"} if isinstance(route, dict) else route
        for route in data.get("routes") or []
    ]
    upgraded = {k: v for k, v in data.items() if v is not None}
    return {**upgraded, "routes": routes, "version": PLAN_VERSION}


def read_plan_document(document: str) -> Plan:
    """The typed plan of a stored document (of any format the store has written)."""
    return Plan.model_validate(upgrade_document(json.loads(document)))


def load_plan(session: Session, plan_id: int) -> Plan:
    """The stored plan ``plan_id``, typed."""
    return read_plan_document(plan_document(session, plan_id))


def get_plan(session: Session, plan_id: int) -> PlanRecord:
    """The stored plan's record (key figures, job, rows)."""
    plan = session.get(PlanRecord, plan_id)
    if plan is None:
        raise NotFoundError("plan", plan_id)
    return plan


def plan_document(session: Session, plan_id: int) -> str:
    """The contract's plan JSON, as stored."""
    document = session.scalar(select(PlanRecord.document).where(PlanRecord.id == plan_id))
    if document is None:
        raise NotFoundError("plan", plan_id)
    return document


def list_plans(session: Session, *, day: date | None, limit: int, offset: int) -> Page[PlanRecord]:
    query = select(PlanRecord).order_by(PlanRecord.id.desc())
    if day is not None:
        query = query.where(PlanRecord.plan_date == day)
    return paginate(session, query, limit=limit, offset=offset)


def first_version(session: Session, plan_id: int) -> int:
    """The first version of the plan's day chain (following ``previous_plan_id`` back)."""
    current, seen = plan_id, {plan_id}
    while True:
        earlier = session.scalar(
            select(PlanRecord.previous_plan_id).where(PlanRecord.id == current)
        )
        if earlier is None or earlier in seen:
            return current
        seen.add(earlier)
        current = earlier


def latest_version(session: Session, plan_id: int) -> int:
    """The newest re-plan of ``plan_id`` (following its ``previous_plan_id`` children; the
    newest child when a version was re-planned twice), or ``plan_id`` itself."""
    current, seen = plan_id, {plan_id}
    while True:
        newer = session.scalar(
            select(PlanRecord.id)
            .where(PlanRecord.previous_plan_id == current)
            .order_by(PlanRecord.id.desc())
            .limit(1)
        )
        if newer is None or newer in seen:
            return current
        seen.add(newer)
        current = newer


def plan_versions(session: Session, plan_id: int) -> list[PlanRecord]:
    """Every version of the plan's chain, oldest first: the first version, then each
    re-plan of the one before (the newest when there are several)."""
    ids = [first_version(session, plan_id)]
    while True:
        newer = session.scalar(
            select(PlanRecord.id)
            .where(PlanRecord.previous_plan_id == ids[-1])
            .order_by(PlanRecord.id.desc())
            .limit(1)
        )
        if newer is None or newer in ids:
            break
        ids.append(newer)
    return [get_plan(session, i) for i in ids]


def carry_events(session: Session, previous_plan_id: int, plan_id: int) -> int:
    """Copy the earlier version's driver events to its re-plan (same event ids), so the new
    version's status, notices and pages see the whole day; returns how many were copied."""
    rows_now = session.execute(
        select(TrackingEvent.vehicle, TrackingEvent.event_id).where(
            TrackingEvent.plan_id == plan_id
        )
    )
    have = {(vehicle, event_id) for vehicle, event_id in rows_now}
    rows = session.scalars(select(TrackingEvent).where(TrackingEvent.plan_id == previous_plan_id))
    copied = 0
    for e in rows:
        if (e.vehicle, e.event_id) in have:
            continue
        session.add(
            TrackingEvent(
                plan_id=plan_id, vehicle=e.vehicle, event_id=e.event_id, stop=e.stop,
                kind=e.kind, orders=e.orders, reason=e.reason, note=e.note,
                recipient=e.recipient, lat=e.lat, lon=e.lon, at=e.at,
                received_at=e.received_at, body_sha256=e.body_sha256,
            )
        )  # fmt: skip
        copied += 1
    session.flush()
    return copied
