"""The plan map's layers: a plan and its request as plain :mod:`geo.maps` layers.

One coloured line per route with numbered stops (along the roads when the request
travels over a road network), the depots, the unserved orders and the regions
(filled per carrier when outsourced, dashed when the own fleet serves them).
Used by ``/plans/{id}/map`` and by the CLI's ``--map``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from api.views.places import Json, Place, RequestPlaces, lat_lon
from dispatch.clock import format_clock, format_windows
from dispatch.planning.plan import Cargo, Outsourced, Plan, RouteOut, StopVisit, Unserved
from geo import assets
from geo.maps import (
    LatLon,
    Layer,
    LiveFeed,
    MapLayers,
    Marker,
    Polygon,
    Polyline,
    Popup,
    Row,
    polygon_parts,
    render_page,
    tiles_for,
    write_page,
)
from geo.osrm import OsrmError, osrm_route_path
from geo.roads import load_network, road_path

Drawer = Callable[[Sequence[LatLon]], Sequence[LatLon]]

log = logging.getLogger(__name__)

ROUTE_COLOURS = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#9a6324", "#800000", "#469990", "#808000", "#000075", "#bfef45", "#dcbeff",
)  # fmt: skip
CARRIER_COLOURS = ("#6a3d9a", "#b15928", "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00")
OWN_REGION_COLOUR = "#7f7f7f"
DEPOT_COLOUR = "#1f2937"
UNSERVED_COLOUR = "#d63e2a"
ORDERS_SHOWN = 12


def _orders(orders: Sequence[str]) -> str:
    shown = ", ".join(orders[:ORDERS_SHOWN])
    if len(orders) > ORDERS_SHOWN:
        shown += f" … (+{len(orders) - ORDERS_SHOWN})"
    return shown


def load_rows(unload: Cargo) -> tuple[Row, ...]:
    """Volume per temperature class and weight, the classes with nothing left out."""
    rows = [
        Row(label, f"{value:,.0f} L", kind)
        for kind, label, value in (
            ("ambient", "ambient 常溫", unload.ambient_l),
            ("chilled", "chilled 冷藏", unload.chilled_l),
            ("frozen", "frozen 冷凍", unload.frozen_l),
        )
        if value > 0
    ]
    if unload.weight_kg:
        rows.append(Row("weight", f"{unload.weight_kg:,.1f} kg", "weight"))
    return tuple(rows)


def stop_popup(seq: int, name: str, vehicle: str, stop: StopVisit) -> Popup:
    """A stop's popup: arrival, windows, orders, lateness and what is unloaded."""
    rows = [
        Row("arrival", format_clock(stop.arrival)),
        Row("windows" if len(stop.windows) > 1 else "window", format_windows(stop.windows) or "–"),
        Row(f"orders ({len(stop.orders)})", _orders(stop.orders)),
    ]
    if stop.late_minutes:
        rows.append(Row("late", f"{stop.late_minutes} min", "late"))
    rows += load_rows(stop.unload)
    return Popup(f"{seq}. {name}", f"{vehicle} · {stop.stop}", tuple(rows))


def road_drawer(doc: Json) -> Drawer | None:
    """For a request that travels over a road network or an OSRM server, a function drawing
    a trip along the roads (straight lines where they cannot be had)."""
    travel = doc.get("travel")
    if not isinstance(travel, Mapping):
        return None
    if travel.get("metric") == "osrm" and isinstance(travel.get("url"), str):
        return osrm_drawer(travel["url"])
    if travel.get("metric") != "road":
        return None
    speeds = travel.get("speeds")
    try:
        network = load_network(
            str(travel.get("osm_file")), speeds=speeds if isinstance(speeds, Mapping) else None
        )
    except Exception:
        log.warning("the plan map draws straight lines: the road network did not load")
        return None

    def along(points: Sequence[LatLon]) -> Sequence[LatLon]:
        try:
            return road_path(network, [p[0] for p in points], [p[1] for p in points])
        except ValueError:
            return points

    return along


