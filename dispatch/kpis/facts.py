"""What happened to each order, route and notice of a day: the facts the KPIs are counted from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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
