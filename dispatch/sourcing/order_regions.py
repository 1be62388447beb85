"""The region of every order: its own ``region`` field, else the polygon of its delivery place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import Location, Order, Request
from geo.regions import RegionError, assign, extent, regions_from_geojson

ALL = "all"
"""The one region of a request without ``regions``."""

UNASSIGNED = "unassigned"
"""Where orders whose place lies in no region polygon go."""


@dataclass(frozen=True, slots=True)
class OrderRegions:
    """Region of each order id, region ids in request order, and the orders outside all polygons."""

    region_of: Mapping[str, str]
    ids: tuple[str, ...]
    names: Mapping[str, str]
    outside: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def orders_in(self, orders: Sequence[Order]) -> dict[str, tuple[Order, ...]]:
        """``orders`` grouped by region, every region of ``ids`` present (possibly empty)."""
        groups: dict[str, list[Order]] = {r: [] for r in self.ids}
        for o in orders:
            groups[self.region_of[o.id]].append(o)
        return {r: tuple(g) for r, g in groups.items()}


def assign_regions(request: Request) -> OrderRegions:
    """Regions of all orders; raises :class:`RequestError` when the region polygons are unusable."""
    explicit = {o.id: o.region for o in request.orders if o.region}
    if request.regions is None:
        ids = _unique([ALL, *explicit.values()])
        return OrderRegions(
            {o.id: explicit.get(o.id, ALL) for o in request.orders}, ids, {r: r for r in ids}
        )
    places = {p.id: p.location for p in request.pickup_points}
    located = [o for o in request.orders if o.id not in explicit]
    points = [places[o.pickup_point] if o.pickup_point else o.location for o in located]
    lons = [_lon(p) for p in points]
    lats = [_lat(p) for p in points]
    try:
        regions = regions_from_geojson(request.regions, bounds=extent(lons, lats) if lons else None)
    except RegionError as exc:
        raise RequestError([FieldError("", "regions", m) for m in exc.messages]) from None
    found = dict(zip((o.id for o in located), assign(regions, lons, lats, UNASSIGNED), strict=True))
    region_of = {o.id: explicit.get(o.id) or found[o.id] for o in request.orders}
    outside = tuple(oid for oid, r in found.items() if r == UNASSIGNED)
    ids = _unique([*regions.ids, *region_of.values()])
    names = dict(zip(regions.ids, regions.names, strict=True))
    return OrderRegions(
        region_of, ids, {r: names.get(r, r) for r in ids}, outside, regions.warnings
    )


def _lon(place: Location | None) -> float:
    assert place is not None
    value = place.lon if place.lon is not None else place.x
    return float("nan") if value is None else value


def _lat(place: Location | None) -> float:
    assert place is not None
    value = place.lat if place.lat is not None else place.y
    return float("nan") if value is None else value


def _unique(ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
