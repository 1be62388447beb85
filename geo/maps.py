"""Leaflet maps drawn from plain layers: lines, markers and polygons with text popups.

``geo`` knows no plan: callers describe a map as :class:`MapLayers` and
:func:`render_page` turns it into a fixed HTML page. The layers travel as JSON in a
``<script type="application/json">`` block and ``static/map/plan-map.js`` draws them
with DOM calls only, so no text of the map is ever read as markup, script or template.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from geo import assets

LatLon = tuple[float, float]
Ring = tuple[LatLon, ...]
MarkerKind = Literal["stop", "depot", "unserved", "vehicle"]

DEFAULT_CENTER: LatLon = (25.04, 121.53)
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_CLASS = re.compile(r"[a-z][a-z0-9-]{0,30}")
_ORIGIN_HOST = re.compile(r"[A-Za-z0-9.*-]+(?::[0-9]{1,5})?")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _check_colour(colour: str) -> None:
    if not _COLOUR.fullmatch(colour):
        raise ValueError(f"colour must be #rgb or #rrggbb, got {colour!r}.")


def _check_point(point: LatLon) -> None:
    lat, lon = point
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"point must be a finite (lat, lon), got {point!r}.")


@dataclass(frozen=True, slots=True)
class Row:
    """One label/value line of a popup; ``kind`` names a style (``chilled``, ``late``, ...)."""

    label: str
    value: str
    kind: str = ""

    def __post_init__(self) -> None:
        if self.kind and not _CLASS.fullmatch(self.kind):
            raise ValueError(f"row kind must be a lower-case word, got {self.kind!r}.")


@dataclass(frozen=True, slots=True)
class Popup:
    """A popup: a bold title, an optional small subtitle and label/value rows, all plain text."""

    title: str
    subtitle: str = ""
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True, slots=True)
class Marker:
    """A pin at ``at``: ``label`` is the short text inside it (a stop's number)."""

    at: LatLon
    kind: MarkerKind
    colour: str
    tooltip: str = ""
    label: str = ""
    popup: Popup | None = None
    key: str = ""
    """The name a live update gives this marker (empty: never updated)."""

    def __post_init__(self) -> None:
        _check_point(self.at)
        _check_colour(self.colour)


@dataclass(frozen=True, slots=True)
class Polyline:
    """A line through ``points`` (at least two)."""

    points: tuple[LatLon, ...]
    colour: str
    tooltip: str = ""
    weight: int = 4

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError("a polyline needs at least two points.")
        for point in self.points:
            _check_point(point)
        _check_colour(self.colour)


@dataclass(frozen=True, slots=True)
class Polygon:
    """An area: ``parts`` holds one or more polygons, each an outer ring then its holes.

    Areas are drawn below every line and marker; ``dashed`` outlines with a faint fill.
    """

    parts: tuple[tuple[Ring, ...], ...]
    colour: str
    tooltip: str = ""
    popup: Popup | None = None
    dashed: bool = False
    fill_opacity: float = 0.3

    def __post_init__(self) -> None:
        if not self.parts or any(not part for part in self.parts):
            raise ValueError("a polygon needs at least one ring.")
        for part in self.parts:
            for ring in part:
                for point in ring:
                    _check_point(point)
        _check_colour(self.colour)
        if not 0 <= self.fill_opacity <= 1:
            raise ValueError("fill_opacity must be between 0 and 1.")


@dataclass(frozen=True, slots=True)
class Layer:
    """One entry of the layer switch: a name, its swatch colour and what it draws."""

    name: str
    colour: str = ""
    lines: tuple[Polyline, ...] = ()
    markers: tuple[Marker, ...] = ()
    polygons: tuple[Polygon, ...] = ()
    shown: bool = True

    def __post_init__(self) -> None:
        if self.colour:
            _check_colour(self.colour)


@dataclass(frozen=True, slots=True)
class Tiles:
    """Background tiles: a URL template and the attribution shown for them (plain text)."""

    url: str
    attribution: str = ""
    attribution_url: str = ""

    def __post_init__(self) -> None:
        if self.attribution_url and urlsplit(self.attribution_url).scheme not in ("http", "https"):
            raise ValueError("attribution_url must be an http(s) URL.")


@dataclass(frozen=True, slots=True)
class LiveFeed:
    """Where the page fetches updates every ``every_s`` seconds, on its own origin.

    The feed answers JSON: ``{"summary", "markers": [{"key", "state", "colour",
    "tooltip"}], "vehicles": [{"key", "at", "label", "colour", "tooltip"}]}``: markers
    named by their ``key`` take the colour (their own when null) and the state's style;
    the vehicles are drawn as they are, replacing the previous ones.
    """

    url: str
    every_s: int = 15

    def __post_init__(self) -> None:
        if not self.url.startswith("/") or self.url.startswith("//"):
            raise ValueError("a live feed is a path on the page's own origin.")
        if not 1 <= self.every_s <= 3600:
            raise ValueError("a live feed refreshes every 1 to 3600 seconds.")


@dataclass(frozen=True, slots=True)
class MapLayers:
    """A whole map: its title, a one-line summary and the layers in switch order."""

    title: str
    summary: str = ""
    layers: tuple[Layer, ...] = ()
    center: LatLon = field(default=DEFAULT_CENTER)
    live: LiveFeed | None = None

    def bounds(self) -> tuple[LatLon, LatLon] | None:
        """South-west and north-east corners of every line and marker (areas when none)."""
        points = [p for layer in self.layers for line in layer.lines for p in line.points]
        points += [m.at for layer in self.layers for m in layer.markers]
        if not points:
            points = [
                p
                for layer in self.layers
                for polygon in layer.polygons
                for part in polygon.parts
                for ring in part
                for p in ring
            ]
        if not points:
            return None
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        return (min(lats), min(lons)), (max(lats), max(lons))


def tiles_for(url: str | None) -> Tiles | None:
    """The :class:`Tiles` for a URL template, with OpenStreetMap's attribution where due."""
    if not url:
        return None
    if "openstreetmap" in url:
        return Tiles(url, assets.OSM_ATTRIBUTION_TEXT, assets.OSM_COPYRIGHT_URL)
    return Tiles(url)


def tile_origin(url: str | None) -> str:
    """The CSP source of a tile URL template (``{s}.`` becomes ``*.``); "" if same-origin."""
    if not url or url.startswith("/"):
        return ""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}.", "*.")
    if parts.scheme not in ("http", "https") or not _ORIGIN_HOST.fullmatch(host):
        return ""
    return f"{parts.scheme}://{host}"


