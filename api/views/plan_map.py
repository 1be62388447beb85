"""The plan map's layers: a plan and its request as plain :mod:`geo.maps` layers.

One coloured line per route with numbered stops (along the roads when the request
travels over a road network), the depots, the unserved orders and the regions
(filled per carrier when outsourced, dashed when the own fleet serves them).
Used by ``/plans/{id}/map`` and by the CLI's ``--map``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geo import assets
from geo.maps import (
    LatLon,
    Layer,
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
from geo.roads import load_network, road_path

Json = Mapping[str, Any]
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


def _latlon(location: Any) -> LatLon | None:
    if not isinstance(location, Mapping):
        return None
    try:
        lat, lon = float(location["lat"]), float(location["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
        return None
    return lat, lon


def _windows(windows: Iterable[Sequence[Any]]) -> str:
    return ", ".join(f"{w[0]}–{w[1]}" for w in windows if len(w) >= 2) or "–"


def _orders(orders: Sequence[Any]) -> str:
    shown = ", ".join(str(o) for o in orders[:ORDERS_SHOWN])
    if len(orders) > ORDERS_SHOWN:
        shown += f" … (+{len(orders) - ORDERS_SHOWN})"
    return shown


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def load_rows(unload: Json) -> tuple[Row, ...]:
    """Volume per temperature class (ambient = total less chilled and frozen) and weight."""
    chilled = _number(unload.get("chilled_l"))
    frozen = _number(unload.get("frozen_l"))
    ambient = max(_number(unload.get("volume_l")) - chilled - frozen, 0.0)
    rows = [
        Row(label, f"{value:,.0f} L", kind)
        for kind, label, value in (
            ("ambient", "ambient 常溫", ambient),
            ("chilled", "chilled 冷藏", chilled),
            ("frozen", "frozen 冷凍", frozen),
        )
        if value > 0
    ]
    weight = _number(unload.get("weight_kg"))
    if weight:
        rows.append(Row("weight", f"{weight:,.1f} kg", "weight"))
    return tuple(rows)


def stop_popup(seq: int, name: str, vehicle: str, stop: Json) -> Popup:
    """A stop's popup: arrival, windows, orders, lateness and what is unloaded."""
    orders = list(stop.get("orders") or [])
    windows = list(stop.get("windows") or [])
    rows = [
        Row("arrival", str(stop.get("arrival") or "")),
        Row("windows" if len(windows) > 1 else "window", _windows(windows)),
        Row(f"orders ({len(orders)})", _orders(orders)),
    ]
    late = int(_number(stop.get("late_minutes")))
    if late:
        rows.append(Row("late", f"{late} min", "late"))
    rows += load_rows(stop.get("unload") or {})
    return Popup(f"{seq}. {name}", f"{vehicle} · {stop.get('stop', '')}", tuple(rows))


def road_drawer(doc: Json) -> Drawer | None:
    """For a request that travels over a road network, a function drawing a trip along it."""
    travel = doc.get("travel")
    if not isinstance(travel, Mapping) or travel.get("metric") != "road":
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


def _route_layer(
    index: int,
    route: Json,
    depots: Mapping[str, LatLon],
    names: Mapping[str, str],
    along: Drawer | None = None,
) -> Layer:
    colour = ROUTE_COLOURS[index % len(ROUTE_COLOURS)]
    vehicle = str(route.get("vehicle") or f"route {index + 1}")
    stops = list(route.get("stops") or [])
    label = f"{vehicle} · {len(stops)} stops · {_number(route.get('distance_km')):.1f} km"
    markers = []
    for seq, stop in enumerate(stops, start=1):
        where = _latlon(stop.get("location"))
        if where is None:
            continue
        stop_id = str(stop.get("stop") or "")
        name = str(stop.get("name") or names.get(stop_id) or stop_id)
        markers.append(
            Marker(
                where,
                "stop",
                colour,
                tooltip=f"{seq}. {name} {stop.get('arrival') or ''}".rstrip(),
                label=str(seq),
                popup=stop_popup(seq, name, vehicle, stop),
            )
        )
    start = depots.get(str(route.get("depot") or ""))
    end = depots.get(str(route.get("end_depot") or route.get("depot") or ""))
    points = [p for p in (start, *(m.at for m in markers), end) if p is not None]
    if along is not None and len(points) >= 2:
        points = list(along(points))
    lines = (Polyline(tuple(points), colour, tooltip=label),) if len(points) >= 2 else ()
    return Layer(label, colour, lines=lines, markers=tuple(markers))


def _depot_layer(depots: Sequence[Json]) -> Layer:
    markers = []
    for depot in depots:
        where = _latlon(depot.get("location"))
        if where is None:
            continue
        depot_id = str(depot.get("id") or "")
        name = str(depot.get("name") or depot_id)
        rows = [Row("depot", depot_id)]
        hours = f"{depot.get('open') or ''}–{depot.get('close') or ''}".strip("–")
        if hours:
            rows.append(Row("hours", hours))
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


def _order_locations(orders: Sequence[Json], pickup_points: Sequence[Json]) -> dict[str, LatLon]:
    points = {str(p.get("id")): _latlon(p.get("location")) for p in pickup_points}
    out: dict[str, LatLon] = {}
    for order in orders:
        where = points.get(str(order.get("pickup_point"))) or _latlon(order.get("location"))
        if where is not None:
            out[str(order.get("id"))] = where
    return out


