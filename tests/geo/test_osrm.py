"""The OSRM table client, against a stand-in OSRM on loopback answering in OSRM's format."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

from geo.osrm import OsrmError, check_url, osrm_table
from geo.roads import FarFromRoadError
from tests.geo.osrm_stub import World, osrm_stub

ANSWER = Path(__file__).parents[1] / "data" / "osrm-table.json"

# Three places in central Helsinki (lon, lat), the ones the stored answer is for.
PLACES = [(24.94330, 60.16652), (24.93822, 60.17108), (24.95190, 60.16900)]


def stored_world() -> World:
    body = json.loads(ANSWER.read_text())
    snaps = [w["distance"] for w in body["sources"]]
    return World(PLACES, body["durations"], body["distances"], snaps)


def random_world(n: int, seed: int = 0) -> World:
    rng = np.random.default_rng(seed)
    coords = [(24.9 + rng.random() / 10, 60.15 + rng.random() / 20) for _ in range(n)]
    seconds = rng.uniform(60, 900, (n, n)).round(1)
    np.fill_diagonal(seconds, 0)
    return World(coords, seconds.tolist(), (seconds * 9).round(1).tolist(), [2.0] * n)


def lat_lon(world: World) -> tuple[list[float], list[float]]:
    return [c[1] for c in world.coords], [c[0] for c in world.coords]


def test_reads_a_table_answer() -> None:
    """Durations and distances come back as given, with the snap distances."""
    world = stored_world()
    with osrm_stub(world) as url:
        m = osrm_table(url, *lat_lon(world), ids=["D", "P1", "P2"])
    np.testing.assert_array_equal(m.seconds, world.durations)
    np.testing.assert_array_equal(m.metres, world.distances)
    np.testing.assert_allclose(m.snap_metres, [3.184, 11.52, 6.05])
    (query,) = world.queries
    assert query.startswith("/table/v1/driving/24.943300,60.166520;24.938220,60.171080;")
    assert "annotations=duration%2Cdistance" in query


def test_large_sets_are_asked_block_by_block() -> None:
    """Seven places with blocks of three: nine queries put together into the full matrices."""
    world = random_world(7)
    with osrm_stub(world) as url:
        m = osrm_table(url, *lat_lon(world), chunk=3)
    assert len(world.queries) == 9
    np.testing.assert_array_equal(m.seconds, world.durations)
    np.testing.assert_array_equal(m.metres, world.distances)
    assert any("sources=0%3B1%3B2&destinations=3%3B4%3B5" in q for q in world.queries)


def test_a_refused_query_reports_osrm_s_message() -> None:
    """OSRM's error code and message reach the caller."""
    world = stored_world()
    world.error = (400, {"code": "TooBig", "message": "Too many table coordinates"})
    with osrm_stub(world) as url, pytest.raises(OsrmError, match=r"TooBig.*Too many table"):
        osrm_table(url, *lat_lon(world))


def test_unroutable_pairs_are_named() -> None:
    """A null entry (no route) names the pair by id."""
    world = stored_world()
    world.durations = [list(r) for r in world.durations]
    world.durations[2][0] = None
    with osrm_stub(world) as url, pytest.raises(OsrmError, match=r"no route for 1 pair.*P2→D"):
        osrm_table(url, *lat_lon(world), ids=["D", "P1", "P2"])


def test_locations_far_from_a_road_are_named() -> None:
    """OSRM's snap distances past the limit raise the same error as the road provider."""
    world = stored_world()
    world.snaps = [3.0, 812.0, 4.0]
    with osrm_stub(world) as url, pytest.raises(FarFromRoadError) as caught:
        osrm_table(url, *lat_lon(world), ids=["D", "P1", "P2"], max_snap_m=500)
    assert caught.value.far == (("P1", 812.0),)


def test_a_server_that_does_not_answer() -> None:
    """Nothing listening is an OsrmError naming the address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(OsrmError, match="did not answer"):
        osrm_table(url, [60.1, 60.2], [24.9, 24.95], timeout_s=2)


def test_an_answer_that_is_not_json() -> None:
    """A proxy's HTML page is refused plainly."""
    world = stored_world()
    world.error = (502, "<html><body>Bad Gateway</body></html>")
    with osrm_stub(world) as url, pytest.raises(OsrmError, match="HTTP 502 without JSON"):
        osrm_table(url, *lat_lon(world))


@pytest.mark.parametrize("url", ["ftp://example.org", "localhost:5000", "http://", "http://h/?q=1"])
def test_only_http_addresses_are_taken(url: str) -> None:
    """The address must be http(s) with a host and no query."""
    with pytest.raises(ValueError, match=r"http|query"):
        check_url(url)
