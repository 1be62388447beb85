"""Road-network travel: a routable graph from an OpenStreetMap extract, snapping, matrices.

>>> network = load_network("city.osm.pbf")               # doctest: +SKIP
>>> m = road_matrix(network, lat, lon, ids=names)         # doctest: +SKIP
>>> m.seconds, m.metres                                    # doctest: +SKIP
"""

from geo.roads.cache import default_cache_dir
from geo.roads.grid import city_grid
from geo.roads.matrix import RoadMatrix, node_matrix, road_matrix
from geo.roads.network import (
    DEFAULT_SPEED_KMH,
    SPEEDS_KMH,
    RoadNetwork,
    graph_from_osm,
    largest_component,
    load_network,
    road_speed,
)
from geo.roads.paths import road_path
from geo.roads.snap import MAX_SNAP_M, FarFromRoadError, Snapped, snap

__all__ = [
    "DEFAULT_SPEED_KMH",
    "MAX_SNAP_M",
    "SPEEDS_KMH",
    "FarFromRoadError",
    "RoadMatrix",
    "RoadNetwork",
    "Snapped",
    "city_grid",
    "default_cache_dir",
    "graph_from_osm",
    "largest_component",
    "load_network",
    "node_matrix",
    "road_matrix",
    "road_path",
    "road_speed",
    "snap",
]
