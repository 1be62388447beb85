"""A generated city-like street network, for tests and benchmarks of city size."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np

from geo.roads.network import SPEEDS_KMH, largest_component
from geo.roads.snap import ground_metres
from geo.travel import EARTH_RADIUS_KM

TAIPEI = (25.04, 121.53)


def city_grid(
    rows: int,
    cols: int,
    *,
    spacing_m: float = 110.0,
    centre: tuple[float, float] = TAIPEI,
    one_way_share: float = 0.4,
    closed_share: float = 0.04,
    seed: int = 0,
    speeds: Mapping[str, float] | None = None,
) -> nx.MultiDiGraph:
    """A perturbed ``rows`` × ``cols`` street grid around ``centre`` (lat, lon), OSMnx-style.

    Every tenth street is a two-way primary road, every fifth a secondary one, the
    rest residential; a share of residential streets is one-way (alternating
    directions, as in grid towns) and a share of residential blocks is closed, so
    some streets end blind. Intersections are jittered and streets bend a little.
    Only the largest strongly connected component is returned.
    """
    if rows < 2 or cols < 2:
        raise ValueError("a grid needs at least 2 rows and 2 columns")
    table = SPEEDS_KMH if speeds is None else speeds
    rng = np.random.default_rng(seed)
    lat0, lon0 = centre
    m_per_deg_lat = np.radians(1.0) * EARTH_RADIUS_KM * 1000.0
    m_per_deg_lon = m_per_deg_lat * np.cos(np.radians(lat0))
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    jitter = rng.uniform(-0.2, 0.2, size=(2, rows, cols)) * spacing_m
    north = (r - (rows - 1) / 2) * spacing_m + jitter[0]
    east = (c - (cols - 1) / 2) * spacing_m + jitter[1]
    lat = (lat0 + north / m_per_deg_lat).ravel()
    lon = (lon0 + east / m_per_deg_lon).ravel()
    ids = np.arange(rows * cols).reshape(rows, cols)

    def street_class(k: int) -> str:
        return "primary" if k % 10 == 0 else "secondary" if k % 5 == 0 else "residential"

    graph = nx.MultiDiGraph(crs="epsg:4326", source="generated city grid")
    graph.add_nodes_from(
        (int(i), {"x": float(x), "y": float(y)})
        for i, x, y in zip(ids.ravel(), lon, lat, strict=True)
    )
    streets = [(ids[k, :], street_class(k)) for k in range(rows)]
    streets += [(ids[:, k], street_class(k)) for k in range(cols)]
    for n, (line, highway) in enumerate(streets):
        u, v = line[:-1], line[1:]
        keep = np.ones(len(u), dtype=bool)
        if highway == "residential":
            keep = rng.random(len(u)) >= closed_share
        one_way = highway == "residential" and rng.random() < one_way_share
        u, v = u[keep], v[keep]
        bend = rng.uniform(1.0, 1.08, size=len(u))
        length = ground_metres(lat[u], lon[u], lat[v], lon[v]) * bend
        kmh = float(table.get(highway, 20.0))
        for a, b, metres in zip(u.tolist(), v.tolist(), length.tolist(), strict=True):
            attrs = {
                "highway": highway,
                "length": metres,
                "speed_kph": kmh,
                "travel_time": metres / (kmh / 3.6),
            }
            if not one_way or n % 2 == 0:
                graph.add_edge(a, b, **attrs)
            if not one_way or n % 2 == 1:
                graph.add_edge(b, a, **attrs)
    return largest_component(graph)
