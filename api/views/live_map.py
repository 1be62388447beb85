"""The plan map's live feed: a plan's status as generic marker styles and vehicle pins.

The map page (``geo``) knows no plan; this view says which stop markers look delivered,
late or failed and where the vans were last heard from, in the feed format of
:class:`geo.maps.LiveFeed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.views.plan_map import stop_key
from dispatch.live.status import DayStatus, StopState, StopStatus

REFRESH_S = 15
STATE_COLOURS = {
    "delivered": "#15803d",
    "partly_delivered": "#65a30d",
    "late": "#f59e0b",
    "failed": "#b91c1c",
}
"""A stop's colour by its live state; a stop on plan keeps its route's colour."""


def _hhmm(at: datetime | None, zone: ZoneInfo) -> str:
    return "" if at is None else at.astimezone(zone).strftime("%H:%M")


def stop_state(stop: StopStatus) -> str:
    """``delivered``, ``partly_delivered``, ``failed``, ``late`` (predicted past its window),
    ``arrived`` or ``planned``."""
    if stop.state in (StopState.DELIVERED, StopState.PARTLY_DELIVERED, StopState.FAILED):
        return stop.state.value
    if stop.predicted_late_minutes > 0:
        return "late"
    return stop.state.value


_WORDS = {
    "delivered": "delivered 已送達",
    "partly_delivered": "partly delivered 部分送達",
    "failed": "failed 未送達",
    "late": "late 延誤",
    "arrived": "arrived 已抵達",
    "planned": "planned 預計",
}


def _tooltip(stop: StopStatus, state: str, zone: ZoneInfo) -> str:
    words = f"{stop.stop} · {_WORDS[state]}"
    if state in ("delivered", "partly_delivered", "failed", "arrived"):
        words += f" {_hhmm(stop.actual_arrival, zone)}"
    else:
        words += f" {_hhmm(stop.predicted_arrival, zone)}"
    if state == "late":
        words += f" (+{stop.predicted_late_minutes} min)"
    if state == "failed" and stop.reason:
        words += f" · {stop.reason}"
    return words


def live_feed(status: DayStatus, zone: ZoneInfo, colours: Mapping[str, str]) -> dict[str, Any]:
    """The feed of ``status``: every stop's state and colour, each van's last position."""
    markers = []
    counts = dict.fromkeys(("delivered", "late", "failed"), 0)
    for route in status.routes:
        for stop in route.stops:
            state = stop_state(stop)
            counted = "delivered" if state == "partly_delivered" else state
            if counted in counts:
                counts[counted] += 1
            markers.append(
                {
                    "key": stop_key(route.vehicle, stop.stop),
                    "state": state,
                    "colour": STATE_COLOURS.get(state),
                    "tooltip": _tooltip(stop, state, zone),
                }
            )
    vehicles = [
        {
            "key": route.vehicle,
            "at": [round(route.position.lat, 6), round(route.position.lon, 6)],
            "label": "車",
            "colour": colours.get(route.vehicle, "#1f2937"),
            "tooltip": f"{route.vehicle} · {_hhmm(route.position.at, zone)}",
        }
        for route in status.routes
        if route.position is not None
    ]
    summary = (
        f"{_hhmm(status.as_of, zone)} · {counts['delivered']} delivered 已送達 · "
        f"{counts['late']} late 延誤 · {counts['failed']} failed 未送達"
    )
    return {
        "as_of": status.as_of.astimezone(zone).isoformat(),
        "summary": summary,
        "markers": markers,
        "vehicles": vehicles,
    }