def _unserved_layer(unserved: Sequence[Json], where_of: Mapping[str, LatLon]) -> Layer:
    markers = []
    for entry in unserved:
        order = str(entry.get("order") or "")
        where = where_of.get(order)
        if where is None:
            continue
        reason = str(entry.get("reason") or "")
        markers.append(
            Marker(
                where,
                "unserved",
                UNSERVED_COLOUR,
                tooltip=f"unserved {order}",
                label="!",
                popup=Popup(f"unserved {order}", "", (Row("reason", reason),)),
            )
        )
    name = f"Unserved 未配送 ({len(unserved)})"
    return Layer(name, UNSERVED_COLOUR, markers=tuple(markers))


def _region_layers(outsourced: Sequence[Json], regions: Json | None) -> list[Layer]:
    """One layer per region: filled in its carrier's colour when outsourced, else dashed."""
    if not isinstance(regions, Mapping):
        return []
    by_region: dict[str, list[Json]] = {}
    for entry in outsourced:
        by_region.setdefault(str(entry.get("region")), []).append(entry)
    carriers = sorted({str(e.get("carrier")) for e in outsourced})
    colour_of = {c: CARRIER_COLOURS[i % len(CARRIER_COLOURS)] for i, c in enumerate(carriers)}
    layers = []
    for feature in regions.get("features") or []:
        props = feature.get("properties") or {}
        region = str(props.get("id", props.get("name", "")))
        parts = polygon_parts(feature.get("geometry"))
        if not parts:
            continue
        entries = by_region.get(region)
        if entries:
            names = list(dict.fromkeys(str(e.get("carrier")) for e in entries))
            colour = colour_of[names[0]]
            title = f"{region} → {', '.join(names)}"
            rows = [
                Row("orders", str(sum(len(e.get("orders") or []) for e in entries))),
                Row("cost", f"{sum(_number(e.get('cost')) for e in entries):,.0f}"),
            ]
            reasons = list(dict.fromkeys(str(e.get("reason")) for e in entries if e.get("reason")))
            if reasons:
                rows.append(Row("reason", "; ".join(reasons)))
            area = Polygon(parts, colour, tooltip=title, popup=Popup(title, "", tuple(rows)))
        else:
            colour, title = OWN_REGION_COLOUR, f"{region} (own fleet 自營)"
            area = Polygon(
                parts, colour, tooltip=title, popup=Popup(title), dashed=True, fill_opacity=0.03
            )
        layers.append(Layer(f"region {title}", colour, polygons=(area,)))
    return layers


def summary(plan: Json) -> str:
    """Date · status · routes · stops · outsourced orders · unserved orders."""
    routes = list(plan.get("routes") or [])
    parts = [
        str(plan.get("date") or ""),
        str(plan.get("status") or ""),
        f"{len(routes)} routes",
        f"{sum(len(r.get('stops') or []) for r in routes)} stops",
        f"{sum(len(o.get('orders') or []) for o in plan.get('outsourced') or [])} outsourced",
        f"{len(plan.get('unserved') or [])} unserved",
    ]
    return " · ".join(p for p in parts if p)


def plan_layers(plan: Json, request_doc: Json | None) -> MapLayers:
    """The plan's map: routes, then depots, unserved orders and regions, in switch order.

    ``request_doc`` (the plan request as JSON data) places the depots, names the pickup
    points, locates the unserved orders, outlines the regions, and with the ``road``
    metric lets the routes follow the roads.
    """
    doc = request_doc or {}
    depots = list(doc.get("depots") or [])
    pickup_points = list(doc.get("pickup_points") or [])
    depot_at = {
        str(d.get("id")): p for d in depots if (p := _latlon(d.get("location"))) is not None
    }
    names = {str(p.get("id")): str(p.get("name") or "") for p in pickup_points}
    along = road_drawer(doc)
    layers = [
        _route_layer(index, route, depot_at, names, along)
        for index, route in enumerate(plan.get("routes") or [])
    ]
    layers.append(_depot_layer(depots))
    unserved = list(plan.get("unserved") or [])
    if unserved:
        where_of = _order_locations(list(doc.get("orders") or []), pickup_points)
        layers.append(_unserved_layer(unserved, where_of))
    layers += _region_layers(list(plan.get("outsourced") or []), doc.get("regions"))
    date = str(plan.get("date") or "")
    return MapLayers(
        title=f"Plan {date} 配送地圖" if date else "Plan map 配送地圖",
        summary=summary(plan),
        layers=tuple(layers),
    )


def render_plan_map(
    plan: Json, request_doc: Json | None, *, tiles_url: str | None, asset_base: str = "/static"
) -> str:
    """The plan map page for a stored plan and its request."""
    return render_page(
        plan_layers(plan, request_doc), asset_base=asset_base, tiles=tiles_for(tiles_url)
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
    request: Any, plan: Json, path: str | Path, *, tiles_url: str | None = assets.OSM_TILES
) -> Path:
    """Write the plan map as an HTML file that opens offline, its assets copied next to it.

    ``request`` is the plan request as a dict or a pydantic model.
    """
    layers = plan_layers(plan, request_document(request))
    return write_page(layers, path, tiles=tiles_for(tiles_url))
