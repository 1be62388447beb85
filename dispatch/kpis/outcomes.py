"""Each counted order's outcome, each departed route's use and each notice sent, for one day.

Pure functions of a plan prepared once (:func:`frame_of`) and the day's events and notices
(:func:`day_facts`). Events are read by the live status's rules
(:mod:`dispatch.live.predict`), but only for what happened, never predicted: in ``at``
order (:func:`~dispatch.live.predict.road_order`), an order's last delivered or failed
event wins, a stop's actual arrival is its first ``arrived`` event or else its first
delivered or failed one, lateness is past the stop's last window end, cold-chain age runs
from the real departure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from dispatch.clock import parse_clock
from dispatch.intake.request import Request, Temperature, Vehicle
from dispatch.kpis.facts import NONE, OWN, DayFacts, NoticeFact, OrderFact, Outcome, RouteFact
from dispatch.live.predict import carrier_order, road_order
from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent
from dispatch.planning.plan import Cargo, Plan, RouteOut, StopVisit
from dispatch.sourcing.order_regions import ALL, UNASSIGNED
from geo.regions import RegionError, assign, extent, regions_from_geojson

_COLD = (Temperature.CHILLED, Temperature.FROZEN)
_AMBIENT = frozenset({Temperature.AMBIENT.value})
_TEMPS = {
    frozenset(c): frozenset(c)
    for c in ((), ("ambient",), ("chilled",), ("frozen",), ("ambient", "chilled"),
              ("ambient", "frozen"), ("chilled", "frozen"), ("ambient", "chilled", "frozen"))
}  # fmt: skip
"""The sets of temperatures an order may hold, shared by the orders that hold them."""


@dataclass(frozen=True, slots=True)
class DayFrame:
    """A stored plan prepared once for counting: per order its platform, region, last window
    end (minutes of the plan day) and temperatures; the vehicles and the depots' loading
    minutes."""

    plan_id: int
    day: date
    plan: Plan
    origin: datetime
    """Midnight of the plan day in its time zone."""
    platform_of: Mapping[str, str]
    region_of: Mapping[str, str]
    window_end_of: Mapping[str, int]
    temps_of: Mapping[str, frozenset[str]]
    units: Mapping[str, Vehicle]
    loading: Mapping[str, float]
    carried_over: frozenset[str] = frozenset()

    def minutes(self, at: datetime) -> float:
        """``at`` as minutes after midnight of the plan day."""
        return (at - self.origin).total_seconds() / 60.0


@dataclass(frozen=True, slots=True)
class SentNotice:
    """A notice as the KPIs read it: its subject, its order (or a stop's first order), when
    it was sent, and the amount it promised."""

    id: int
    subject: str
    order: str | None
    sent_at: datetime | None
    compensation: float | None = None


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
        out.temps_of[oid] = _TEMPS.get(frozenset(temps)) or frozenset(map(str, temps))
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


def frame_of(
    plan: Plan,
    request: Mapping[str, Any] | Request | None,
    *,
    plan_id: int = 0,
    carried_over: Iterable[str] = (),
) -> DayFrame:
    """``plan`` prepared for counting with its request (as stored); ``carried_over`` are the
    orders it moved to a later day. Only the plan's stops are walked (its predictions are
    not needed), so the request is read, not typed whole."""
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
    origin = datetime.combine(day, time(0), tzinfo=ZoneInfo(plan.timezone))
    return DayFrame(
        plan_id, day, plan, origin, orders.platform_of, orders.region_of, orders.window_end_of,
        orders.temps_of, units, loading, frozenset(carried_over),
    )  # fmt: skip


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


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


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60.0


@dataclass
class _Walk:
    """What one route's events say happened."""

    departed: datetime | None = None
    last: datetime | None = None
    arrived: dict[str, datetime] = field(default_factory=dict)
    served: dict[str, datetime] = field(default_factory=dict)
    ended: dict[str, tuple[LiveKind, datetime, str | None]] = field(default_factory=dict)