def content_security_policy(tiles_url: str | None, *, frame_ancestors: bool = True) -> str:
    """The map page's policy: its own scripts and styles only, images also from the tiles.

    ``frame_ancestors=False`` leaves out the one directive a ``<meta>`` tag cannot carry.
    """
    images = " ".join(s for s in ("'self'", "data:", tile_origin(tiles_url)) if s)
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if frame_ancestors:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def _point(p: LatLon) -> list[float]:
    return [round(p[0], 6), round(p[1], 6)]


def _popup(popup: Popup | None) -> dict[str, Any] | None:
    if popup is None:
        return None
    return {
        "title": popup.title,
        "subtitle": popup.subtitle,
        "rows": [{"label": r.label, "value": r.value, "kind": r.kind} for r in popup.rows],
    }


def _layer(layer: Layer) -> dict[str, Any]:
    return {
        "name": layer.name,
        "colour": layer.colour,
        "shown": layer.shown,
        "lines": [
            {
                "points": [_point(p) for p in line.points],
                "colour": line.colour,
                "tooltip": line.tooltip,
                "weight": line.weight,
            }
            for line in layer.lines
        ],
        "markers": [
            {
                "at": _point(m.at),
                "kind": m.kind,
                "colour": m.colour,
                "tooltip": m.tooltip,
                "label": m.label,
                "popup": _popup(m.popup),
                "key": m.key,
            }
            for m in layer.markers
        ],
        "polygons": [
            {
                "parts": [[[_point(p) for p in ring] for ring in part] for part in polygon.parts],
                "colour": polygon.colour,
                "tooltip": polygon.tooltip,
                "popup": _popup(polygon.popup),
                "dashed": polygon.dashed,
                "fill_opacity": polygon.fill_opacity,
            }
            for polygon in layer.polygons
        ],
    }


