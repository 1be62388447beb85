"""The roads a trip drives along: node coordinates of the fastest path through waypoints."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from geo.roads.matrix import packed_graph
from geo.roads.network import RoadNetwork
from geo.roads.snap import snap

LatLon = tuple[float, float]


def road_path(
    network: RoadNetwork, lat: npt.ArrayLike, lon: npt.ArrayLike, *, max_snap_m: float = 5000.0
) -> list[LatLon]:
    """(lat, lon) points from the first waypoint to the last along the fastest roads.

    The path is the one the matrices measure (fastest, ties to the shorter), from
    each waypoint's nearest node to the next one's; the waypoints themselves start
    and end each leg.
    """
    la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if len(la) < 2:
        return [(float(a), float(b)) for a, b in zip(la, lo, strict=True)]
    nodes = snap(network, la, lo, max_distance_m=max_snap_m).nodes
    sources = np.unique(nodes[:-1])
    _, pred = dijkstra(
        packed_graph(network), directed=True, indices=sources, return_predecessors=True
    )
    row = {int(s): k for k, s in enumerate(sources)}
    points: list[LatLon] = [(float(la[0]), float(lo[0]))]
    for leg in range(len(nodes) - 1):
        a, b = int(nodes[leg]), int(nodes[leg + 1])
        chain = [b]
        while chain[-1] != a:
            before = int(pred[row[a], chain[-1]])
            if before < 0:
                raise ValueError("a waypoint's node does not reach the next one's")
            chain.append(before)
        points += [(float(network.lat[n]), float(network.lon[n])) for n in reversed(chain)]
        points.append((float(la[leg + 1]), float(lo[leg + 1])))
    return points