def _walk(events: Sequence[RoadEvent], stop_orders: Mapping[str, tuple[str, ...]]) -> _Walk:
    w = _Walk()
    for e in sorted(events, key=road_order):
        w.last = e.at
        if e.kind is LiveKind.DEPARTED:
            w.departed = w.departed or e.at
        if e.stop is None or e.stop not in stop_orders:
            continue
        if e.kind is LiveKind.ARRIVED:
            w.arrived.setdefault(e.stop, e.at)
        elif e.kind in (LiveKind.DELIVERED, LiveKind.FAILED):
            w.served.setdefault(e.stop, e.at)
            for order in e.orders or stop_orders[e.stop]:
                w.ended[order] = (e.kind, e.at, e.reason)
    return w


def _start_of_service(windows: Sequence[tuple[int, int]], arrival: float) -> float:
    """Service starts on arrival, or when the next window opens (as the live day has it)."""
    for start, end in sorted(windows):
        if arrival <= end:
            return max(arrival, float(start))
    return arrival


def _cold_ok(frame: DayFrame, route: RouteOut, visit: StopVisit, arrival: float | None,
             departed: datetime | None) -> bool | None:  # fmt: skip
    """Whether the stop's cold goods were served within the vehicle's limit, counted from
    the real departure (else the planned one) to the start of service at the real arrival;
    None when the stop has no cold goods or was not reached."""
    temps = set().union(*(frame.temps_of.get(o, frozenset()) for o in visit.orders))
    if visit.unload.chilled_l > 0:
        temps.add(Temperature.CHILLED.value)
    if visit.unload.frozen_l > 0:
        temps.add(Temperature.FROZEN.value)
    cold = [t for t in _COLD if t.value in temps]
    if not cold or arrival is None:
        return None
    vehicle = frame.units.get(route.vehicle)
    limits = [vehicle.max_cold_minutes.for_class(t) for t in cold] if vehicle else []
    known = [x for x in limits if x is not None]
    left = (
        frame.minutes(departed)
        if departed is not None
        else route.start + frame.loading.get(route.depot, 0.0)
    )
    age = round(_start_of_service(visit.windows, arrival) - left)
    return not known or age <= min(known)


def _late(visit: StopVisit, arrival: float) -> int:
    """Whole minutes (rounded up) past the stop's last window end."""
    end = max((b for _, b in visit.windows), default=None)
    return 0 if end is None else max(0, math.ceil(arrival - end - 1e-9))


def _own_orders(
    frame: DayFrame, route: RouteOut, events: Sequence[RoadEvent], skip: frozenset[str]
) -> tuple[list[OrderFact], RouteFact | None]:
    w = _walk(events, {s.stop: s.orders for s in route.stops})
    n = sum(len(s.orders) for s in route.stops)
    share = route.cost.total / n if w.last is not None and route.cost is not None and n else 0.0
    facts = []
    for visit in route.stops:
        actual = w.arrived.get(visit.stop) or w.served.get(visit.stop)
        arrival = None if actual is None else frame.minutes(actual)
        cold_ok = _cold_ok(frame, route, visit, arrival, w.departed)
        for order in visit.orders:
            if order in skip:
                continue
            outcome, reason, late, from_departure, ok = Outcome.OPEN, None, None, None, None
            cold = _is_cold(frame, order)
            ended = w.ended.get(order)
            if ended is not None and ended[0] is LiveKind.FAILED:
                outcome, reason = Outcome.FAILED, ended[2]
            elif ended is not None:
                outcome = Outcome.DELIVERED
                late = None if arrival is None else _late(visit, arrival)
                if w.departed is not None:
                    from_departure = _minutes(w.departed, ended[1])
                ok = cold_ok if cold else None
            facts.append(
                OrderFact(
                    day=frame.day, order=order, platform=frame.platform_of.get(order, ""),
                    region=frame.region_of.get(order, UNASSIGNED), carrier=OWN,
                    vehicle=route.vehicle, outcome=outcome, reason=reason, late_minutes=late,
                    minutes_from_departure=from_departure, cold=cold, cold_ok=ok, cost=share,
                )
            )  # fmt: skip
    used = None
    if w.departed is not None:
        vehicle = frame.units.get(route.vehicle)
        time_share = None
        if vehicle is not None and w.last is not None:
            shift = vehicle.shift.end - vehicle.shift.start
            worked = max(0.0, _minutes(w.departed, w.last))
            time_share = worked / shift if shift > 0 else None
        used = RouteFact(frame.day, route.vehicle, _share(route.load, vehicle), time_share)
    return facts, used