def map_data(layers: MapLayers, tiles: Tiles | None = None) -> dict[str, Any]:
    """The JSON the page script reads: layers, summary, bounds and tiles."""
    return {
        "title": layers.title,
        "summary": layers.summary,
        "center": _point(layers.center),
        "bounds": [_point(p) for p in b] if (b := layers.bounds()) else None,
        "tiles": (
            {"url": tiles.url, "attribution": tiles.attribution, "link": tiles.attribution_url}
            if tiles
            else None
        ),
        "layers": [_layer(layer) for layer in layers.layers],
        "live": ({"url": layers.live.url, "every_s": layers.live.every_s} if layers.live else None),
    }


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&``, U+2028/9 as escapes."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


_PAGE_HEAD = (
    "<!doctype html>\n"
    '<html lang="zh-Hant">\n'
    "<head>\n"
    '<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    '<meta name="referrer" content="no-referrer">\n'
    '<meta name="robots" content="noindex, nofollow">\n'
    "<title>Plan map 配送地圖</title>\n"
    '<link rel="stylesheet" href="{leaflet_css}">\n'
    '<link rel="stylesheet" href="{map_css}">\n'
    "</head>\n"
    "<body>\n"
    '<div id="map" class="plan-map" role="application" aria-label="plan map"></div>\n'
    '<script type="application/json" id="map-data">'
)
_PAGE_TAIL = (
    "</script>\n"
    '<script src="{leaflet_js}" defer></script>\n'
    '<script src="{map_js}" defer></script>\n'
    "</body>\n"
    "</html>\n"
)


def render_page(
    layers: MapLayers,
    *,
    asset_base: str = "/static",
    tiles: Tiles | None = None,
    versioned: bool = True,
) -> str:
    """The map as a standalone HTML page.

    The page around the data is fixed text; only asset URLs and the policy (attribute
    escaped) go into it, and the layers follow as script-safe JSON. ``asset_base`` is
    where ``vendor/...`` and ``map/...`` are found; ``versioned`` adds a content hash to
    the map's own files' URLs.
    """
    urls = {
        "leaflet_css": assets.asset_url(asset_base, assets.LEAFLET_CSS),
        "leaflet_js": assets.asset_url(asset_base, assets.LEAFLET_JS),
        "map_css": assets.map_asset_url(asset_base, assets.MAP_CSS, versioned=versioned),
        "map_js": assets.map_asset_url(asset_base, assets.MAP_JS, versioned=versioned),
    }
    safe = {key: escape(url, quote=True) for key, url in urls.items()}
    policy = escape(
        content_security_policy(tiles.url if tiles else None, frame_ancestors=False), quote=True
    )
    return (
        _PAGE_HEAD.format(policy=policy, **safe)
        + script_json(map_data(layers, tiles))
        + _PAGE_TAIL.format(**safe)
    )


def write_page(layers: MapLayers, path: str | Path, *, tiles: Tiles | None = None) -> Path:
    """Write the map as an HTML file that opens offline from disk.

    Leaflet and the map's script and stylesheet are copied to ``<folder>/map-assets/``
    and referenced relatively.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    assets.copy_map_assets(path.parent / "map-assets")
    html = render_page(layers, asset_base="map-assets", tiles=tiles, versioned=False)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


def polygon_parts(geometry: Mapping[str, Any] | None) -> tuple[tuple[Ring, ...], ...]:
    """A GeoJSON Polygon or MultiPolygon as (lat, lon) rings; empty for anything else."""
    if not geometry:
        return ()
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons: Sequence[Any] = (
        [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    )
    parts = []
    for polygon in polygons:
        rings = tuple(
            tuple((float(lat), float(lon)) for lon, lat, *_ in ring) for ring in polygon if ring
        )
        if rings:
            parts.append(rings)
    return tuple(parts)
