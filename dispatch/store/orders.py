"""Stored orders and the import batches they came in."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store.models import (
    ImportBatch,
    Json,
    Order,
    OutsourcedWork,
    PlanRecord,
    PlanRoute,
    RouteStop,
    UnservedOrder,
)
from dispatch.store.paging import Page, paginate


@dataclass(frozen=True, slots=True)
class NewOrder:
    """One order ready to store: the contract record and what it is found by."""

    order_id: str
    platform: str
    delivery_date: date
    data: Json
    customer: str | None = None
    pickup_point: str | None = None
    fingerprint: str | None = None


def batch_by_hash(session: Session, sha256: str) -> ImportBatch | None:
    return session.scalar(select(ImportBatch).where(ImportBatch.sha256 == sha256))


def get_batch(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFoundError("import batch", batch_id)
    return batch


def list_batches(session: Session, *, limit: int, offset: int) -> Page[ImportBatch]:
    query = select(ImportBatch).order_by(ImportBatch.id.desc())
    return paginate(session, query, limit=limit, offset=offset)


def _chunks(values: Collection[str], size: int = 500) -> Iterator[list[str]]:
    items = sorted(values)
    for k in range(0, len(items), size):
        yield items[k : k + size]


def orders_by_id(session: Session, order_ids: Collection[str]) -> dict[str, Order]:
    """The stored orders among ``order_ids``, by id."""
    return {
        o.order_id: o
        for chunk in _chunks(order_ids)
        for o in session.scalars(select(Order).where(Order.order_id.in_(chunk)))
    }


def orders_by_fingerprint(session: Session, fingerprints: Collection[str]) -> dict[str, Order]:
    """The stored orders whose fingerprint is among ``fingerprints``, by fingerprint."""
    found: dict[str, Order] = {}
    for chunk in _chunks(fingerprints):
        for o in session.scalars(select(Order).where(Order.fingerprint.in_(chunk))):
            found.setdefault(o.fingerprint or "", o)
    return found


def add_batch(session: Session, batch: ImportBatch, orders: Sequence[NewOrder]) -> ImportBatch:
    """Store the batch and its orders (in the caller's transaction)."""
    session.add(batch)
    session.flush()
    session.add_all(
        Order(
            order_id=o.order_id,
            platform=o.platform,
            delivery_date=o.delivery_date,
            customer=o.customer,
            pickup_point_id=o.pickup_point,
            fingerprint=o.fingerprint,
            batch_id=batch.id,
            data=o.data,
        )
        for o in orders
    )
    session.flush()
    return batch


def orders_on(session: Session, day: date) -> list[Json]:
    """The contract records of the orders to deliver on ``day``, in import order (cancelled
    orders left out)."""
    query = (
        select(Order.data)
        .where(Order.delivery_date == day, Order.status != CANCELLED)
        .order_by(Order.id)
    )
    return list(session.scalars(query))


CANCELLED = "cancelled"
"""The status of a cancelled order: kept, never planned."""


def get_order(session: Session, order_id: str) -> Order:
    """The stored order with this id, or :class:`NotFoundError`."""
    order = session.scalar(select(Order).where(Order.order_id == order_id))
    if order is None:
        raise NotFoundError("order", order_id)
    return order


def plans_with_order(session: Session, order_id: str, day: date) -> list[int]:
    """The ids of the day's plans not superseded that route, outsource or leave out the order."""
    current = (PlanRecord.plan_date == day, PlanRecord.superseded_by.is_(None))
    found: set[int] = set()
    stops = (
        select(PlanRecord.id, RouteStop.orders)
        .join(PlanRoute, PlanRoute.plan_id == PlanRecord.id)
        .join(RouteStop, RouteStop.route_id == PlanRoute.id)
        .where(*current)
    )
    outsourced = (
        select(PlanRecord.id, OutsourcedWork.orders)
        .join(OutsourcedWork, OutsourcedWork.plan_id == PlanRecord.id)
        .where(*current)
    )
    for query in (stops, outsourced):
        found.update(plan for plan, ids in session.execute(query) if order_id in (ids or ()))
    unserved = (
        select(PlanRecord.id)
        .join(UnservedOrder, UnservedOrder.plan_id == PlanRecord.id)
        .where(*current, UnservedOrder.order_id == order_id)
    )
    found.update(session.scalars(unserved))
    return sorted(found)


def list_orders(
    session: Session,
    *,
    day: date | None,
    limit: int,
    offset: int,
    text: str | None = None,
    status: str | None = None,
    platform: str | None = None,
) -> Page[Order]:
    """Stored orders in import order; ``text`` is found in the order id or the customer
    (case ignored), ``status`` and ``platform`` match exactly."""
    query = select(Order).order_by(Order.id)
    if day is not None:
        query = query.where(Order.delivery_date == day)
    if text:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        query = query.where(
            or_(
                Order.order_id.ilike(pattern, escape="\\"),
                Order.customer.ilike(pattern, escape="\\"),
            )
        )
    if status is not None:
        query = query.where(Order.status == status)
    if platform is not None:
        query = query.where(Order.platform == platform)
    return paginate(session, query, limit=limit, offset=offset)
