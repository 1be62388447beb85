"""Stored plans: the contract's plan document, and its routes, stops, outsourced and unserved."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.clock import parse_clock
from dispatch.store.errors import JobNotRunningError, NotFoundError
from dispatch.store.models import (
    JobStatus,
    OutsourcedWork,
    Plan,
    PlanJob,
    PlanRoute,
    RouteStop,
    UnservedOrder,
    utcnow,
)
from dispatch.store.paging import Page, paginate
from dispatch.text import MAX_NAME, printable


def save_plan(session: Session, job_id: str, plan: Mapping[str, Any]) -> Plan:
    """Store the plan of a running job and mark the job succeeded (in the caller's transaction).

    JobNotRunningError when the job is no longer running (cancelled, or failed by a restart):
    the caller rolls back and nothing is stored.
    """
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFoundError("job", job_id)
    total_cost = float(plan["objective"]["total"])
    finished = session.execute(
        update(PlanJob)
        .where(PlanJob.id == job_id, PlanJob.status == JobStatus.RUNNING)
        .values(status=JobStatus.SUCCEEDED, finished_at=utcnow(), error=None, best_cost=total_cost)
    )
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        raise JobNotRunningError(job_id)
    kpis = plan.get("kpis") or {}
    row = Plan(
        job_id=job_id,
        plan_date=job.plan_date,
        status=str(plan["status"]),
        total_cost=total_cost,
        orders=int(kpis.get("orders", 0)),
        unserved=len(plan.get("unserved") or []),
        vehicles_used=len(plan.get("routes") or []),
        document=json.dumps(plan, ensure_ascii=False, separators=(",", ":")),
        routes=[_route(k, r) for k, r in enumerate(plan.get("routes") or [])],
        outsourced=[
            OutsourcedWork(
                region=str(o["region"]),
                carrier=str(o["carrier"]),
                cost=float(o["cost"]),
                orders=list(o["orders"]),
                reason=str(o.get("reason", "")),
            )
            for o in plan.get("outsourced") or []
        ],
        unserved_orders=[
            UnservedOrder(
                order_id=str(u["order"]), reason=str(u["reason"]), code=str(u.get("code", ""))
            )
            for u in plan.get("unserved") or []
        ],
    )
    session.add(row)
    session.flush()
    return row


def _route(position: int, route: Mapping[str, Any]) -> PlanRoute:
    cost = route.get("cost")
    return PlanRoute(
        position=position,
        vehicle=str(route["vehicle"]),
        depot=str(route["depot"]),
        start_minute=parse_clock(route["start"]),
        end_minute=parse_clock(route["end"]),
        distance_km=float(route["distance_km"]),
        cost=float(cost["total"]) if isinstance(cost, Mapping) else None,
        stops=[
            RouteStop(
                position=k,
                stop=str(s["stop"]),
                name=printable(str(s.get("name", "")), MAX_NAME),
                lat=(s.get("location") or {}).get("lat"),
                lon=(s.get("location") or {}).get("lon"),
                arrival_minute=parse_clock(s["arrival"]),
                start_minute=parse_clock(s["start_service"]),
                departure_minute=parse_clock(s["departure"]),
                late_minutes=int(s.get("late_minutes", 0)),
                orders=list(s["orders"]),
            )
            for k, s in enumerate(route.get("stops") or [])
        ],
    )


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError("plan", plan_id)
    return plan


def plan_document(session: Session, plan_id: int) -> str:
    """The contract's plan JSON, as stored."""
    document = session.scalar(select(Plan.document).where(Plan.id == plan_id))
    if document is None:
        raise NotFoundError("plan", plan_id)
    return document


def list_plans(session: Session, *, day: date | None, limit: int, offset: int) -> Page[Plan]:
    query = select(Plan).order_by(Plan.id.desc())
    if day is not None:
        query = query.where(Plan.plan_date == day)
    return paginate(session, query, limit=limit, offset=offset)