def osrm_drawer(url: str) -> Drawer:
    """Trips drawn along OSRM's routes; after the first failure, the rest straight."""
    failed: list[str] = []

    def along(points: Sequence[LatLon]) -> Sequence[LatLon]:
        if failed:
            return points
        try:
            return osrm_route_path(url, [p[0] for p in points], [p[1] for p in points])
        except (OsrmError, ValueError) as exc:
            log.warning("the plan map draws straight lines: %s", exc)
            failed.append(str(exc))
            return points

    return along


def stop_key(vehicle: str, stop: str) -> str:
    """The name by which the live map updates a stop's marker."""
    return f"{vehicle}/{stop}"


def route_colours(plan: Plan) -> dict[str, str]:
    """Each route's colour on the map, by vehicle."""
    return {
        route.vehicle: ROUTE_COLOURS[index % len(ROUTE_COLOURS)]
        for index, route in enumerate(plan.routes)
    }


def _route_layer(
    index: int, route: RouteOut, places: RequestPlaces, along: Drawer | None = None
) -> Layer:
    colour = ROUTE_COLOURS[index % len(ROUTE_COLOURS)]
    vehicle = route.vehicle or f"route {index + 1}"
    label = f"{vehicle} · {len(route.stops)} stops · {route.distance_km:.1f} km"
    markers = []
    for seq, stop in enumerate(route.stops, start=1):
        where = lat_lon(stop.location)
        if where is None:
            continue
        point = places.points.get(stop.stop)
        name = stop.name or (point.name if point else "") or stop.stop
        markers.append(
            Marker(
                where,
                "stop",
                colour,
                tooltip=f"{seq}. {name} {format_clock(stop.arrival)}",
                label=str(seq),
                popup=stop_popup(seq, name, vehicle, stop),
                key=stop_key(vehicle, stop.stop),
            )
        )
    start, end = places.depots.get(route.depot), places.depots.get(route.end_depot or route.depot)
    ends = (start.at if start else None, end.at if end else None)
    points = [p for p in (ends[0], *(m.at for m in markers), ends[1]) if p is not None]
    if along is not None and len(points) >= 2:
        points = list(along(points))
    lines = (Polyline(tuple(points), colour, tooltip=label),) if len(points) >= 2 else ()
    return Layer(label, colour, lines=lines, markers=tuple(markers))


def _depot_layer(depots: Sequence[Place]) -> Layer:
    markers = []
    for depot in depots:
        where = depot.at
        if where is None:
            continue
        name = depot.name or depot.id
        rows = [Row("depot", depot.id)]
        if depot.hours:
            rows.append(Row("hours", depot.hours))
        markers.append(
            Marker(
                where,
                "depot",
                DEPOT_COLOUR,
                tooltip=f"depot {name}",
                label="倉",
                popup=Popup(name, "", tuple(rows)),
            )
        )
    return Layer("Depots 倉庫", DEPOT_COLOUR, markers=tuple(markers))


def _unserved_layer(unserved: Sequence[Unserved], places: RequestPlaces) -> Layer:
    markers = []
    for entry in unserved:
        where = lat_lon(places.order_location(entry.order))
        if where is None:
            continue
        markers.append(
            Marker(
                where,
                "unserved",
                UNSERVED_COLOUR,
                tooltip=f"unserved {entry.order}",
                label="!",
                popup=Popup(f"unserved {entry.order}", "", (Row("reason", entry.reason),)),
            )
        )
    name = f"Unserved 未配送 ({len(unserved)})"
    return Layer(name, UNSERVED_COLOUR, markers=tuple(markers))


