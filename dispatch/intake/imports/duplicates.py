"""Orders already there: the same platform order id seen before, or the same purchase (customer,
destination, items, window and day) from another platform."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dispatch.errors import FieldError
from dispatch.intake.imports.candidates import ValidOrder
from dispatch.intake.imports.outcome import Duplicate, ImportOutcome
from dispatch.intake.request import Order
from dispatch.store.orders import orders_by_fingerprint, orders_by_id


def fingerprint(order: Order, day: date) -> str | None:
    """What makes two orders the same purchase: customer, destination, items, window and day."""
    if not order.customer or not order.customer.strip():
        return None
    if order.pickup_point is not None:
        destination: Any = order.pickup_point
    elif order.location is not None and order.location.lat is not None:
        destination = [round(order.location.lat, 5), round(order.location.lon or 0.0, 5)]
    else:
        destination = order.address
    items = sorted(
        (i.sku, i.qty, i.temperature.value, round(i.weight_kg, 3), round(i.volume_l, 3))
        for i in order.items
    )
    windows = sorted((w.start, w.end) for w in order.time_windows)
    key = [day.isoformat(), order.customer.strip().casefold(), destination, items, windows]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()


def deduplicate(
    session: Session, valid: Sequence[ValidOrder], report: ImportOutcome
) -> list[ValidOrder]:
    """The orders to store; the ones already there go to ``report``."""
    stored = orders_by_id(session, {v.order.id for v in valid})
    stored_prints = orders_by_fingerprint(session, {v.fingerprint for v in valid if v.fingerprint})
    seen: dict[str, ValidOrder] = {}
    seen_prints: dict[str, ValidOrder] = {}
    kept: list[ValidOrder] = []
    for v in valid:
        oid, label = v.order.id, v.candidate.label
        if oid in stored:
            old = stored[oid]
            same = "" if old.data == v.data else " with different content; not changed"
            report.duplicates.append(
                Duplicate(label, oid, oid, f"already imported in batch {old.batch_id}{same}")
            )
            continue
        if oid in seen:
            first = seen[oid]
            if first.data == v.data and first.day == v.day:
                report.duplicates.append(
                    Duplicate(label, oid, oid, f"repeats {first.candidate.label}")
                )
            else:
                report.errors.append(
                    FieldError(label, "id", f"also used by {first.candidate.label}", oid)
                )
            continue
        seen[oid] = v
        fp = v.fingerprint
        if fp is not None:
            twin = stored_prints.get(fp)
            if twin is not None and twin.platform != v.order.platform:
                report.duplicates.append(Duplicate(label, oid, twin.order_id, _same(twin.platform)))
                continue
            other = seen_prints.get(fp)
            if other is not None and other.order.platform != v.order.platform:
                report.duplicates.append(
                    Duplicate(label, oid, other.order.id, _same(other.order.platform))
                )
                continue
            seen_prints.setdefault(fp, v)
        kept.append(v)
    return kept


def _same(platform: str) -> str:
    source = platform or "another platform"
    return f"same customer, destination, items and window as an order from {source}"
