"""What happened to each order, route and notice of a day: the facts the KPIs are counted from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

OWN = "own"
"""The carrier key of orders on the own fleet's routes."""
NONE = "unserved"
"""The carrier and vehicle key of orders the plan left unserved."""
UNASSIGNED = "unassigned"
"""The group of a notice whose order is not counted that day."""


class Outcome(StrEnum):
    """How an order ended on the day it is counted."""

    DELIVERED = "delivered"
    FAILED = "failed"
    UNSERVED = "unserved"
    OPEN = "open"
    """Planned, but no delivered or failed event was reported."""


@dataclass(frozen=True, slots=True)
class OrderFact:
    """One counted order: who had it, how it ended, how late and how cold.

    ``late_minutes`` and ``minutes_from_departure`` are set for delivered orders (the latter
    only when the start event, ``departed`` or ``picked_up``, was reported); ``cold_ok`` for
    chilled or frozen orders whose own-fleet stop was reached; ``cost`` is its share of the
    cost of its route or carrier work.
    """

    day: date
    order: str
    platform: str
    region: str
    carrier: str
    vehicle: str
    outcome: Outcome
    reason: str | None = None
    late_minutes: int | None = None
    minutes_from_departure: float | None = None
    cold: bool = False
    cold_ok: bool | None = None
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class RouteFact:
    """One own-fleet route that departed: its load and working time over its capacity and shift."""

    day: date
    vehicle: str
    load_share: float | None
    time_share: float | None


@dataclass(frozen=True, slots=True)
class NoticeFact:
    """One notice sent; ``compensation`` counts only on the last compensated notice of its
    subject (a later band replaces an earlier promise)."""

    day: date
    order: str | None
    compensation: float = 0.0


@dataclass(frozen=True, slots=True)
class DayFacts:
    orders: tuple[OrderFact, ...] = ()
    routes: tuple[RouteFact, ...] = ()
    notices: tuple[NoticeFact, ...] = ()


def day_document(day: DayFacts) -> dict[str, Any]:
    """A day's facts as plain JSON values, read back by :func:`day_from_document` (each
    fact's day is the day's; an empty day has none)."""
    days = [*(o.day for o in day.orders), *(r.day for r in day.routes),
            *(n.day for n in day.notices)]  # fmt: skip
    when = days[0] if days else None
    return {
        "day": None if when is None else when.isoformat(),
        "orders": [_order_row(o) for o in day.orders],
        "routes": [[r.vehicle, r.load_share, r.time_share] for r in day.routes],
        "notices": [[n.order, n.compensation] for n in day.notices],
    }


def _order_row(o: OrderFact) -> list[Any]:
    return [
        o.order, o.platform, o.region, o.carrier, o.vehicle, o.outcome.value, o.reason,
        o.late_minutes, o.minutes_from_departure, o.cold, o.cold_ok, o.cost,
    ]  # fmt: skip


def day_from_document(doc: dict[str, Any]) -> DayFacts:
    """The day :func:`day_document` wrote."""
    if doc["day"] is None:
        return DayFacts()
    when = date.fromisoformat(doc["day"])
    return DayFacts(
        tuple(OrderFact(when, o, p, r, c, v, Outcome(out), *rest)
              for o, p, r, c, v, out, *rest in doc["orders"]),
        tuple(RouteFact(when, *r) for r in doc["routes"]),
        tuple(NoticeFact(when, *n) for n in doc["notices"]),
    )  # fmt: skip
