"""The customer's tracking page for one order (or one pickup point's stop): its state, the
expected arrival window and the van's last known position on a small map.

:func:`build_page` reads the typed plan, the day's status when there is one (else the plan's
own times) and the tracked subject; :func:`render_page` makes the HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from api.views.pages import Lang, app_asset_url, page_texts, templates
from dispatch.live.status import DayStatus, OrderState, StopState
from dispatch.planning.plan import Plan, RouteOut, StopVisit
from dispatch.store import TrackedSubject
from geo import assets

WINDOW_MINUTES = 15
"""Half the width of the arrival window shown around the expected time."""
REFRESH_S = 60


def texts() -> dict[str, dict[str, Any]]:
    """The page's words per language."""
    return page_texts("tracking")


def _visit(plan: Plan, subject: TrackedSubject) -> tuple[RouteOut, StopVisit] | None:
    for route in plan.routes:
        if subject.vehicle is not None and route.vehicle != subject.vehicle:
            continue
        for stop in route.stops:
            if (subject.stop is not None and stop.stop == subject.stop) or (
                subject.order is not None and subject.order in stop.orders
            ):
                return route, stop
    return None


def _planned(plan: Plan, minutes: int, zone: ZoneInfo) -> datetime | None:
    if plan.date is None:
        return None
    return datetime.combine(plan.date, time(0), tzinfo=zone) + timedelta(minutes=minutes)


def _rounded(moment: datetime, *, up: bool) -> datetime:
    """To the 5 minutes below (or above)."""
    moment = moment.replace(second=0, microsecond=0)
    extra = moment.minute % 5
    if not extra:
        return moment
    return moment + timedelta(minutes=5 - extra) if up else moment - timedelta(minutes=extra)


def build_page(
    plan: Plan,
    subject: TrackedSubject,
    status: DayStatus | None,
    *,
    lang: Lang,
    tiles_url: str | None,
    point_name: str | None = None,
    asset_base: str = "/static",
) -> dict[str, Any]:
    """The template's view of the tracked order or stop."""
    t = texts()[lang]
    zone = ZoneInfo(plan.timezone)
    visit = _visit(plan, subject)
    route_status = status.route(visit[0].vehicle) if status and visit else None
    stop_status = next(
        (s for s in route_status.stops if visit and s.stop == visit[1].stop), None
    ) if route_status else None  # fmt: skip
    state = OrderState.PLANNED.value
    expected = _planned(plan, visit[1].arrival, zone) if visit else None
    delivered = None
    if subject.order is not None:
        order = status.order(subject.order) if status else None
        if order is not None:
            state = order.state.value
            expected = order.predicted_arrival or expected
    elif stop_status is not None:
        state = stop_status.state.value
    if stop_status is not None:
        expected = stop_status.predicted_arrival or expected
        if stop_status.state in (StopState.DELIVERED, StopState.PARTLY_DELIVERED) or state in (
            OrderState.DELIVERED.value,
        ):
            delivered = stop_status.actual_arrival
    if state == OrderState.PLANNED.value and route_status and route_status.departed_at:
        state = OrderState.OUT_FOR_DELIVERY.value
    window = ""
    if expected is not None and state not in ("delivered", "failed", "cancelled"):
        local = expected.astimezone(zone)
        start = _rounded(local - timedelta(minutes=WINDOW_MINUTES), up=False)
        end = _rounded(local + timedelta(minutes=WINDOW_MINUTES), up=True)
        window = f"{start:%H:%M}–{end:%H:%M}"
    van = route_status.position if route_status else None
    dest = visit[1].location.lat_lon() if visit else None
    stop_orders = list(visit[1].orders) if visit and subject.stop is not None else []
    heading = subject.order or point_name or subject.stop or ""
    tiles = tiles_url or None
    return {
        "lang": lang,
        "heading": heading,
        "subject_label": t["order"] if subject.order else t["pickup_point"],
        "state": state,
        "state_label": t["states"].get(state, state),
        "window": window,
        "delivered_at": f"{delivered.astimezone(zone):%H:%M}" if delivered else "",
        "van_at": f"{van.at.astimezone(zone):%H:%M}" if van else "",
        "orders": stop_orders,
        "show_map": dest is not None,
        "leaflet_js": assets.asset_url(asset_base, assets.LEAFLET_JS),
        "leaflet_css": assets.asset_url(asset_base, assets.LEAFLET_CSS),
        "page_js": app_asset_url(asset_base, "tracking/tracking.js"),
        "base_css": app_asset_url(asset_base, "base.css"),
        "page_css": app_asset_url(asset_base, "tracking/tracking.css"),
        "data": {
            "dest": [round(dest[0], 5), round(dest[1], 5)] if dest else None,
            "dest_label": heading,
            "van": [round(van.lat, 5), round(van.lon, 5)] if van else None,
            "van_label": t["van"],
            "tiles": tiles,
            "attribution": assets.OSM_ATTRIBUTION if tiles and "openstreetmap" in tiles else "",
            "refresh_s": REFRESH_S,
        },
    }


def render_page(page: Mapping[str, Any]) -> str:
    """The tracking page's HTML."""
    t = texts()[page["lang"]]
    return templates().get_template("tracking.html").render(page=page, t=t)
