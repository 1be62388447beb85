"""A routable road network: a networkx graph of an OpenStreetMap extract, and its arrays.

The graph follows OSMnx's conventions: a ``MultiDiGraph`` whose nodes carry ``x``
(longitude) and ``y`` (latitude) and whose edges carry ``length`` (metres),
``speed_kph`` and ``travel_time`` (seconds). :class:`RoadNetwork` holds the same
network as flat arrays (a CSR adjacency) for the compiled shortest-path routine.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from geo.roads.cache import default_cache_dir, read_arrays, write_arrays

SPEEDS_KMH: Mapping[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
}
"""Driving speeds (km/h) of a delivery van by OSM ``highway`` class, in town traffic."""

DEFAULT_SPEED_KMH = 20.0
"""Speed of a road whose class the table does not name."""

_FORWARD = {"yes", "true", "1"}
_BACKWARD = {"-1", "reverse"}
_FORMAT = 1
"""Version of the arrays' on-disk layout; part of every cache key."""


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A strongly connected road network as arrays: node coordinates and a CSR adjacency.

    ``indptr``/``indices`` are the CSR structure over nodes ``0..n-1``; ``seconds`` and
    ``metres`` are the travel time and length of each arc, parallel to ``indices``.
    ``key`` is a digest of all the arrays: equal networks have equal keys.
    """

    osm_ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    seconds: npt.NDArray[np.float64]
    metres: npt.NDArray[np.float64]
    key: str = field(default="")

    def __post_init__(self) -> None:
        n = len(self.osm_ids)
        if not len(self.lat) == len(self.lon) == n or len(self.indptr) != n + 1:
            raise ValueError("node arrays and indptr disagree in length")
        if not len(self.indices) == len(self.seconds) == len(self.metres) == self.indptr[-1]:
            raise ValueError("arc arrays and indptr disagree in length")
        if n == 0:
            raise ValueError("the road network has no nodes")
        if np.any(self.seconds < 0) or np.any(self.metres < 0):
            raise ValueError("negative travel time or length on an arc")
        if not self.key:
            object.__setattr__(self, "key", _digest(self.arrays()))

    @property
    def n_nodes(self) -> int:
        return len(self.osm_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.indices)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays by field name, as stored on disk."""
        return {
            "osm_ids": self.osm_ids,
            "lat": self.lat,
            "lon": self.lon,
            "indptr": self.indptr,
            "indices": self.indices,
            "seconds": self.seconds,
            "metres": self.metres,
        }

    def csr(self, weights: npt.NDArray[np.float64]) -> sp.csr_matrix:
        """The adjacency as a sparse matrix holding ``weights`` (one per arc)."""
        n = self.n_nodes
        return sp.csr_matrix((weights, self.indices, self.indptr), shape=(n, n))

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph | nx.DiGraph) -> RoadNetwork:
        """The arrays of an OSMnx-style graph; of parallel arcs the fastest is kept.

        The graph should be strongly connected (see :func:`largest_component`): the
        matrices are only finite between nodes that reach each other.
        """
        nodes = list(graph.nodes)
        if not nodes:
            raise ValueError("the road network has no nodes")
        index = {n: i for i, n in enumerate(nodes)}
        data = graph.nodes
        lat = np.array([data[n]["y"] for n in nodes], dtype=np.float64)
        lon = np.array([data[n]["x"] for n in nodes], dtype=np.float64)
        osm_ids = np.array([_node_id(n, i) for i, n in enumerate(nodes)], dtype=np.int64)
        m = graph.number_of_edges()
        tails = np.empty(m, dtype=np.int64)
        heads = np.empty(m, dtype=np.int64)
        seconds = np.empty(m, dtype=np.float64)
        metres = np.empty(m, dtype=np.float64)
        for k, (u, v, d) in enumerate(graph.edges(data=True)):
            tails[k], heads[k] = index[u], index[v]
            seconds[k], metres[k] = d["travel_time"], d["length"]
        return cls.from_arcs(osm_ids, lat, lon, tails, heads, seconds, metres)

    @classmethod
    def from_arcs(
        cls,
        osm_ids: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        tails: npt.ArrayLike,
        heads: npt.ArrayLike,
        seconds: npt.ArrayLike,
        metres: npt.ArrayLike,
    ) -> RoadNetwork:
        """A network from arc lists over node indices; no self-loops, fastest parallel arc kept."""
        t = np.asarray(tails, dtype=np.int64)
        h = np.asarray(heads, dtype=np.int64)
        s = np.asarray(seconds, dtype=np.float64)
        d = np.asarray(metres, dtype=np.float64)
        keep = t != h
        t, h, s, d = t[keep], h[keep], s[keep], d[keep]
        order = np.lexsort((d, s, h, t))
        t, h, s, d = t[order], h[order], s[order], d[order]
        first = np.ones(len(t), dtype=bool)
        first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
        t, h, s, d = t[first], h[first], s[first], d[first]
        ids = np.asarray(osm_ids, dtype=np.int64)
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(t, minlength=len(ids)), out=indptr[1:])
        return cls(
            osm_ids=ids,
            lat=np.asarray(lat, dtype=np.float64),
            lon=np.asarray(lon, dtype=np.float64),
            indptr=indptr,
            indices=h,
            seconds=s,
            metres=d,
        )


def _node_id(node: Hashable, position: int) -> int:
    return int(node) if isinstance(node, int | np.integer) else position


