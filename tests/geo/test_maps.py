"""The plan map: one line per route, a marker per stop and depot, only local assets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import folium
import pytest

from geo import assets
from geo.maps import plan_map, write_plan_map

DEPOTS = [{"id": "DC-N", "name": "北倉", "location": {"lat": 25.06, "lon": 121.52}}]
REGIONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"id": "Xinyi"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[121.55, 25.02], [121.59, 25.02], [121.59, 25.05], [121.55, 25.02]]
                ],
            },
        }
    ],
}


def _stop(stop: str, lat: float, lon: float, arrival: str, **extra: Any) -> dict[str, Any]:
    return {
        "stop": stop,
        "orders": [f"{stop}-o1"],
        "location": {"lat": lat, "lon": lon},
        "arrival": arrival,
        "start_service": arrival,
        "departure": arrival,
        **extra,
    }


@pytest.fixture
def plan() -> dict[str, Any]:
    """Two routes (3 + 2 stops), one outsourced region, one unserved order."""
    return {
        "status": "partial",
        "routes": [
            {
                "vehicle": "V01#1",
                "depot": "DC-N",
                "distance_km": 12.5,
                "stops": [
                    _stop(
                        "PP-1",
                        25.041,
                        121.565,
                        "09:05",
                        name="信義<script>x</script>",
                        windows=[["09:00", "12:00"]],
                        unload={"weight_kg": 12, "volume_l": 30, "chilled_l": 10, "frozen_l": 5},
                    ),
                    _stop("PP-2", 25.045, 121.570, "09:30"),
                    _stop("PP-3", 25.050, 121.540, "10:10"),
                ],
            },
            {
                "vehicle": "V02",
                "depot": "DC-N",
                "distance_km": 7.0,
                "stops": [
                    _stop("H-9", 25.030, 121.500, "08:40"),
                    _stop("H-8", 25.020, 121.510, "09:00"),
                ],
            },
        ],
        "outsourced": [{"region": "Xinyi", "carrier": "CAT", "orders": ["X1"], "cost": 95.0}],
        "unserved": [{"order": "U1", "reason": "frozen items but no frozen capacity"}],
    }


def _render(plan: dict[str, Any], **kwargs: Any) -> str:
    m = plan_map(
        plan,
        depots=DEPOTS,
        regions=REGIONS,
        tiles_url=None,
        asset_base="/static",
        orders=[{"id": "U1", "location": {"lat": 25.0, "lon": 121.52}}],
        **kwargs,
    )
    html: str = m.get_root().render()
    return html


def test_one_polyline_per_route(plan: dict[str, Any]) -> None:
    """Each route is one polyline from its depot through its stops back to the depot."""
    html = _render(plan)
    assert html.count("L.polyline(") == 2
    first = re.search(r"L\.polyline\(\s*(\[\[.*?\]\])", html, re.S)
    assert first is not None
    assert first.group(1).replace(" ", "").startswith("[[25.06,121.52],[25.041,121.565]")


def test_a_marker_per_stop_depot_and_unserved_order(plan: dict[str, Any]) -> None:
    """Numbered markers for the 5 stops, one for the depot, one for the unserved order."""
    html = _render(plan)
    assert html.count("L.marker(") == 5 + 1 + 1
    assert html.count('class=\\"stop-pin\\"') + html.count('class="stop-pin"') == 5
    assert "frozen items but no frozen capacity" in html


def test_popups_escape_names_and_show_cold_loads(plan: dict[str, Any]) -> None:
    """Stop names are HTML-escaped; the popup lists chilled and frozen volumes."""
    html = _render(plan)
    assert "<script>x</script>" not in html
    assert "冷藏" in html
    assert "冷凍" in html
    assert "09:00–12:00" in html


def test_layers_per_route_and_region(plan: dict[str, Any]) -> None:
    """The layer control names every route and the outsourced region with its carrier."""
    html = _render(plan)
    assert "L.control.layers(" in html
    assert "V01#1" in html
    assert "V02" in html
    assert "Xinyi → CAT" in html


def test_only_local_assets(plan: dict[str, Any]) -> None:
    """No script or stylesheet comes from a CDN or any absolute URL."""
    html = _render(plan)
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    sheets = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert sources
    assert sheets
    for url in sources + sheets:
        assert url.startswith("/static/vendor/"), url
        assert "cdn" not in url
    assert "https://" not in html
    assert "http://" not in html


def test_class_defaults_stay_untouched(plan: dict[str, Any]) -> None:
    """Local assets are set per map instance; folium's class-level lists keep their CDN URLs."""
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    m = plan_map(plan, depots=DEPOTS, regions=None, tiles_url=None, asset_base="/static")
    assert m.default_js is not folium.Map.default_js
    assert folium.Map.default_js == before_js
    assert folium.Map.default_css == before_css


def test_tiles_are_configurable(plan: dict[str, Any]) -> None:
    """A tile URL template adds one tile layer; without one there is none."""
    assert "L.tileLayer(" not in _render(plan)
    html = (
        plan_map(
            plan,
            depots=DEPOTS,
            regions=None,
            tiles_url="/tiles/{z}/{x}/{y}.png",
            asset_base="/static",
        )
        .get_root()
        .render()
    )
    assert html.count("L.tileLayer(") == 1
    assert "/tiles/{z}/{x}/{y}.png" in html


def test_vendored_assets_are_complete() -> None:
    """Every file the maps reference is vendored and matches the manifest."""
    assert assets.missing_assets() == []
    for _, path in (*assets.MAP_JS, *assets.MAP_CSS):
        assert (assets.STATIC_DIR / path).is_file(), path


def test_write_plan_map_is_standalone(plan: dict[str, Any], tmp_path: Path) -> None:
    """The CLI's map file references assets copied next to it, relatively."""

    class FakeRequest:
        def model_dump(self, mode: str) -> dict[str, Any]:
            assert mode == "json"
            return {"depots": DEPOTS, "regions": REGIONS, "orders": [], "pickup_points": []}

    out = write_plan_map(FakeRequest(), plan, tmp_path / "out" / "plan.html", tiles_url=None)
    html = out.read_text(encoding="utf-8")
    for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert url.startswith("map-assets/vendor/"), url
        assert (out.parent / url).is_file(), url
