"""Each counted order's outcome, each departed route's use and each notice sent, for one day.

Pure functions of a plan prepared once (:func:`frame_of`) and the day's events and notices
(:func:`day_facts`). Events are read as the live status reads them
(:func:`dispatch.live.predict.status_of`): in ``at`` order, an order's last delivered or
failed event wins, a stop's actual arrival is its ``arrived`` event or else its first
delivered or failed one, cold-chain age runs from the real departure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from dispatch.intake.request import Request, Temperature, Vehicle
from dispatch.kpis.facts import NONE, OWN, DayFacts, NoticeFact, OrderFact, Outcome, RouteFact
from dispatch.live.live_day import LiveDay, prepare_day
from dispatch.live.predict import carrier_order, road_order, status_of
from dispatch.live.status import (
    CarrierEvent,
    CarrierKind,
    LiveKind,
    RoadEvent,
    RouteStatus,
    StopStatus,
)
from dispatch.planning.plan import Cargo, Plan
from dispatch.sourcing.order_regions import UNASSIGNED, assign_regions

_COLD = (Temperature.CHILLED, Temperature.FROZEN)


@dataclass(frozen=True, slots=True)
class DayFrame:
    """A stored plan prepared once for counting: its live day, and per order its platform,
    region, last window end (minutes of the plan day) and whether it holds cold goods."""

    plan_id: int
    day: date
    live: LiveDay
    platform_of: Mapping[str, str]
    region_of: Mapping[str, str]
    window_end_of: Mapping[str, int]
    cold_orders: frozenset[str]
    units: Mapping[str, Vehicle]
    carried_over: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SentNotice:
    """A notice as the KPIs read it: its subject, its order (or a stop's first order), when
    it was sent, and the amount it promised."""

    id: int
    subject: str
    order: str | None
    sent_at: datetime | None
    compensation: float | None = None


_ORDER_FIELDS = ("id", "platform", "pickup_point", "location", "time_windows", "region")


def _counted(order: Mapping[str, Any]) -> dict[str, Any]:
    """What counting needs of an order: where, when, which platform and which temperatures."""
    kept = {k: order[k] for k in _ORDER_FIELDS if k in order}
    items = order.get("items")
    if isinstance(items, list):
        temps = {i.get("temperature", "ambient") for i in items if isinstance(i, Mapping)
                 and i.get("qty", 1) != 0}  # fmt: skip
        kept["items"] = [{"temperature": t} for t in sorted(temps, key=str)]
    return kept


def _request(document: Mapping[str, Any] | Request | None) -> Request | None:
    """The request typed, its orders cut to what counting needs (their items, names and notes
    are most of a day's request and none of its KPIs); None when it does not validate."""
    if document is None or isinstance(document, Request):
        return document
    orders = document.get("orders")
    if isinstance(orders, list):
        document = {**document, "orders": [_counted(o) if isinstance(o, Mapping) else o
                                           for o in orders]}  # fmt: skip
    try:
        return Request.model_validate(document)
    except ValidationError:
        return None


def frame_of(
    plan: Plan,
    request: Mapping[str, Any] | Request | None,
    *,
    plan_id: int = 0,
    carried_over: Iterable[str] = (),
) -> DayFrame:
    """``plan`` prepared for counting; ``carried_over`` are the orders it moved to a later day."""
    req = _request(request)
    live = prepare_day(plan, req, plan_id=plan_id)
    day = live.origin.astimezone(live.zone).date()
    platform_of: dict[str, str] = {}
    region_of: dict[str, str] = {}
    window_end_of: dict[str, int] = {}
    cold: set[str] = set()
    units: dict[str, Vehicle] = {}
    if req is not None:
        region_of = dict(assign_regions(req).region_of) if req.orders else {}
        points = {p.id: p for p in req.pickup_points}
        units = {uid: v for v in req.vehicles for uid in v.unit_ids()}
        for o in req.orders:
            platform_of[o.id] = o.platform
            point = points.get(o.pickup_point) if o.pickup_point else None
            windows = point.time_windows if point is not None else o.time_windows
            if windows:
                window_end_of[o.id] = max(int(w.end) for w in windows)
            if o.temperatures() & set(_COLD):
                cold.add(o.id)
    for work in plan.outsourced:
        for order in work.orders:
            region_of[order] = work.region
    return DayFrame(
        plan_id, day, live, platform_of, region_of, window_end_of, frozenset(cold), units,
        frozenset(carried_over),
    )  # fmt: skip


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


def _road_outcomes(
    events: Sequence[RoadEvent], stop_orders: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[LiveKind, datetime, str | None]]:
    """Each order's last delivered or failed event of one route."""
    last: dict[str, tuple[LiveKind, datetime, str | None]] = {}
    for e in sorted(events, key=road_order):
        if e.kind not in (LiveKind.DELIVERED, LiveKind.FAILED) or e.stop not in stop_orders:
            continue
        for order in e.orders or stop_orders[e.stop or ""]:
            last[order] = (e.kind, e.at, e.reason)
    return last


def _own_orders(
    frame: DayFrame,
    route: RouteStatus,
    events: Sequence[RoadEvent],
    skip: frozenset[str],
) -> tuple[list[OrderFact], RouteFact | None]:
    plan_route = frame.live.plan.route(route.vehicle)
    assert plan_route is not None
    stop_orders = {s.stop: s.orders for s in plan_route.stops}
    last = _road_outcomes(events, stop_orders)
    ran = route.last_event is not None
    n = sum(len(s.orders) for s in plan_route.stops)
    cost = plan_route.cost.total if ran and plan_route.cost is not None and n else 0.0
    facts = []
    for stop in route.stops:
        for order in stop.orders:
            if order in skip:
                continue
            facts.append(_own_order(frame, route, stop, order, last.get(order), cost / max(n, 1)))
    used = None
    if route.departed_at is not None:
        vehicle = frame.units.get(route.vehicle)
        time_share = None
        if vehicle is not None and route.last_event is not None:
            shift = vehicle.shift.end - vehicle.shift.start
            worked = max(0.0, _minutes(route.departed_at, route.last_event.at))
            time_share = worked / shift if shift > 0 else None
        used = RouteFact(frame.day, route.vehicle, _share(plan_route.load, vehicle), time_share)
    return facts, used


def _own_order(
    frame: DayFrame,
    route: RouteStatus,
    stop: StopStatus,
    order: str,
    last: tuple[LiveKind, datetime, str | None] | None,
    cost: float,
) -> OrderFact:
    outcome, reason, late, from_departure, cold_ok = Outcome.OPEN, None, None, None, None
    cold = order in frame.cold_orders
    if last is not None and last[0] is LiveKind.FAILED:
        outcome, reason = Outcome.FAILED, last[2]
    elif last is not None:
        outcome = Outcome.DELIVERED
        late = stop.predicted_late_minutes if stop.actual_arrival is not None else None
        if route.departed_at is not None:
            from_departure = _minutes(route.departed_at, last[1])
        if cold and stop.actual_arrival is not None and stop.predicted_cold_minutes is not None:
            limit = stop.cold_limit_minutes
            cold_ok = limit is None or stop.predicted_cold_minutes <= limit
    return OrderFact(
        day=frame.day, order=order, platform=frame.platform_of.get(order, ""),
        region=frame.region_of.get(order, UNASSIGNED), carrier=OWN, vehicle=route.vehicle,
        outcome=outcome, reason=reason, late_minutes=late, minutes_from_departure=from_departure,
        cold=cold, cold_ok=cold_ok, cost=cost,
    )  # fmt: skip


def _carrier_orders(
    frame: DayFrame, events: Sequence[CarrierEvent], skip: frozenset[str]
) -> list[OrderFact]:
    ordered = sorted(events, key=carrier_order)
    facts = []
    for work in frame.live.plan.outsourced:
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
                over = 0.0 if end is None else frame.live.minutes(e.at) - end
                late = max(0, math.ceil(over - 1e-9))
                if order in picked:
                    from_departure = _minutes(picked[order], e.at)
            facts.append(
                OrderFact(
                    day=frame.day, order=order, platform=frame.platform_of.get(order, ""),
                    region=work.region, carrier=work.carrier, vehicle=work.carrier,
                    outcome=outcome, reason=reason, late_minutes=late,
                    minutes_from_departure=from_departure, cold=order in frame.cold_orders,
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
    status = status_of(frame.live, road, carriers, frame.live.origin)
    by_vehicle: dict[str, list[RoadEvent]] = {}
    for e in road:
        by_vehicle.setdefault(e.vehicle, []).append(e)
    orders: list[OrderFact] = []
    routes: list[RouteFact] = []
    for route in status.routes:
        facts, used = _own_orders(frame, route, by_vehicle.get(route.vehicle, []), skipped)
        orders += facts
        if used is not None:
            routes.append(used)
    orders += _carrier_orders(frame, carriers, skipped)
    for u in frame.live.plan.unserved:
        if u.order not in skipped:
            orders.append(
                OrderFact(
                    day=frame.day, order=u.order, platform=frame.platform_of.get(u.order, ""),
                    region=frame.region_of.get(u.order, UNASSIGNED), carrier=NONE, vehicle=NONE,
                    outcome=Outcome.UNSERVED, reason=u.code or u.reason,
                    cold=u.order in frame.cold_orders,
                )
            )  # fmt: skip
    return DayFacts(tuple(orders), tuple(routes), notice_facts(frame.day, notices))
