"""A stored plan as GeoJSON: route lines, stop points and unserved order points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Json = dict[str, Any]


def _position(location: Mapping[str, Any] | None) -> list[float] | None:
    """GeoJSON ``[lon, lat]`` (or ``[x, y]`` for planar requests)."""
    if not location:
        return None
    if location.get("lat") is not None:
        return [float(location["lon"]), float(location["lat"])]
    if location.get("x") is not None:
        return [float(location["x"]), float(location["y"])]
    return None


def _feature(geometry: Json, **properties: Any) -> Json:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def plan_geojson(plan: Mapping[str, Any], request: Mapping[str, Any]) -> Json:
    """The plan's routes (depot to depot), their stops in order, and where unserved orders are."""
    depots = {d["id"]: _position(d.get("location")) for d in request.get("depots", [])}
    points = {p["id"]: p for p in request.get("pickup_points", [])}
    orders = {o["id"]: o for o in request.get("orders", [])}
    features: list[Json] = []
    for route in plan.get("routes", []):
        vehicle = route["vehicle"]
        stops = route.get("stops", [])
        line = [depots.get(route["depot"])]
        line += [_position(s.get("location")) for s in stops]
        line.append(depots.get(route.get("end_depot") or route["depot"]))
        features.append(
            _feature(
                {"type": "LineString", "coordinates": [p for p in line if p is not None]},
                kind="route", vehicle=vehicle, depot=route["depot"], start=route["start"],
                end=route["end"], distance_km=route["distance_km"], stops=len(stops),
            )
        )  # fmt: skip
        for k, stop in enumerate(stops, start=1):
            position = _position(stop.get("location"))
            if position is None:
                continue
            features.append(
                _feature(
                    {"type": "Point", "coordinates": position},
                    kind="stop", vehicle=vehicle, sequence=k, stop=stop["stop"],
                    name=stop.get("name", ""), arrival=stop["arrival"],
                    departure=stop["departure"], orders=len(stop.get("orders", [])),
                )
            )  # fmt: skip
    for entry in plan.get("unserved", []):
        order = orders.get(entry["order"], {})
        point = points.get(order.get("pickup_point") or "")
        position = _position(point["location"] if point else order.get("location"))
        if position is not None:
            features.append(
                _feature(
                    {"type": "Point", "coordinates": position},
                    kind="unserved",
                    order=entry["order"],
                    reason=entry["reason"],
                )
            )
    return {"type": "FeatureCollection", "features": features}
