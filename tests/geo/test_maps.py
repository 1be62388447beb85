"""Maps from plain layers: the fixed page, its script-safe JSON, its policy and its assets."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from geo import assets
from geo.maps import (
    Layer,
    LiveFeed,
    MapLayers,
    Marker,
    Polygon,
    Polyline,
    Popup,
    Row,
    Tiles,
    content_security_policy,
    map_data,
    polygon_parts,
    render_page,
    script_json,
    tile_origin,
    tiles_for,
    write_page,
)

SQUARE = (((25.0, 121.5), (25.0, 121.6), (25.1, 121.6), (25.0, 121.5)),)
"""One polygon part: an outer ring, no holes."""


@pytest.fixture
def layers() -> MapLayers:
    """One route (a line and two numbered stops) and one dashed area."""
    rows = (Row("arrival", "09:05"), Row("frozen", "5 L", "frozen"))
    popup = Popup("1. 信義", "V01 · PP-1", rows)
    route = Layer(
        "V01",
        "#e6194b",
        lines=(Polyline(((25.06, 121.52), (25.04, 121.56)), "#e6194b", tooltip="V01"),),
        markers=(
            Marker((25.04, 121.56), "stop", "#e6194b", tooltip="1. 信義", label="1", popup=popup),
            Marker((25.05, 121.57), "stop", "#e6194b", label="2"),
        ),
    )
    area = Layer("area", "#7f7f7f", polygons=(Polygon((SQUARE,), "#7f7f7f", dashed=True),))
    return MapLayers("Plan 2026-11-11", "2026-11-11 · 1 routes", (route, area))


def _data(html: str) -> Any:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_page_carries_the_layers_as_json(layers: MapLayers) -> None:
    """The data block parses back to exactly the map's data."""
    html = render_page(layers)
    data = _data(html)
    assert data == json.loads(json.dumps(map_data(layers)))
    assert data["layers"][0]["markers"][0]["popup"]["rows"][1] == {
        "label": "frozen",
        "value": "5 L",
        "kind": "frozen",
    }
    assert data["layers"][1]["polygons"][0]["dashed"] is True
    assert data["bounds"] == [[25.04, 121.52], [25.06, 121.57]]
    assert data["tiles"] is None


def test_page_around_the_data_is_fixed(layers: MapLayers) -> None:
    """Two maps differ only inside the data block: no map text is ever part of the markup."""
    blank = MapLayers("x")

    def outside(html: str) -> str:
        return re.sub(r'(id="map-data">).*?(</script>)', r"\1\2", html, flags=re.S)

    assert outside(render_page(layers)) == outside(render_page(blank))
    assert render_page(layers).count("<script") == 3


def test_script_json_escapes_what_could_end_the_script() -> None:
    """``<``, ``>``, ``&`` and the JavaScript line separators are escaped, and round-trip."""
    value = {"name": "</script><!-- & \u2028\u2029 {{7*7}} ${x} `"}
    text = script_json(value)
    for char in "<>&\u2028\u2029":
        assert char not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == value


def test_only_local_assets(layers: MapLayers) -> None:
    """Leaflet from the vendored folder, the map's files versioned by content, no CDN."""
    html = render_page(layers)
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    sheets = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert sources == [
        "/static/vendor/leaflet-1.9.3/leaflet.js",
        f"/static/map/plan-map.js?v={assets.fingerprint(assets.MAP_JS)}",
    ]
    assert sheets == [
        "/static/vendor/leaflet-1.9.3/leaflet.css",
        f"/static/map/plan-map.css?v={assets.fingerprint(assets.MAP_CSS)}",
    ]
    assert "https://" not in html
    assert "http://" not in html


def test_page_policy_in_a_meta_tag(layers: MapLayers) -> None:
    """The page names its own policy (without frame-ancestors, which a meta tag cannot set)."""
    html = render_page(layers, tiles=Tiles("https://tiles.example.org/{z}/{x}/{y}.png"))
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert found is not None
    policy = found.group(1).replace("&#x27;", "'")
    assert policy == content_security_policy(
        "https://tiles.example.org/{z}/{x}/{y}.png", frame_ancestors=False
    )
    assert "frame-ancestors" not in policy
    assert "img-src 'self' data: https://tiles.example.org;" in policy


