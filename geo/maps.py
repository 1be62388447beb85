"""The plan map: routes, stops, depots, outsourced regions and unserved orders on one Leaflet map.

Takes plain data (the plan JSON, the request's depots, orders, pickup points and region
GeoJSON) and references only locally served assets, so it works without a CDN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from geo import assets

ROUTE_COLOURS = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#9a6324", "#800000", "#469990", "#808000", "#000075", "#bfef45", "#dcbeff",
)  # fmt: skip
CARRIER_COLOURS = ("#6a3d9a", "#b15928", "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00")
OWN_REGION_COLOUR = "#7f7f7f"

Json = Mapping[str, Any]
LatLon = tuple[float, float]

_STYLE = """<style>
.stop-pin{width:26px;height:26px;border-radius:50%;color:#fff;font:700 12px/22px
 system-ui,sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 1px 4px #0008}
.plan-popup{font:13px/1.4 system-ui,sans-serif;min-width:180px}
.plan-popup table{border-collapse:collapse}.plan-popup td{padding:0 6px 0 0}
.plan-popup .chilled{color:#0b62c4;font-weight:600}
.plan-popup .frozen{color:#6f2dbd;font-weight:600}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px}
.plan-summary{position:absolute;z-index:1000;left:10px;bottom:44px;padding:4px 8px;
 border-radius:4px;background:#fffd;font:13px system-ui,sans-serif;box-shadow:0 1px 4px #0004}
</style>"""


def _latlon(location: Json | None) -> LatLon | None:
    if not location or location.get("lat") is None or location.get("lon") is None:
        return None
    return float(location["lat"]), float(location["lon"])


def _window_text(windows: Iterable[Sequence[str]]) -> str:
    return ", ".join(f"{w[0]}–{w[1]}" for w in windows) or "–"


def _load_rows(unload: Json) -> list[tuple[str, str, str]]:
    """(css class, label, amount) per temperature class plus weight, skipping zeros."""
    chilled = float(unload.get("chilled_l", 0) or 0)
    frozen = float(unload.get("frozen_l", 0) or 0)
    ambient = max(float(unload.get("volume_l", 0) or 0) - chilled - frozen, 0.0)
    rows = [
        ("ambient", "ambient 常溫", ambient),
        ("chilled", "chilled 冷藏", chilled),
        ("frozen", "frozen 冷凍", frozen),
    ]
    out = [(cls, label, f"{value:,.0f} L") for cls, label, value in rows if value > 0]
    weight = float(unload.get("weight_kg", 0) or 0)
    if weight:
        out.append(("weight", "weight", f"{weight:,.1f} kg"))
    return out


def _stop_popup(index: int, vehicle: str, stop: Json) -> str:
    name = stop.get("name") or stop.get("stop", "")
    orders = list(stop.get("orders", []))
    shown = ", ".join(escape(str(o)) for o in orders[:12])
    if len(orders) > 12:
        shown += f" … (+{len(orders) - 12})"
    rows = [
        ("", "arrival", escape(str(stop.get("arrival", "")))),
        ("", "window", escape(_window_text(stop.get("windows", [])))),
        ("", f"orders ({len(orders)})", shown),
    ]
    if stop.get("late_minutes"):
        rows.append(("", "late", f"{int(stop['late_minutes'])} min"))
    rows += [(c, escape(label), amount) for c, label, amount in _load_rows(stop.get("unload", {}))]
    body = "".join(
        f'<tr class="{c}"><td>{label}</td><td>{value}</td></tr>' for c, label, value in rows
    )
    return (
        f'<div class="plan-popup"><b>{index}. {escape(str(name))}</b>'
        f"<br><small>{escape(vehicle)} · {escape(str(stop.get('stop', '')))}</small>"
        f"<table>{body}</table></div>"
    )


def _swatch(colour: str, label: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>{escape(label)}'


def _summary(plan: Json) -> str:
    """A one-line box: date, status, routes, stops, outsourced and unserved orders."""
    routes = list(plan.get("routes", []))
    parts = [
        str(plan.get("date") or ""),
        str(plan.get("status") or ""),
        f"{len(routes)} routes",
        f"{sum(len(r.get('stops', [])) for r in routes)} stops",
        f"{sum(len(o.get('orders', [])) for o in plan.get('outsourced', []))} outsourced",
        f"{len(plan.get('unserved', []))} unserved",
    ]
    return f'<div class="plan-summary">{escape(" · ".join(p for p in parts if p))}</div>'


def _add_tiles(m: folium.Map, tiles_url: str | None, attribution: str | None) -> None:
    if not tiles_url:
        return
    attr = attribution or (assets.OSM_ATTRIBUTION if "openstreetmap" in tiles_url else "tiles")
    folium.TileLayer(tiles=tiles_url, attr=attr, name="tiles", control=False, max_zoom=19).add_to(m)


def _add_route(
    m: folium.Map, index: int, route: Json, depots: Mapping[str, LatLon]
) -> list[LatLon]:
    colour = ROUTE_COLOURS[index % len(ROUTE_COLOURS)]
    vehicle = str(route.get("vehicle", f"route {index + 1}"))
    stops = list(route.get("stops", []))
    label = f"{vehicle} · {len(stops)} stops · {float(route.get('distance_km') or 0):.1f} km"
    layer = folium.FeatureGroup(name=_swatch(colour, label), show=True).add_to(m)
    start = depots.get(str(route.get("depot", "")))
    end = depots.get(str(route.get("end_depot") or route.get("depot", "")))
    points: list[LatLon] = []
    for n, stop in enumerate(stops, start=1):
        where = _latlon(stop.get("location"))
        if where is None:
            continue
        points.append(where)
        folium.Marker(
            where,
            icon=folium.DivIcon(
                html=f'<div class="stop-pin" style="background:{colour}">{n}</div>',
                icon_size=(26, 26),
                icon_anchor=(13, 13),
                class_name="stop-marker",
            ),
            popup=folium.Popup(_stop_popup(n, vehicle, stop), max_width=320),
            tooltip=escape(
                f"{n}. {stop.get('name') or stop.get('stop')} {stop.get('arrival', '')}"
            ),
        ).add_to(layer)
    line = [p for p in (start, *points, end) if p is not None]
    if len(line) >= 2:
        folium.PolyLine(
            line,
            color=colour,
            weight=4,
            opacity=0.85,
            tooltip=escape(label),
            class_name="route-line",
        ).add_to(layer)
    return line


def _add_depots(m: folium.Map, depots: Sequence[Json]) -> list[LatLon]:
    layer = folium.FeatureGroup(name="Depots 倉庫").add_to(m)
    points = []
    for depot in depots:
        where = _latlon(depot.get("location"))
        if where is None:
            continue
        points.append(where)
        name = depot.get("name") or depot.get("id", "")
        hours = f"{depot.get('open', '')}–{depot.get('close', '')}".strip("–")
        folium.Marker(
            where,
            icon=folium.Icon(color="black", icon="warehouse", prefix="fa"),
            popup=folium.Popup(
                f'<div class="plan-popup"><b>{escape(str(name))}</b>'
                f"<br>depot {escape(str(depot.get('id', '')))}<br>{escape(hours)}</div>",
                max_width=260,
            ),
            tooltip=escape(f"depot {name}"),
        ).add_to(layer)
    return points


class _ToBack(MacroElement):
    """Moves the named layers below the routes once everything is drawn."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% for name in this.names %}{{ name }}.bringToBack();{% endfor %}"
        "{% endmacro %}"
    )

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self.names = list(names)


def _add_regions(m: folium.Map, plan: Json, regions: Json | None) -> list[str]:
    """One layer per region, filled by carrier when outsourced; returns the shapes' JS names."""
    if not regions:
        return []
    names = []
    outsourced = {str(o.get("region")): o for o in plan.get("outsourced", [])}
    carriers = sorted({str(o.get("carrier")) for o in outsourced.values()})
    colour_of = {c: CARRIER_COLOURS[i % len(CARRIER_COLOURS)] for i, c in enumerate(carriers)}
    for feature in regions.get("features", []):
        props = feature.get("properties") or {}
        region = str(props.get("id", props.get("name", "")))
        entry = outsourced.get(region)
        if entry is not None:
            carrier = str(entry.get("carrier"))
            colour = colour_of[carrier]
            title = f"{region} → {carrier}"
            detail = (
                f"<b>{escape(title)}</b><br>{len(entry.get('orders', []))} orders, "
                f"cost {float(entry.get('cost', 0)):,.0f}<br>{escape(str(entry.get('reason', '')))}"
            )
            style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.3}
        else:
            colour, title = OWN_REGION_COLOUR, f"{region} (own fleet 自營)"
            detail = f"<b>{escape(title)}</b>"
            style = {"color": colour, "weight": 1, "dashArray": "4 4", "fillOpacity": 0.03}
        layer = folium.FeatureGroup(name=_swatch(colour, f"region {title}")).add_to(m)
        shape = folium.GeoJson(
            {"type": "FeatureCollection", "features": [feature]},
            style_function=lambda _f, s=style: {**s, "className": "region-area"},
            tooltip=escape(title),
        ).add_to(layer)
        folium.Popup(f'<div class="plan-popup">{detail}</div>', max_width=300).add_to(shape)
        names.append(shape.get_name())
    return names


def _order_locations(orders: Sequence[Json], pickup_points: Sequence[Json]) -> dict[str, LatLon]:
    points = {str(p.get("id")): _latlon(p.get("location")) for p in pickup_points}
    out: dict[str, LatLon] = {}
    for order in orders:
        where = points.get(str(order.get("pickup_point"))) or _latlon(order.get("location"))
        if where is not None:
            out[str(order.get("id"))] = where
    return out


def _add_unserved(
    m: folium.Map, plan: Json, orders: Sequence[Json], pickup_points: Sequence[Json]
) -> list[LatLon]:
    unserved = list(plan.get("unserved", []))
    if not unserved:
        return []
    where_of = _order_locations(orders, pickup_points)
    name = _swatch("#d63e2a", f"Unserved 未配送 ({len(unserved)})")
    layer = folium.FeatureGroup(name=name).add_to(m)
    points = []
    for entry in unserved:
        order = str(entry.get("order", ""))
        where = where_of.get(order)
        if where is None:
            continue
        points.append(where)
        reason = escape(str(entry.get("reason", "")))
        folium.Marker(
            where,
            icon=folium.Icon(color="red", icon="triangle-exclamation", prefix="fa"),
            popup=folium.Popup(
                f'<div class="plan-popup"><b>unserved {escape(order)}</b><br>{reason}</div>',
                max_width=300,
            ),
            tooltip=escape(f"unserved {order}"),
        ).add_to(layer)
    return points


def plan_map(
    plan: Json,
    *,
    depots: Sequence[Json],
    regions: Json | None = None,
    tiles_url: str | None = assets.OSM_TILES,
    asset_base: str = "/static",
    orders: Sequence[Json] = (),
    pickup_points: Sequence[Json] = (),
    tiles_attribution: str | None = None,
) -> folium.Map:
    """A folium map of ``plan``: one coloured layer per route and per region, depots, unserved.

    ``orders`` and ``pickup_points`` (from the request) locate the unserved orders;
    ``asset_base`` is where the vendored ``vendor/...`` files are served.
    """
    m = folium.Map(location=(25.04, 121.53), zoom_start=12, tiles=None, control_scale=True)
    m.default_js = assets.map_js(asset_base)
    m.default_css = assets.map_css(asset_base)
    root = m.get_root()
    if isinstance(root, Figure):
        root.header.add_child(Element(_STYLE), name="plan_map_style")
        root.html.add_child(Element(_summary(plan)), name="plan_summary")
    _add_tiles(m, tiles_url, tiles_attribution)
    depot_points = {
        str(d.get("id")): p for d in depots if (p := _latlon(d.get("location"))) is not None
    }
    bounds: list[LatLon] = []
    for index, route in enumerate(plan.get("routes", [])):
        bounds += _add_route(m, index, route, depot_points)
    bounds += _add_depots(m, depots)
    bounds += _add_unserved(m, plan, orders, pickup_points)
    _ToBack(_add_regions(m, plan, regions)).add_to(m)
    if bounds:
        lats, lons = [p[0] for p in bounds], [p[1] for p in bounds]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(20, 20))
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _request_parts(request: Any) -> dict[str, Any]:
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
    request: Any,
    plan: Json,
    path: str | Path,
    *,
    tiles_url: str | None = assets.OSM_TILES,
    asset_base: str | None = None,
) -> Path:
    """Write the plan map as standalone HTML; the assets are copied next to it.

    ``request`` is the plan request as a dict or a pydantic model (read duck-typed).
    Unless ``asset_base`` is given, the vendored files go to ``<folder>/map-assets/``
    and are referenced relatively, so the file opens offline.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if asset_base is None:
        assets.copy_vendor(path.parent / "map-assets")
        asset_base = "map-assets"
    parts = _request_parts(request)
    m = plan_map(
        plan,
        depots=list(parts.get("depots") or ()),
        regions=parts.get("regions"),
        tiles_url=tiles_url,
        asset_base=asset_base,
        orders=list(parts.get("orders") or ()),
        pickup_points=list(parts.get("pickup_points") or ()),
    )
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(m.get_root().render(), encoding="utf-8")
    tmp.replace(path)
    return path
