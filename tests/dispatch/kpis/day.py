"""A hand-made day to count: one route of two stops, a carrier's region and an unserved order,
with events whose KPIs are worked out by hand in the tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent
from dispatch.planning.plan import Plan

TZ = ZoneInfo("Asia/Taipei")


def at(hh_mm: str) -> datetime:
    hour, minute = hh_mm.split(":")
    return datetime(2026, 12, 8, int(hour), int(minute), tzinfo=TZ)


def _item(temperature: str = "ambient") -> list[dict[str, Any]]:
    return [{"sku": "x", "qty": 1, "weight_kg": 1, "volume_l": 2, "temperature": temperature}]


REQUEST: dict[str, Any] = {
    "date": "2026-12-08",
    "timezone": "Asia/Taipei",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "vehicles": [{"id": "VAN", "depot": "DC", "count": 2,
                  "capacity": {"weight_kg": 500, "volume_l": 1000, "chilled_l": 100},
                  "max_cold_minutes": {"chilled": 60},
                  "shift": {"start": "08:00", "end": "18:00"}}],
    "pickup_points": [{"id": "PP-1", "location": {"lat": 25.04, "lon": 121.56},
                       "time_windows": [{"start": "09:00", "end": "09:30"}]}],
    "orders": [
        {"id": "A-1", "platform": "line", "pickup_point": "PP-1", "items": _item("chilled")},
        {"id": "A-2", "platform": "web", "pickup_point": "PP-1", "items": _item()},
        {"id": "H-1", "platform": "line", "location": {"lat": 25.05, "lon": 121.55},
         "time_windows": [{"start": "09:00", "end": "10:00"}], "items": _item()},
        {"id": "C-1", "platform": "app", "location": {"lat": 25.10, "lon": 121.50},
         "time_windows": [{"start": "09:00", "end": "12:00"}], "items": _item()},
        {"id": "C-2", "platform": "app", "location": {"lat": 25.11, "lon": 121.50},
         "time_windows": [{"start": "09:00", "end": "12:00"}], "items": _item()},
        {"id": "U-1", "platform": "web", "location": {"lat": 25.12, "lon": 121.50},
         "items": _item()},
    ],
    "carriers": [{"id": "CAT", "on_time_rate": 0.9}],
}  # fmt: skip


def _stop(stop: str, orders: list[str], arrival: str, window: list[str], **extra: Any) -> Any:
    return {
        "stop": stop, "orders": orders, "location": {"lat": 25.04, "lon": 121.56},
        "arrival": arrival, "start_service": arrival, "departure": arrival, "windows": [window],
        **extra,
    }  # fmt: skip


PLAN: dict[str, Any] = {
    "status": "partial",
    "date": "2026-12-08",
    "timezone": "Asia/Taipei",
    "objective": {"total": 6500.0, "own_fleet": 1200.0, "carriers": 300.0, "penalties": 5000.0},
    "routes": [{
        "vehicle": "VAN#1", "depot": "DC", "start": "08:30", "end": "11:00", "distance_km": 20,
        "load": {"weight_kg": 100, "volume_l": 200, "chilled_l": 2},
        "cost": {"fixed": 1000, "distance": 100, "time": 100, "total": 1200.0},
        "stops": [
            _stop("PP-1", ["A-1", "A-2"], "09:00", ["09:00", "09:30"],
                  unload={"weight_kg": 2, "volume_l": 4, "chilled_l": 2}, cold_minutes=30),
            _stop("H-1", ["H-1"], "09:30", ["09:00", "10:00"]),
        ],
    }],
    "outsourced": [{"region": "R", "carrier": "CAT", "orders": ["C-1", "C-2"], "cost": 300.0}],
    "unserved": [{"order": "U-1", "reason": "dropped by the search", "code": "dropped"}],
    "kpis": {"orders": 6, "served_own": 3, "served_carrier": 2, "unserved": 1,
             "vehicles_used": 1, "distance_km": 20, "on_time_rate": 1.0,
             "cost_per_order": 250.0, "max_cold_minutes": {"chilled": 30}},
}  # fmt: skip


def plan() -> Plan:
    return Plan.model_validate(PLAN)


def road(event_id: str, kind: LiveKind, hh_mm: str, stop: str | None = None, **kw: Any) -> Any:
    return RoadEvent(
        event_id=event_id, vehicle="VAN#1", kind=kind, at=at(hh_mm), received_at=at(hh_mm),
        stop=stop, **kw,
    )  # fmt: skip


ROAD: list[RoadEvent] = [
    road("e1", LiveKind.DEPARTED, "08:40"),
    road("e2", LiveKind.ARRIVED, "09:50", "PP-1"),
    road("e3", LiveKind.DELIVERED, "09:55", "PP-1"),
    road("e4", LiveKind.ARRIVED, "10:10", "H-1"),
    road("e5", LiveKind.FAILED, "10:12", "H-1", reason="nobody"),
    road("e6", LiveKind.POSITION, "10:30", lat=25.05, lon=121.55),
]


def carrier(event_id: str, order: str, kind: CarrierKind, hh_mm: str, **kw: Any) -> Any:
    return CarrierEvent(
        event_id=event_id, carrier="CAT", order=order, kind=kind, at=at(hh_mm),
        received_at=at(hh_mm), **kw,
    )  # fmt: skip


CARRIER: list[CarrierEvent] = [
    carrier("c1", "C-1", CarrierKind.PICKED_UP, "09:00"),
    carrier("c2", "C-1", CarrierKind.DELIVERED, "11:30"),
    carrier("c3", "C-2", CarrierKind.FAILED, "12:10", reason="refused"),
]