def test_content_security_policy() -> None:
    """Scripts and styles from the page's own origin only; framing refused."""
    assert content_security_policy(None) == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.com:8443/{z}.png", "https://*.tile.example.com:8443"),
        ("/tiles/{z}/{x}/{y}.png", ""),
        ("", ""),
        (None, ""),
        ("https://evil.example; script-src *", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_tile_origin(url: str | None, origin: str) -> None:
    """The tiles' origin for img-src; nothing for same-origin or malformed templates."""
    assert tile_origin(url) == origin


def test_tiles_for() -> None:
    """OpenStreetMap tiles carry their attribution and link; no URL means no tiles."""
    osm = tiles_for(assets.OSM_TILES)
    assert osm is not None
    assert (osm.attribution, osm.attribution_url) == (
        assets.OSM_ATTRIBUTION_TEXT,
        assets.OSM_COPYRIGHT_URL,
    )
    assert tiles_for("") is None
    assert tiles_for(None) is None
    with pytest.raises(ValueError, match="attribution_url"):
        Tiles("/t/{z}.png", "x", "javascript:alert(1)")


def test_bounds_cover_lines_and_markers_else_areas(layers: MapLayers) -> None:
    """Areas alone set the bounds only when nothing else is drawn; an empty map has none."""
    assert layers.bounds() == ((25.04, 121.52), (25.06, 121.57))
    assert MapLayers("a", layers=(layers.layers[1],)).bounds() == ((25.0, 121.5), (25.1, 121.6))
    assert MapLayers("empty").bounds() is None
    assert map_data(MapLayers("empty"))["center"] == [25.04, 121.53]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Marker((25.0, 121.5), "stop", "red"), "colour"),
        (lambda: Marker((25.0, 121.5), "stop", "#fff;background:url(x)"), "colour"),
        (lambda: Marker((math.nan, 121.5), "stop", "#fff"), "point"),
        (lambda: Marker((95.0, 121.5), "stop", "#fff"), "point"),
        (lambda: Polyline(((25.0, 121.5),), "#fff"), "two points"),
        (lambda: Polygon((), "#fff"), "ring"),
        (lambda: Polygon((SQUARE,), "#fff", fill_opacity=2), "fill_opacity"),
        (lambda: Row("a", "b", "x y"), "kind"),
        (lambda: Layer("a", "blue"), "colour"),
        (lambda: LiveFeed("https://elsewhere.example/feed"), "own origin"),
        (lambda: LiveFeed("//elsewhere.example/feed"), "own origin"),
        (lambda: LiveFeed("/feed", every_s=0), "1 to 3600"),
    ],
)
def test_layers_refuse_bad_values(build: Any, message: str) -> None:
    """Colours are #rgb/#rrggbb, points finite lat/lon, style kinds single words."""
    with pytest.raises(ValueError, match=message):
        build()


def test_polygon_parts_flip_geojson_to_lat_lon() -> None:
    """GeoJSON (lon, lat) rings become (lat, lon); MultiPolygons keep each part."""
    ring = [[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.5, 25.0]]
    assert polygon_parts({"type": "Polygon", "coordinates": [ring]}) == (SQUARE,)
    assert polygon_parts({"type": "MultiPolygon", "coordinates": [[ring], [ring]]}) == (
        SQUARE,
        SQUARE,
    )
    assert polygon_parts({"type": "Point", "coordinates": [121.5, 25.0]}) == ()
    assert polygon_parts(None) == ()


def test_write_page_opens_offline(layers: MapLayers, tmp_path: Path) -> None:
    """The written file references Leaflet and the map's files copied next to it."""
    out = write_page(layers, tmp_path / "out" / "map.html")
    html = out.read_text(encoding="utf-8")
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert len(urls) == 4
    for url in urls:
        assert url.startswith("map-assets/"), url
        assert (out.parent / url).is_file(), url
    assert write_page(layers, out) == out
    assert not (out.parent / "map-assets" / "vendor" / "jquery-3.7.1").exists()


def test_vendored_assets_are_complete() -> None:
    """Every file the map references is present and the vendored ones match the manifest."""
    assert assets.missing_assets() == []
    for path in (assets.LEAFLET_JS, assets.LEAFLET_CSS, assets.MAP_JS, assets.MAP_CSS):
        assert (assets.STATIC_DIR / path).is_file(), path


def test_page_script_builds_the_map_with_dom_calls_only() -> None:
    """The map script never turns text into markup or code."""
    script = (assets.STATIC_DIR / assets.MAP_JS).read_text(encoding="utf-8")
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        'setAttribute("style"',
        "`",
    ):
        assert forbidden not in script, forbidden
    assert "textContent" in script


def test_a_live_map_names_its_feed_and_its_keyed_markers(layers: MapLayers) -> None:
    """The page data carries the feed's path and interval and each marker's key; a map
    without a feed says null."""
    keyed = Layer(
        "V02", "#3cb44b", markers=(Marker((25.0, 121.5), "stop", "#3cb44b", key="V02/PP-9"),)
    )
    live = MapLayers("t", layers=(keyed,), live=LiveFeed("/plans/3/map/live", 15))
    data = _data(render_page(live))
    assert data["live"] == {"url": "/plans/3/map/live", "every_s": 15}
    assert data["layers"][0]["markers"][0]["key"] == "V02/PP-9"
    assert _data(render_page(layers))["live"] is None