def _is_cold(frame: DayFrame, order: str) -> bool:
    return not frame.temps_of.get(order, _AMBIENT) <= _AMBIENT


def _carrier_orders(
    frame: DayFrame, events: Sequence[CarrierEvent], skip: frozenset[str]
) -> list[OrderFact]:
    ordered = sorted(events, key=carrier_order)
    facts = []
    for work in frame.plan.outsourced:
        mine = [e for e in ordered if e.carrier == work.carrier]
        picked: dict[str, datetime] = {}
        last: dict[str, CarrierEvent] = {}
        for event in mine:
            if event.kind is CarrierKind.PICKED_UP:
                picked.setdefault(event.order, event.at)
            else:
                last[event.order] = event
        cost = work.cost / len(work.orders) if work.orders else 0.0
        for order in work.orders:
            if order in skip:
                continue
            outcome, reason, late, from_departure = Outcome.OPEN, None, None, None
            e = last.get(order)
            if e is not None and e.kind is CarrierKind.FAILED:
                outcome, reason = Outcome.FAILED, e.reason
            elif e is not None:
                outcome = Outcome.DELIVERED
                end = frame.window_end_of.get(order)
                over = 0.0 if end is None else frame.minutes(e.at) - end
                late = max(0, math.ceil(over - 1e-9))
                if order in picked:
                    from_departure = _minutes(picked[order], e.at)
            facts.append(
                OrderFact(
                    day=frame.day, order=order, platform=frame.platform_of.get(order, ""),
                    region=work.region, carrier=work.carrier, vehicle=work.carrier,
                    outcome=outcome, reason=reason, late_minutes=late,
                    minutes_from_departure=from_departure, cold=_is_cold(frame, order),
                    cost=cost,
                )
            )  # fmt: skip
    return facts


def notice_facts(day: date, notices: Iterable[SentNotice]) -> tuple[NoticeFact, ...]:
    """The notices sent; each subject's compensation is that of its last compensated notice."""
    sent = sorted((n for n in notices if n.sent_at is not None), key=lambda n: (n.sent_at, n.id))
    paying = {n.subject: n.id for n in sent if n.compensation is not None}
    return tuple(
        NoticeFact(day, n.order, (n.compensation or 0.0) if paying.get(n.subject) == n.id else 0.0)
        for n in sent
    )


def _unique(events: Iterable[RoadEvent]) -> list[RoadEvent]:
    """One event per vehicle and event id (a re-plan's versions may each hold a copy)."""
    seen: dict[tuple[str, str], RoadEvent] = {}
    for e in events:
        seen.setdefault((e.vehicle, e.event_id), e)
    return list(seen.values())


def day_facts(
    frame: DayFrame,
    road_events: Iterable[RoadEvent],
    carrier_events: Iterable[CarrierEvent],
    notices: Iterable[SentNotice] = (),
    *,
    skip: Iterable[str] = (),
) -> DayFacts:
    """What happened to the day's orders, routes and notices; the orders in ``skip`` (and those
    the plan carried over) are counted on another day or not at all."""
    skipped = frozenset(skip) | frame.carried_over
    road = _unique(road_events)
    carriers = list(carrier_events)
    by_vehicle: dict[str, list[RoadEvent]] = {}
    for e in road:
        by_vehicle.setdefault(e.vehicle, []).append(e)
    orders: list[OrderFact] = []
    routes: list[RouteFact] = []
    for route in frame.plan.routes:
        facts, used = _own_orders(frame, route, by_vehicle.get(route.vehicle, []), skipped)
        orders += facts
        if used is not None:
            routes.append(used)
    orders += _carrier_orders(frame, carriers, skipped)
    for u in frame.plan.unserved:
        if u.order not in skipped:
            orders.append(
                OrderFact(
                    day=frame.day, order=u.order, platform=frame.platform_of.get(u.order, ""),
                    region=frame.region_of.get(u.order, UNASSIGNED), carrier=NONE, vehicle=NONE,
                    outcome=Outcome.UNSERVED, reason=u.code or u.reason,
                    cold=_is_cold(frame, u.order),
                )
            )  # fmt: skip
    return DayFacts(tuple(orders), tuple(routes), notice_facts(frame.day, notices))