def _digest(arrays: Mapping[str, npt.NDArray[Any]]) -> str:
    h = hashlib.sha256(f"road-network/{_FORMAT}".encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def largest_component(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The largest strongly connected component: every node reaches every other."""
    if graph.number_of_nodes() == 0:
        raise ValueError("the road graph has no nodes")
    biggest = max(nx.strongly_connected_components(graph), key=len)
    return graph.subgraph(biggest).copy()


def road_speed(highway: Any, maxspeed: Any, speeds: Mapping[str, float]) -> float:
    """The class speed of ``highway`` (the first known class of a list), capped by ``maxspeed``."""
    classes = highway if isinstance(highway, list | tuple) else [highway]
    speed = next((speeds[c] for c in classes if c in speeds), None)
    if speed is None:
        base = [str(c).removesuffix("_link") for c in classes]
        speed = next((speeds[c] for c in base if c in speeds), DEFAULT_SPEED_KMH)
    posted = _posted_kmh(maxspeed)
    return min(speed, posted) if posted is not None else speed


def _posted_kmh(value: Any) -> float | None:
    """A numeric ``maxspeed`` tag in km/h (``"50"``, ``"30 mph"``), else None."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = str(value).strip().lower()
    factor = 1.609344 if text.endswith("mph") else 1.0
    text = text.removesuffix("mph").removesuffix("km/h").strip()
    try:
        kmh = float(text) * factor
    except ValueError:
        return None
    return kmh if math.isfinite(kmh) and kmh > 0 else None


def graph_from_osm(
    path: str | os.PathLike[str], *, speeds: Mapping[str, float] | None = None
) -> nx.MultiDiGraph:
    """The drivable roads of an ``.osm.pbf`` extract, with travel times, largest component only.

    ``speeds`` (km/h by ``highway`` class) override those of :data:`SPEEDS_KMH`.

    Ways are split into one arc per pair of consecutive OSM nodes; two-way roads get an
    arc each way, one-way roads (``oneway``, roundabouts, motorways) one arc.
    """
    import pyrosm

    table = {**SPEEDS_KMH, **(speeds or {})}
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no OpenStreetMap extract at {source}")
    osm = pyrosm.OSM(str(source))
    found = osm.get_network(network_type="driving", nodes=True, extra_attributes=["junction"])
    if found is None:
        raise ValueError(f"{source.name} holds no drivable roads")
    nodes, edges = found
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(
        (int(i), {"x": float(x), "y": float(y)})
        for i, x, y in zip(nodes["id"], nodes["lon"], nodes["lat"], strict=True)
    )
    junction = edges["junction"] if "junction" in edges.columns else [None] * len(edges)
    maxspeed = edges["maxspeed"] if "maxspeed" in edges.columns else [None] * len(edges)
    oneway = edges["oneway"] if "oneway" in edges.columns else [None] * len(edges)
    for u, v, way, hwy, ow, jn, ms, length in zip(
        edges["u"],
        edges["v"],
        edges["id"],
        edges["highway"],
        oneway,
        junction,
        maxspeed,
        edges["length"],
        strict=True,
    ):
        kmh = road_speed(hwy, ms, table)
        metres = float(length)
        attrs = {
            "osmid": int(way),
            "highway": hwy,
            "length": metres,
            "speed_kph": kmh,
            "travel_time": metres / (kmh / 3.6),
        }
        direction = _direction(hwy, ow, jn)
        if direction >= 0:
            graph.add_edge(int(u), int(v), **attrs)
        if direction <= 0:
            graph.add_edge(int(v), int(u), **attrs)
    graph.graph["crs"] = "epsg:4326"
    graph.graph["source"] = source.name
    return largest_component(graph)


def _direction(highway: Any, oneway: Any, junction: Any) -> int:
    """1 forward only, -1 backward only, 0 both ways."""
    tag = str(oneway).strip().lower() if isinstance(oneway, str) else ""
    if tag in _FORWARD:
        return 1
    if tag in _BACKWARD:
        return -1
    if tag == "no":
        return 0
    if isinstance(junction, str) and junction in {"roundabout", "circular"}:
        return 1
    return 1 if highway == "motorway" else 0


def load_network(
    path: str | os.PathLike[str],
    *,
    speeds: Mapping[str, float] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """The network of an ``.osm.pbf`` extract, remembered in memory and on disk.

    The disk copy is keyed by the file's content and the speed table, so an edited
    extract or table builds anew. ``cache_dir`` defaults to :func:`default_cache_dir`.
    """
    source = Path(path).resolve()
    if not source.is_file():
        raise FileNotFoundError(f"no OpenStreetMap extract at {source}")
    table = tuple(sorted({**SPEEDS_KMH, **(speeds or {})}.items()))
    stat = source.stat()
    folder = None if not use_cache else str(Path(cache_dir or default_cache_dir()))
    return _load(str(source), stat.st_mtime_ns, stat.st_size, table, folder)


@functools.lru_cache(maxsize=4)
def _load(
    source: str, mtime_ns: int, size: int, speeds: tuple[tuple[str, float], ...], folder: str | None
) -> RoadNetwork:
    del mtime_ns, size  # part of the memo's key only
    if folder is None:
        return RoadNetwork.from_graph(graph_from_osm(source, speeds=dict(speeds)))
    h = hashlib.sha256(f"osm-network/{_FORMAT}/".encode())
    h.update(json.dumps(speeds).encode())
    with open(source, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    file = Path(folder) / "networks" / f"{h.hexdigest()}.npz"
    stored = read_arrays(file)
    if stored is not None:
        try:
            return RoadNetwork(**stored)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
    network = RoadNetwork.from_graph(graph_from_osm(source, speeds=dict(speeds)))
    write_arrays(file, network.arrays())
    return network