def _region_layers(outsourced: Sequence[Outsourced], regions: Json | None) -> list[Layer]:
    """One layer per region: filled in its carrier's colour when outsourced, else dashed."""
    if not isinstance(regions, Mapping):
        return []
    by_region: dict[str, list[Outsourced]] = {}
    for entry in outsourced:
        by_region.setdefault(entry.region, []).append(entry)
    carriers = sorted({e.carrier for e in outsourced})
    colour_of = {c: CARRIER_COLOURS[i % len(CARRIER_COLOURS)] for i, c in enumerate(carriers)}
    layers = []
    for feature in regions.get("features") or []:
        props = feature.get("properties") or {}
        region = str(props.get("id", props.get("name", "")))
        shown = region_name(props)
        parts = polygon_parts(feature.get("geometry"))
        if not parts:
            continue
        entries = by_region.get(region)
        if entries:
            names = list(dict.fromkeys(e.carrier for e in entries))
            colour = colour_of[names[0]]
            title = f"{shown} → {', '.join(names)}"
            rows = [
                Row("orders", str(sum(len(e.orders) for e in entries))),
                Row("cost", f"{sum(e.cost for e in entries):,.0f}"),
            ]
            reasons = list(dict.fromkeys(e.reason for e in entries if e.reason))
            if reasons:
                rows.append(Row("reason", "; ".join(reasons)))
            area = Polygon(parts, colour, tooltip=title, popup=Popup(title, "", tuple(rows)))
        else:
            colour, title = OWN_REGION_COLOUR, f"{shown} (own fleet 自營)"
            area = Polygon(
                parts, colour, tooltip=title, popup=Popup(title), dashed=True, fill_opacity=0.03
            )
        layers.append(Layer(f"region {title}", colour, polygons=(area,)))
    return layers


def region_name(props: Mapping[str, Any]) -> str:
    """A region as people know it: its stored name, with its id when they differ."""
    region, name = str(props.get("id", "") or ""), str(props.get("name", "") or "")
    if name and region and name != region:
        return f"{name} ({region})"
    return name or region


def summary(plan: Plan) -> str:
    """Date · status · routes · stops · outsourced orders · unserved orders."""
    parts = [
        plan.date.isoformat() if plan.date else "",
        plan.status,
        f"{len(plan.routes)} routes",
        f"{sum(len(r.stops) for r in plan.routes)} stops",
        f"{sum(len(o.orders) for o in plan.outsourced)} outsourced",
        f"{len(plan.unserved)} unserved",
    ]
    return " · ".join(p for p in parts if p)


def plan_layers(plan: Plan, request_doc: Json | None, *, live: LiveFeed | None = None) -> MapLayers:
    """The plan's map: routes, then depots, unserved orders and regions, in switch order.

    ``request_doc`` (the plan request as JSON data) places the depots, names the pickup
    points, locates the unserved orders, outlines the regions, and with the ``road``
    or ``osrm`` metric lets the routes follow the roads. With ``live``, the page follows that feed
    (see :mod:`api.views.live_map`).
    """
    places = RequestPlaces.of(request_doc)
    along = road_drawer(request_doc or {})
    layers = [_route_layer(index, route, places, along) for index, route in enumerate(plan.routes)]
    layers.append(_depot_layer(list(places.depots.values())))
    if plan.unserved:
        layers.append(_unserved_layer(plan.unserved, places))
    layers += _region_layers(plan.outsourced, places.regions)
    date = plan.date.isoformat() if plan.date else ""
    return MapLayers(
        title=f"Plan {date} 配送地圖" if date else "Plan map 配送地圖",
        summary=summary(plan),
        layers=tuple(layers),
        live=live,
    )


def render_plan_map(
    plan: Plan,
    request_doc: Json | None,
    *,
    tiles_url: str | None,
    asset_base: str = "/static",
    live: LiveFeed | None = None,
) -> str:
    """The plan map page for a stored plan and its request (following ``live`` if given)."""
    return render_page(
        plan_layers(plan, request_doc, live=live), asset_base=asset_base, tiles=tiles_for(tiles_url)
    )


def request_document(request: Any) -> dict[str, Any]:
    """The request as plain JSON data, from a dict or any object with ``model_dump``."""
    if isinstance(request, Mapping):
        return dict(request)
    dump = getattr(request, "model_dump", None)
    if callable(dump):
        return dict(dump(mode="json"))
    return {
        key: getattr(request, key, None) for key in ("depots", "regions", "orders", "pickup_points")
    }


def write_plan_map(
    request: Any, plan: Plan, path: str | Path, *, tiles_url: str | None = assets.OSM_TILES
) -> Path:
    """Write the plan map as an HTML file that opens offline, its assets copied next to it.

    ``request`` is the plan request as a dict or a pydantic model.
    """
    layers = plan_layers(plan, request_document(request))
    return write_page(layers, path, tiles=tiles_for(tiles_url))
