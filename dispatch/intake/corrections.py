"""Correcting or cancelling a stored order, checked like an import and written to the audit log.

A correction replaces some fields of the order's contract record (its pickup point, time
window, customer, item quantities); the result must pass the same checks as an imported
order. A cancelled order keeps its record with ``status = 'cancelled'`` and is not planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, FieldError, NotFoundError, RequestError
from dispatch.intake.imports.candidates import Candidate
from dispatch.intake.imports.checks import validate_candidates
from dispatch.store.audit import audit
from dispatch.store.models import Json, Order
from dispatch.store.orders import orders_by_id

CORRECTABLE = frozenset({"pickup_point", "time_windows", "customer", "items", "notes"})
"""The fields of an order's record a correction may replace."""


def _stored(session: Session, order_id: str) -> Order:
    row = orders_by_id(session, [order_id]).get(order_id)
    if row is None:
        raise NotFoundError("order", order_id)
    if row.status == "cancelled":
        raise ConflictError(f"order {order_id} is cancelled and cannot change")
    return row


def correct_order(
    session: Session,
    order_id: str,
    changes: Mapping[str, Any],
    *,
    points: Sequence[Json],
    travel: Json | None,
    actor: str,
    now: datetime,
) -> Order:
    """Replace ``changes`` (fields of :data:`CORRECTABLE`) in the stored order, in the caller's
    transaction; RequestError naming each bad field, and nothing changed, when the corrected
    order fails the import checks."""
    label = f"order {order_id}"
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise RequestError([FieldError(label, k, "cannot be corrected", order_id) for k in unknown])
    row = _stored(session, order_id)
    data = {**row.data, **changes}
    errors: list[FieldError] = []
    valid = validate_candidates([Candidate(label, data, row.delivery_date)], points, travel, errors)
    if errors or not valid:
        raise RequestError(errors)
    before = {k: row.data.get(k) for k in changes}
    row.data = valid[0].data
    row.customer = valid[0].order.customer
    row.pickup_point_id = valid[0].order.pickup_point
    row.fingerprint = valid[0].fingerprint
    row.updated_at = now
    after = {k: row.data.get(k) for k in changes}
    changed = sorted(k for k in changes if before[k] != after[k])
    audit(session, actor, "order.correct", f"order:{order_id}", changed=changed,
          before=before, after=after)  # fmt: skip
    session.flush()
    return row


def cancel_order(session: Session, order_id: str, *, actor: str, now: datetime) -> Order:
    """Mark the order cancelled (in the caller's transaction); ConflictError when it already is."""
    row = _stored(session, order_id)
    row.status, row.updated_at = "cancelled", now
    audit(session, actor, "order.cancel", f"order:{order_id}")
    session.flush()
    return row
