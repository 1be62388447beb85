"""A stored plan as GeoJSON: route lines, stop points, and the points of outsourced orders
(with their carrier and region) and unserved orders."""

from __future__ import annotations

from typing import Any

from api.views.places import RequestPlaces, position
from dispatch.clock import format_clock
from dispatch.planning.plan import Plan

Json = dict[str, Any]


def _feature(geometry: Json, **properties: Any) -> Json:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(at: tuple[float, float]) -> Json:
    return {"type": "Point", "coordinates": list(at)}


def plan_geojson(plan: Plan, places: RequestPlaces) -> Json:
    """The plan's routes (depot to depot), their stops in order, and where outsourced and
    unserved orders are."""
    depots = {k: position(d.location) for k, d in places.depots.items()}
    features: list[Json] = []
    for route in plan.routes:
        line = [depots.get(route.depot)]
        line += [position(s.location) for s in route.stops]
        line.append(depots.get(route.end_depot or route.depot))
        features.append(
            _feature(
                {"type": "LineString", "coordinates": [list(p) for p in line if p is not None]},
                kind="route", vehicle=route.vehicle, depot=route.depot,
                start=format_clock(route.start), end=format_clock(route.end),
                distance_km=round(route.distance_km, 1), stops=len(route.stops),
            )
        )  # fmt: skip
        for k, stop in enumerate(route.stops, start=1):
            at = position(stop.location)
            if at is None:
                continue
            features.append(
                _feature(
                    _point(at), kind="stop", vehicle=route.vehicle, sequence=k, stop=stop.stop,
                    name=stop.name, arrival=format_clock(stop.arrival),
                    departure=format_clock(stop.departure), orders=len(stop.orders),
                )
            )  # fmt: skip
    for work in plan.outsourced:
        for order in work.orders:
            at = position(places.order_location(order))
            if at is not None:
                features.append(
                    _feature(
                        _point(at), kind="outsourced", order=order, carrier=work.carrier,
                        region=work.region, reason=work.reason,
                    )
                )  # fmt: skip
    for entry in plan.unserved:
        at = position(places.order_location(entry.order))
        if at is not None:
            features.append(
                _feature(_point(at), kind="unserved", order=entry.order, reason=entry.reason)
            )
    return {"type": "FeatureCollection", "features": features}
