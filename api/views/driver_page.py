"""The driver's page for one route: stops in order with times, loads, contacts and status.

:func:`build_page` turns a typed plan's route and the places of its request into the
template's view data; :func:`render_page` makes the HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.views.pages import Lang, app_asset_url, page_texts, templates
from api.views.places import LatLon, RequestPlaces
from dispatch.clock import format_clock
from dispatch.planning.plan import Cargo, Plan, RouteOut
from geo import assets

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


def texts() -> dict[str, dict[str, Any]]:
    """The page's words per language."""
    return page_texts("driver")


def _clock(minutes: int) -> str:
    """ "HH:MM" as shown to drivers; times past midnight get a "+1"."""
    if minutes >= 24 * 60:
        return f"{format_clock(minutes - 24 * 60)} +1"
    return format_clock(minutes)


def _amount(value: float, unit: str) -> str:
    return f"{value:,.1f} {unit}".replace(".0 ", " ")


def _load(unload: Cargo, t: Mapping[str, Any]) -> list[dict[str, str]]:
    """What to unload per temperature class, and the weight."""
    rows = (
        ("ambient", "", t["ambient"], unload.ambient_l, "L"),
        ("chilled", "❄", f"{t['chilled']} 0–7°C", unload.chilled_l, "L"),
        ("frozen", "❄", f"{t['frozen']} −18°C", unload.frozen_l, "L"),
        ("weight", "", t["weight"], unload.weight_kg, "kg"),
    )
    return [
        {"kind": kind, "icon": icon, "label": label, "amount": _amount(value, unit)}
        for kind, icon, label, value, unit in rows
        if value > 0
    ]


def _rounded(where: LatLon | None) -> LatLon | None:
    return None if where is None else (round(where[0], 6), round(where[1], 6))


def _phone_uri(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit() or c == "+")


def build_page(
    plan: Plan,
    route: RouteOut,
    *,
    places: RequestPlaces,
    statuses: Mapping[str, str],
    lang: Lang,
    tiles_url: str | None,
    asset_base: str = "/static",
    departed: str | None = None,
    changed: bool = False,
) -> dict[str, Any]:
    """The template's view of one route: stops in order with times, loads, contacts, status;
    ``departed`` is the departure time ("HH:MM") once reported; ``changed`` when the link was
    made for a plan that a newer published plan superseded."""
    t = texts()[lang]
    stops = []
    for seq, stop in enumerate(route.stops, start=1):
        info = places.stop(stop.stop, stop.orders)
        where = _rounded(stop.location.lat_lon())
        status = statuses.get(stop.stop, "")
        stops.append(
            {
                "seq": seq,
                "id": stop.stop,
                "name": stop.name or info.name or stop.stop,
                "address": info.address,
                "arrival": _clock(stop.arrival),
                "window": ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in stop.windows) or "–",
                "late_minutes": stop.late_minutes,
                "load": _load(stop.unload, t),
                "orders": list(stop.orders),
                "contact": info.contact,
                "phone": info.phone,
                "phone_uri": _phone_uri(info.phone),
                "lat": where[0] if where else None,
                "lon": where[1] if where else None,
                "status": status,
                "status_label": t.get(f"status_{status}", "") if status else "",
            }
        )
    start, end = places.depots.get(route.depot), places.depots.get(route.end_depot or route.depot)
    tiles = tiles_url or None
    return {
        "lang": lang,
        "vehicle": route.vehicle,
        "date": plan.date.isoformat() if plan.date else "",
        "depot": route.depot,
        "start": _clock(route.start),
        "end": _clock(route.end),
        "distance_km": round(route.distance_km, 1),
        "stops": stops,
        "done": sum(1 for s in stops if s["status"] in ("delivered", "partly_delivered", "failed")),
        "departed": departed,
        "changed": changed,
        "leaflet_js": assets.asset_url(asset_base, assets.LEAFLET_JS),
        "leaflet_css": assets.asset_url(asset_base, assets.LEAFLET_CSS),
        "page_js": app_asset_url(asset_base, "driver/driver.js"),
        "base_css": app_asset_url(asset_base, "base.css"),
        "page_css": app_asset_url(asset_base, "driver/driver.css"),
        "data": {
            "depot": _rounded(start.at) if start else None,
            "end": _rounded(end.at) if end else None,
            "stops": [
                {k: s[k] for k in ("seq", "id", "name", "lat", "lon", "status")}
                for s in stops
                if s["lat"] is not None
            ],
            "tiles": tiles,
            "attribution": assets.OSM_ATTRIBUTION if tiles and "openstreetmap" in tiles else "",
        },
    }


def render_page(page: Mapping[str, Any]) -> str:
    """The driver page's HTML."""
    t = texts()[page["lang"]]
    return templates().get_template("driver.html").render(page=page, t=t)
