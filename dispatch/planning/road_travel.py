"""Travel over roads for a request: its road network or OSRM server, asked once per day.

Every place of the request (depots, pickup points, orders delivered to their own
address) goes into one matrix, so the planner's several models of one day, and
the validator, read the same numbers; the road provider also keeps it on disk.
Locations too far from a road come back as a :class:`~dispatch.intake.loading.RequestError`
naming each record.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import numpy as np

from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import Location, Request, Travel
from geo.osrm import osrm_table
from geo.roads import FarFromRoadError, RoadMatrix, load_network, road_matrix
from geo.travel import TravelMatrix

Coords = tuple[tuple[float, float], ...]
MAX_WORKERS = 4
"""Processes a large road matrix is shared among (at most the machine's cores)."""


def request_places(request: Request) -> list[tuple[str, Location]]:
    """Every place of the request that travel starts or ends at, with its record's id."""
    places = [(d.id, d.location) for d in request.depots]
    places += [(p.id, p.location) for p in request.pickup_points]
    places += [(o.id, o.location) for o in request.orders if o.location and not o.pickup_point]
    return places


def road_travel(request: Request, places: Sequence[Location]) -> TravelMatrix:
    """Kilometres and minutes between ``places`` along the roads, per the request's travel."""
    named = request_places(request)
    coords: dict[tuple[float, float], int] = {}
    ids: list[str] = []
    for pid, loc in named:
        if loc.coords() not in coords:
            coords[loc.coords()] = len(ids)
            ids.append(pid)
    for loc in places:
        if loc.coords() not in coords:
            coords[loc.coords()] = len(ids)
            ids.append(f"{loc.lat},{loc.lon}")
    try:
        full = _matrix(request.travel, tuple(coords), tuple(ids))
    except FarFromRoadError as exc:
        raise RequestError(_far_errors(request, exc)) from None
    index = np.array([coords[loc.coords()] for loc in places], dtype=np.intp)
    pick = np.ix_(index, index)
    return TravelMatrix(distance_km=full.metres[pick] / 1000.0, minutes=full.seconds[pick] / 60.0)


def _far_errors(request: Request, exc: FarFromRoadError) -> list[FieldError]:
    """One error per record too far from a road, naming the record, its id and the distance."""
    records = {d.id: f"depots[{k}]" for k, d in enumerate(request.depots)}
    records |= {p.id: f"pickup_points[{k}]" for k, p in enumerate(request.pickup_points)}
    records |= {o.id: f"orders[{k}]" for k, o in enumerate(request.orders) if not o.pickup_point}
    limit = f"more than the {exc.limit_m:,.0f} m of travel.max_snap_m"
    return [
        FieldError(records.get(rid, ""), "location", f"{m:,.0f} m from a road, {limit}", rid)
        for rid, m in exc.far
    ]


def _matrix(travel: Travel, coords: Coords, ids: tuple[str, ...]) -> RoadMatrix:
    speeds = None if travel.speeds is None else tuple(sorted(travel.speeds.items()))
    stamp = None
    if travel.metric == "road" and travel.osm_file is not None:
        stat = os.stat(travel.osm_file)
        stamp = (stat.st_mtime_ns, stat.st_size)
    return _remembered(
        travel.metric, travel.osm_file, stamp, speeds, travel.url, travel.max_snap_m, coords, ids
    )


@functools.lru_cache(maxsize=2)
def _remembered(
    metric: str,
    osm_file: str | None,
    stamp: tuple[int, int] | None,
    speeds: tuple[tuple[str, float], ...] | None,
    url: str | None,
    max_snap_m: float,
    coords: Coords,
    ids: tuple[str, ...],
) -> RoadMatrix:
    del stamp  # the extract's modification time and size: part of the memo's key only
    lat = [c[0] for c in coords]
    lon = [c[1] for c in coords]
    if metric == "osrm":
        assert url is not None
        return osrm_table(url, lat, lon, ids=ids, max_snap_m=max_snap_m)
    assert osm_file is not None
    network = load_network(osm_file, speeds=dict(speeds) if speeds else None)
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    return road_matrix(network, lat, lon, ids=ids, max_snap_m=max_snap_m, workers=workers)
