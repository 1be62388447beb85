"""Finding stored orders by a word of their id, customer or pickup point."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dispatch.store.models import Order

MAX_QUERY = 128


def search_orders(
    session: Session, query: str, *, day: date | None = None, limit: int = 100
) -> list[Order]:
    """Orders whose id, customer or pickup point contains ``query`` (case ignored), of ``day``
    when given, in import order; all of the day's (or the first ``limit``) for an empty query."""
    statement = select(Order).order_by(Order.id).limit(limit)
    if day is not None:
        statement = statement.where(Order.delivery_date == day)
    words = query.strip()[:MAX_QUERY].casefold()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(Order.order_id).like(pattern, escape="\\"),
                func.lower(Order.customer).like(pattern, escape="\\"),
                func.lower(Order.pickup_point_id).like(pattern, escape="\\"),
            )
        )
    return list(session.scalars(statement))
