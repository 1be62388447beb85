"""Stored orders and the import batches they came in."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store.models import ImportBatch, Json, Order
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
    """The contract records of the active (not cancelled) orders to deliver on ``day``, in
    import order."""
    query = (
        select(Order.data)
        .where(Order.delivery_date == day, Order.status == "active")
        .order_by(Order.id)
    )
    return list(session.scalars(query))


def list_orders(session: Session, *, day: date | None, limit: int, offset: int) -> Page[Order]:
    query = select(Order).order_by(Order.id)
    if day is not None:
        query = query.where(Order.delivery_date == day)
    return paginate(session, query, limit=limit, offset=offset)
