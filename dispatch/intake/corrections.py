"""Correcting or cancelling a stored order: checked as an import checks it, audited, and
flagged for a re-plan when a current plan of its day already holds it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import ConflictError, FieldError, InputError
from dispatch.intake.imports.candidates import ReadResult
from dispatch.intake.imports.checks import validate_candidates
from dispatch.intake.imports.reading import read_json_orders
from dispatch.store.audit import audit, audit_of
from dispatch.store.models import AuditEntry, Json, Order
from dispatch.store.orders import CANCELLED, get_order, plans_with_order


class OrderCorrectionError(InputError):
    """The corrected order does not pass the import's checks; nothing was changed."""

    subject = "the order"


@dataclass(frozen=True, slots=True)
class OrderChange:
    """A correction or cancellation done: the order as stored now, and the current plans of
    its day that hold it (they need a re-plan to see the change)."""

    order: Order
    plan_ids: tuple[int, ...]

    @property
    def replan_needed(self) -> bool:
        return bool(self.plan_ids)


@dataclass(frozen=True, slots=True)
class OrderHistory:
    """A stored order and the audit entries about it, oldest first."""

    order: Order
    entries: tuple[AuditEntry, ...]


def target(order_id: str) -> str:
    """How the audit log names an order."""
    return f"order:{order_id}"


def order_history(session: Session, order_id: str) -> OrderHistory:
    """The order with the import that stored it, then its corrections and cancellation."""
    order = get_order(session, order_id)
    imported = audit_of(session, f"batch:{order.batch_id}", action="orders.import")
    return OrderHistory(order, (*imported, *audit_of(session, target(order_id))))


def correct_order(
    session: Session,
    order_id: str,
    record: Json,
    *,
    points: Sequence[Json],
    travel: Json | None,
    actor: str,
    now: datetime,
) -> OrderChange:
    """Replace the stored order's record by ``record`` (its id and platform kept; its date,
    when ``record`` gives none), after the checks an import makes."""
    order = get_order(session, order_id)
    if order.status == CANCELLED:
        raise ConflictError(f"order {order_id} is cancelled; a cancelled order is not corrected")
    day_before = order.delivery_date
    given = {"platform": order.platform, **record}
    errors = _id_errors(order, given)
    given["id"] = order_id
    read: ReadResult = read_json_orders([given], default_date=order.delivery_date)
    valid = validate_candidates(read.candidates, points, travel, errors)
    if errors or not valid:
        raise OrderCorrectionError([_named(e, order_id) for e in errors])
    (checked,) = valid
    changed = sorted(
        k for k in set(order.data) | set(checked.data) if order.data.get(k) != checked.data.get(k)
    )
    if checked.day != day_before:
        changed.append("date")
    plans = plans_with_order(session, order_id, day_before)
    order.data = checked.data
    order.delivery_date = checked.day
    order.customer = checked.order.customer
    order.pickup_point_id = checked.order.pickup_point
    order.fingerprint = checked.fingerprint
    order.updated_at = now
    audit(
        session, actor, "orders.correct", target(order_id),
        fields=changed, date=checked.day.isoformat(), replan_needed=bool(plans), plans=plans,
    )  # fmt: skip
    session.flush()
    return OrderChange(order, tuple(plans))


def cancel_order(session: Session, order_id: str, *, actor: str, now: datetime) -> OrderChange:
    """Mark the order cancelled (kept, never planned again); cancelling twice changes nothing."""
    order = get_order(session, order_id)
    plans = plans_with_order(session, order_id, order.delivery_date)
    if order.status != CANCELLED:
        order.status = CANCELLED
        order.updated_at = now
        audit(
            session, actor, "orders.cancel", target(order_id),
            replan_needed=bool(plans), plans=plans,
        )  # fmt: skip
        session.flush()
    return OrderChange(order, tuple(plans))


def _id_errors(order: Order, given: dict[str, Any]) -> list[FieldError]:
    errors = []
    for field, value in (("id", order.order_id), ("platform", order.platform)):
        if given.get(field, value) != value:
            errors.append(FieldError("order", field, f"cannot change (it is {value!r})"))
    return errors


def _named(error: FieldError, order_id: str) -> FieldError:
    """The error named by the order, not by its place in a list of one."""
    return FieldError("order", error.field, error.message, order_id)
