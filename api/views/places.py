"""The places of a stored plan request: depots, pickup points and orders, by id.

A plan names its stops and depots by id and carries its stops' locations; where a depot
is, who to call at a pickup point and where an unserved order lies come from the request
the plan was made for, stored as JSON with its job. This is the one reader of those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dispatch.intake.request import Location

LatLon = tuple[float, float]
Json = Mapping[str, Any]


def lat_lon(location: object) -> LatLon | None:
    """(lat, lon) of a location (a request's JSON or a plan's ``Location``), when it is a
    point on the earth; None for planar, missing or out-of-range coordinates."""
    if isinstance(location, Location):
        return location.lat_lon()
    if not isinstance(location, Mapping):
        return None
    try:
        lat, lon = float(location["lat"]), float(location["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
        return None
    return lat, lon


def position(location: object) -> tuple[float, float] | None:
    """A GeoJSON position: ``(lon, lat)``, or ``(x, y)`` for a planar location."""
    where = lat_lon(location)
    if where is not None:
        return where[1], where[0]
    if isinstance(location, Location):
        return None if location.x is None or location.y is None else (location.x, location.y)
    if isinstance(location, Mapping):
        try:
            x, y = float(location["x"]), float(location["y"])
        except (KeyError, TypeError, ValueError):
            return None
        return (x, y) if math.isfinite(x + y) else None
    return None


@dataclass(frozen=True, slots=True)
class Place:
    """A depot, pickup point or order: its name, where it is, and who to call."""

    id: str
    name: str = ""
    location: Json | None = None
    contact: str = ""
    phone: str = ""
    address: str = ""
    hours: str = ""

    @property
    def at(self) -> LatLon | None:
        return lat_lon(self.location)


def _text(record: Json, key: str) -> str:
    return str(record.get(key) or "")


def _place(record: Json, *, contact: str = "contact", name: str = "name") -> Place:
    location = record.get("location")
    hours = f"{_text(record, 'open')}–{_text(record, 'close')}".strip("–")
    return Place(
        id=str(record.get("id")),
        name=_text(record, name),
        location=location if isinstance(location, Mapping) else None,
        contact=_text(record, contact),
        phone=_text(record, "phone"),
        address=_text(record, "address"),
        hours=hours,
    )


def _records(doc: Json, key: str) -> list[Json]:
    return [r for r in doc.get(key) or [] if isinstance(r, Mapping)]


@dataclass(frozen=True, slots=True)
class RequestPlaces:
    """The request's depots, pickup points and orders by id, and its region polygons."""

    depots: dict[str, Place] = field(default_factory=dict)
    points: dict[str, Place] = field(default_factory=dict)
    orders: dict[str, Place] = field(default_factory=dict)
    pickup_of: dict[str, str] = field(default_factory=dict)
    regions: Json | None = None

    @classmethod
    def of(cls, request_doc: Json | None) -> RequestPlaces:
        """The places of a request as JSON data (None: a plan without its request)."""
        doc = request_doc or {}
        regions = doc.get("regions")
        orders = _records(doc, "orders")
        return cls(
            depots={str(d.get("id")): _place(d) for d in _records(doc, "depots")},
            points={str(p.get("id")): _place(p) for p in _records(doc, "pickup_points")},
            orders={str(o.get("id")): _place(o, contact="customer") for o in orders},
            pickup_of={
                str(o.get("id")): str(o["pickup_point"]) for o in orders if o.get("pickup_point")
            },
            regions=regions if isinstance(regions, Mapping) else None,
        )

    def order_location(self, order_id: str) -> Json | None:
        """Where an order is delivered: its pickup point, else its own location."""
        point = self.points.get(self.pickup_of.get(order_id, ""))
        if point is not None and point.location is not None:
            return point.location
        order = self.orders.get(order_id)
        return order.location if order is not None else None

    def stop(self, stop_id: str, orders: tuple[str, ...]) -> Place:
        """The pickup point a stop is, or the one order delivered to its door."""
        found = self.points.get(stop_id) or (
            self.orders.get(orders[0]) if len(orders) == 1 else None
        )
        return found or Place(stop_id)
