"""Orders written in the contract's CSV columns, the form the import reads back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dispatch.intake.imports.platforms import ITEM_FIELDS, ORDER_FIELDS


def orders_csv(orders: Iterable[Mapping[str, Any]], *, day: date | None = None) -> str:
    """Orders in the contract's CSV columns, a row per item: the form :func:`read_orders` reads."""
    columns = [f for f in ORDER_FIELDS if f not in ("window_start", "window_end")] + list(
        ITEM_FIELDS
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for order in orders:
        location = order.get("location") or {}
        head = {
            **{f: order.get(f) for f in ("id", "platform", "customer", "pickup_point",
                                         "address", "region", "service_minutes")},
            "date": day.isoformat() if day else order.get("date"),
            "lat": location.get("lat"),
            "lon": location.get("lon"),
            "time_windows": ";".join(
                f"{w['start']}-{w['end']}" for w in order.get("time_windows") or []
            ),
        }  # fmt: skip
        for item in order.get("items") or [{}]:
            row = {**head, **{f: item.get(f) for f in ITEM_FIELDS}}
            writer.writerow(["" if row.get(c) is None else _text(row[c]) for c in columns])
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
