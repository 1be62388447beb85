"""Carried-over orders: a re-plan's failed deliveries moved to the next day's stored orders.

The order row moves (same order id, next day, the first day it was due kept in
``carried_over_from``), so it is counted once: on the day it is finally delivered. Its
history stays in the audit log and in the earlier day's plans and events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.store.audit import audit
from dispatch.store.models import Order, utcnow


def carry_over(
    session: Session, day: date, carried: Sequence[tuple[str, str]], *, actor: str
) -> list[str]:
    """Move the stored orders of ``day`` among ``carried`` (order id, reason) to the next
    day; returns the ids moved. Orders not stored for ``day`` (a scenario's, or moved
    already) are left alone, so a second call moves nothing."""
    ids = [oid for oid, _ in carried]
    if not ids:
        return []
    reasons = dict(carried)
    rows = session.scalars(
        select(Order).where(Order.order_id.in_(ids), Order.delivery_date == day)
    ).all()
    moved = []
    for row in rows:
        row.carried_over_from = row.carried_over_from or day
        row.delivery_date = day + timedelta(days=1)
        row.updated_at = utcnow()
        audit(session, actor, "order.carry_over", f"order:{row.order_id}",
              day=day.isoformat(), to=row.delivery_date.isoformat(),
              reason=reasons.get(row.order_id, ""))  # fmt: skip
        moved.append(row.order_id)
    session.flush()
    return moved
