"""The validator's own travel measures: its formulas per metric, and its own call of the geo
provider for the ``road`` and ``osrm`` metrics."""

from __future__ import annotations

import math
from collections.abc import Callable

from dispatch.intake.request import Location, Request
from geo.osrm import osrm_table
from geo.roads import load_network, road_matrix

Leg = Callable[[Location, Location], tuple[float, float]]


def road_legs(request: Request) -> Leg:
    """Kilometres and minutes along the roads between any two places of the request."""
    t = request.travel
    places = [d.location for d in request.depots] + [p.location for p in request.pickup_points]
    places += [o.location for o in request.orders if o.location and not o.pickup_point]
    coords = list(dict.fromkeys(loc.coords() for loc in places))
    lat = [c[0] for c in coords]
    lon = [c[1] for c in coords]
    if t.metric == "osrm":
        assert t.url is not None
        m = osrm_table(t.url, lat, lon, max_snap_m=t.max_snap_m)
    else:
        assert t.osm_file is not None
        network = load_network(t.osm_file, speeds=t.speeds)
        m = road_matrix(network, lat, lon, max_snap_m=t.max_snap_m)
    index = {c: k for k, c in enumerate(coords)}

    def leg(a: Location, b: Location) -> tuple[float, float]:
        i, j = index[a.coords()], index[b.coords()]
        return float(m.metres[i, j]) / 1000.0, float(m.seconds[i, j]) / 60.0

    return leg


def km_minutes(
    request: Request, a: Location, b: Location, ida: str, idb: str, roads: Leg | None = None
) -> tuple[float, float]:
    """Distance (km) and base-speed minutes between two places, per the request's metric."""
    t = request.travel
    if roads is not None:
        return roads(a, b)
    if t.metric == "matrix":
        assert t.locations is not None
        assert t.distances is not None
        assert t.durations is not None
        i, j = t.locations.index(ida), t.locations.index(idb)
        return t.distances[i][j], t.durations[i][j]
    if t.metric == "euclidean":
        assert a.x is not None
        assert a.y is not None
        assert b.x is not None
        assert b.y is not None
        d = math.hypot(a.x - b.x, a.y - b.y)
        return d, d
    assert a.lat is not None
    assert a.lon is not None
    assert b.lat is not None
    assert b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h))) * t.circuity
    return km, km / t.speed_kmh * 60
