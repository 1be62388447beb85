"""A stored plan prepared for counting: what the KPIs need of the plan and its request, small
enough to be kept beside the plan as a document and read back without the plan or request.

Per order its platform, region, last window end and temperatures; per route its vehicle,
cost, planned departure, load over capacity and shift length, and per stop its orders,
windows and cold-chain limit; the carriers' work and the orders left unserved or carried
over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from dispatch.clock import parse_clock
from dispatch.intake.request import Request, Temperature, Vehicle
from dispatch.planning.plan import Cargo, Plan, RouteOut, StopVisit
from dispatch.sourcing.order_regions import ALL, UNASSIGNED
from geo.regions import RegionError, assign, extent, regions_from_geojson

FRAME_FORMAT = 1
"""The layout of :meth:`DayFrame.document`; a frame kept in another layout is made again."""

_COLD = (Temperature.CHILLED, Temperature.FROZEN)
_TEMPS = {
    frozenset(c): frozenset(c)
    for c in ((), ("ambient",), ("chilled",), ("frozen",), ("ambient", "chilled"),
              ("ambient", "frozen"), ("chilled", "frozen"), ("ambient", "chilled", "frozen"))
}  # fmt: skip
"""The sets of temperatures an order may hold, shared by the orders that hold them."""


@dataclass(frozen=True, slots=True)
class StopFrame:
    """A planned stop: its orders and windows (minutes of the plan day); ``cold`` when it
    delivers chilled or frozen goods, ``cold_limit`` the tightest limit its vehicle sets
    on them (None: no limit known)."""

    stop: str
    orders: tuple[str, ...]
    windows: tuple[tuple[int, int], ...]
    cold: bool = False
    cold_limit: float | None = None


@dataclass(frozen=True, slots=True)
class RouteFrame:
    """A planned own-fleet route: ``leaves`` is its planned departure (start plus the
    depot's loading minutes); ``load_share`` its planned load over the vehicle's capacity
    and ``shift_minutes`` the vehicle's shift (both None when the vehicle is not in the
    request)."""

    vehicle: str
    stops: tuple[StopFrame, ...]
    cost: float | None
    leaves: float
    load_share: float | None = None
    shift_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class CarrierWork:
    """The orders of one region given to a carrier, at ``cost`` for all of them."""

    carrier: str
    region: str
    cost: float
    orders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DayFrame:
    """A stored plan prepared once for counting: per order its platform, region, last window
    end (minutes of the plan day) and temperatures; its routes, carriers' work, unserved
    orders (with their code, else reason) and the orders it carried over to a later day."""

    plan_id: int
    day: date
    origin: datetime
    """Midnight of the plan day in its time zone."""
    platform_of: Mapping[str, str]
    region_of: Mapping[str, str]
    window_end_of: Mapping[str, int]
    temps_of: Mapping[str, frozenset[str]]
    routes: tuple[RouteFrame, ...] = ()
    outsourced: tuple[CarrierWork, ...] = ()
    unserved: tuple[tuple[str, str], ...] = ()
    carried_over: frozenset[str] = frozenset()

    def minutes(self, at: datetime) -> float:
        """``at`` as minutes after midnight of the plan day."""
        return (at - self.origin).total_seconds() / 60.0

    def document(self) -> dict[str, Any]:
        """The frame as plain JSON values, read back by :func:`frame_from_document`. Each
        order is ``[id, platform, region, window end, temperatures]``, null where the frame
        does not know it."""
        ids = [*self.platform_of, *self.region_of, *self.window_end_of, *self.temps_of]
        return {
            "format": FRAME_FORMAT,
            "day": self.day.isoformat(),
            "timezone": str(self.origin.tzinfo),
            "orders": [self._order(o) for o in dict.fromkeys(ids)],
            "routes": [_route_document(r) for r in self.routes],
            "outsourced": [[w.carrier, w.region, w.cost, w.orders] for w in self.outsourced],
            "unserved": self.unserved,
            "carried_over": sorted(self.carried_over),
        }

    def _order(self, order: str) -> list[Any]:
        temps = self.temps_of.get(order)
        return [
            order, self.platform_of.get(order), self.region_of.get(order),
            self.window_end_of.get(order), None if temps is None else sorted(temps),
        ]  # fmt: skip


def _route_document(route: RouteFrame) -> list[Any]:
    stops = [[s.stop, s.orders, s.windows, s.cold, s.cold_limit] for s in route.stops]
    return [route.vehicle, route.cost, route.leaves, route.load_share, route.shift_minutes, stops]


def frame_to_json(frame: DayFrame) -> str:
    return json.dumps(frame.document(), ensure_ascii=False, separators=(",", ":"))


def frame_from_document(doc: Mapping[str, Any], plan_id: int = 0) -> DayFrame:
    """The frame :meth:`DayFrame.document` wrote; ValueError when it is in another layout."""
    if doc.get("format") != FRAME_FORMAT:
        raise ValueError(f"frame format {doc.get('format')!r} is not {FRAME_FORMAT}")
    day = date.fromisoformat(doc["day"])
    platform_of: dict[str, str] = {}
    region_of: dict[str, str] = {}
    window_end_of: dict[str, int] = {}
    temps_of: dict[str, frozenset[str]] = {}
    for order, platform, region, window_end, temps in doc["orders"]:
        if platform is not None:
            platform_of[order] = platform
        if region is not None:
            region_of[order] = region
        if window_end is not None:
            window_end_of[order] = window_end
        if temps is not None:
            temps_of[order] = _temps(temps)
    routes = tuple(
        RouteFrame(
            vehicle, tuple(StopFrame(stop, tuple(orders), tuple(map(tuple, windows)), cold, limit)
                           for stop, orders, windows, cold, limit in stops),
            cost, leaves, load_share, shift,
        )
        for vehicle, cost, leaves, load_share, shift, stops in doc["routes"]
    )  # fmt: skip
    return DayFrame(
        plan_id, day, _midnight(day, doc["timezone"]), platform_of, region_of, window_end_of,
        temps_of, routes,
        tuple(CarrierWork(c, r, cost, tuple(o)) for c, r, cost, o in doc["outsourced"]),
        tuple((order, reason) for order, reason in doc["unserved"]),
        frozenset(doc["carried_over"]),
    )  # fmt: skip


def frame_from_json(text: str, plan_id: int = 0) -> DayFrame:
    return frame_from_document(json.loads(text), plan_id)


def _temps(values: Iterable[str]) -> frozenset[str]:
    found = frozenset(values)
    return _TEMPS.get(found) or found


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True, slots=True)
class _Orders:
    platform_of: dict[str, str]
    region_of: dict[str, str]
    window_end_of: dict[str, int]
    temps_of: dict[str, frozenset[str]]


def _orders(doc: Mapping[str, Any]) -> _Orders:
    """Per order of a stored request: platform, region (its own, else its delivery place's
    polygon, as the planner assigns it), last window end and temperatures; read from the
    document as stored (the request was checked when it was planned)."""
    points = {p["id"]: p for p in doc.get("pickup_points") or ()}
    out = _Orders({}, {}, {}, {})
    located: list[tuple[str, float, float]] = []
    for o in doc.get("orders") or ():
        oid = str(o["id"])
        out.platform_of[oid] = str(o.get("platform") or "")
        point = points.get(o.get("pickup_point"))
        windows = (point or {}).get("time_windows") if point else o.get("time_windows")
        if windows:
            out.window_end_of[oid] = max(_clock(w["end"]) for w in windows)
        temps = {i.get("temperature", "ambient") for i in o.get("items") or () if i.get("qty", 1)}
        out.temps_of[oid] = _temps(map(str, temps))
        if o.get("region"):
            out.region_of[oid] = str(o["region"])
            continue
        place = ((point or {}).get("location") if point else o.get("location")) or {}
        lon = place.get("lon") if place.get("lon") is not None else place.get("x")
        lat = place.get("lat") if place.get("lat") is not None else place.get("y")
        located.append((oid, _coordinate(lon), _coordinate(lat)))
    if doc.get("regions") is None:
        out.region_of.update((oid, ALL) for oid, _, _ in located)
        return out
    lons = [lon for _, lon, _ in located]
    lats = [lat for _, _, lat in located]
    try:
        regions = regions_from_geojson(doc["regions"], bounds=extent(lons, lats) if lons else None)
        found = assign(regions, lons, lats, UNASSIGNED)
    except RegionError:
        found = [UNASSIGNED] * len(located)
    out.region_of.update(zip((oid for oid, _, _ in located), found, strict=True))
    return out


@cache
def _clock(value: str) -> int:
    return parse_clock(value)


def _coordinate(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _units(doc: Mapping[str, Any]) -> dict[str, Vehicle]:
    units: dict[str, Vehicle] = {}
    for entry in doc.get("vehicles") or ():
        try:
            vehicle = Vehicle.model_validate(entry)
        except ValidationError:
            continue
        units.update((uid, vehicle) for uid in vehicle.unit_ids())
    return units


def _share(load: Cargo, vehicle: Vehicle | None) -> float | None:
    if vehicle is None:
        return None
    cap = vehicle.capacity
    shares = [
        used / have
        for used, have in ((load.weight_kg, cap.weight_kg), (load.volume_l, cap.volume_l))
        if have > 0
    ]
    return max(shares) if shares else None


def _stop(visit: StopVisit, vehicle: Vehicle | None, temps_of: Mapping[str, frozenset[str]]
          ) -> StopFrame:  # fmt: skip
    """The stop with its cold classes (its orders' and its unloaded compartments') and the
    tightest limit the vehicle sets on them."""
    temps = set().union(*(temps_of.get(o, frozenset()) for o in visit.orders))
    if visit.unload.chilled_l > 0:
        temps.add(Temperature.CHILLED.value)
    if visit.unload.frozen_l > 0:
        temps.add(Temperature.FROZEN.value)
    cold = [t for t in _COLD if t.value in temps]
    limits = [vehicle.max_cold_minutes.for_class(t) for t in cold] if vehicle else []
    known = [x for x in limits if x is not None]
    limit = min(known) if known else None
    return StopFrame(visit.stop, visit.orders, visit.windows, bool(cold), limit)


def _route(route: RouteOut, units: Mapping[str, Vehicle], loading: Mapping[str, float],
           temps_of: Mapping[str, frozenset[str]]) -> RouteFrame:  # fmt: skip
    vehicle = units.get(route.vehicle)
    return RouteFrame(
        route.vehicle,
        tuple(_stop(s, vehicle, temps_of) for s in route.stops),
        route.cost.total if route.cost is not None else None,
        route.start + loading.get(route.depot, 0.0),
        _share(route.load, vehicle),
        None if vehicle is None else vehicle.shift.end - vehicle.shift.start,
    )


def frame_of(
    plan: Plan,
    request: Mapping[str, Any] | Request | None,
    *,
    plan_id: int = 0,
    carried_over: Iterable[str] = (),
) -> DayFrame:
    """``plan`` prepared for counting with its request (as stored); ``carried_over`` are the
    orders it moved to a later day besides those it names itself. Only the plan's stops are
    walked (its predictions are not needed), so the request is read, not typed whole."""
    doc: Mapping[str, Any] = (
        request.model_dump(mode="json") if isinstance(request, Request) else request or {}
    )
    try:
        orders, units = _orders(doc), _units(doc)
        loading = {str(d["id"]): float(d.get("loading_minutes", 0)) for d in doc["depots"]}
    except (KeyError, TypeError, ValueError):
        orders, units, loading = _Orders({}, {}, {}, {}), {}, {}
    for work in plan.outsourced:
        for order in work.orders:
            orders.region_of[order] = work.region
    day = plan.date or _date(doc.get("date")) or datetime.now(UTC).date()
    carried = {*carried_over, *(c.order for c in plan.carried_over or ())}
    return DayFrame(
        plan_id, day, _midnight(day, plan.timezone), orders.platform_of, orders.region_of,
        orders.window_end_of, orders.temps_of,
        tuple(_route(r, units, loading, orders.temps_of) for r in plan.routes),
        tuple(CarrierWork(w.carrier, w.region, w.cost, w.orders) for w in plan.outsourced),
        tuple((u.order, u.code or u.reason) for u in plan.unserved),
        frozenset(carried),
    )  # fmt: skip


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
