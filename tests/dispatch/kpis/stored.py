"""The hand-made day stored: its request and plan, its events and notices."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from typing import Any

from dispatch.live.status import CarrierEvent, RoadEvent
from dispatch.planning.plan import Plan
from dispatch.store import JobSource, Store, create_job, save_plan, start_job
from dispatch.store.alerts import Notice
from dispatch.store.models import PlanRecord
from dispatch.store.tracking import record_carrier_event, record_event
from tests.dispatch.kpis.day import PLAN, REQUEST


def store_plan(
    store: Store,
    *,
    request: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
    previous: int | None = None,
) -> int:
    """A job and its plan stored as the worker stores them; the plan's id."""
    request = copy.deepcopy(request or REQUEST)
    doc = copy.deepcopy(plan or PLAN)
    day = date.fromisoformat(request["date"])
    with store.write() as session:
        job = create_job(
            session, request=request, plan_date=day, source=JobSource.REQUEST, time_limit_s=5,
            actor="test",
        )  # fmt: skip
        start_job(session, job.id)
        row = save_plan(session, job.id, Plan.model_validate(doc))
        row.previous_plan_id = previous
        return row.id


def store_events(
    store: Store, plan_id: int, road: Iterable[RoadEvent], carrier: Iterable[CarrierEvent] = ()
) -> None:
    with store.write() as session:
        day = session.get(PlanRecord, plan_id).plan_date  # type: ignore[union-attr]
        for e in road:
            record_event(
                session, plan_id, e.vehicle, e.stop, e.kind, event_id=e.event_id, at=e.at,
                reason=e.reason, orders=list(e.orders) or None, lat=e.lat, lon=e.lon,
            )  # fmt: skip
        for c in carrier:
            record_carrier_event(
                session, carrier=c.carrier, event_id=c.event_id, plan_id=plan_id, plan_date=day,
                order=c.order, kind=c.kind, at=c.at, reason=c.reason, body_sha256="0" * 64,
            )  # fmt: skip


def store_notice(
    store: Store, plan_id: int, order: str, sent_at: Any, amount: float | None = None
) -> None:
    with store.write() as session:
        session.add(
            Notice(
                plan_id=plan_id, subject=f"order:{order}", kind="delay", audience="customer",
                order_id=order, orders=[order], channel="log", language="zh-TW", text="late",
                compensation_kind=None if amount is None else "coupon",
                compensation_amount=amount, created_at=sent_at, sent_at=sent_at,
            )
        )  # fmt: skip
