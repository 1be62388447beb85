"""Predicted arrivals: where each route, stop and order stands after the events so far.

Pure functions of the plan, its request and the events: :func:`day_status` (or
:func:`~dispatch.live.live_day.prepare_day` once per plan, then :func:`status_of` per set of
events).

Events are taken in ``at`` order (ties by the stop's place in the route, then kind, then
event id), so the order they arrived in does not matter. After the last event of a route the
rest of it is recomputed from that event's time and place:

- ``departed``: from the depot at that time; ``position``: from that point; ``arrived``:
  service at that stop (waiting for its window) then on; ``delivered``/``failed``: from that
  stop at that time (the stop is served, fully or partly);
- the stops not yet served follow in planned order; a leg the plan drives (the depot to its
  first stop, one stop to the next) takes the plan's own time, any other leg (from a free
  position, or to a stop out of planned order) the request's travel model: the given matrix,
  euclidean, or great-circle × circuity at ``speed_kmh`` (for ``road`` and ``osrm`` too: the
  status never loads a road graph or calls a server), over the vehicle's speed factor;
- service takes the plan's service time; a stop reached before a window opens waits for it.

Without any event a route's predictions are the plan's times. Lateness is past the stop's
last window end (rounded up to the minute); cold-chain age is from the real departure (a
``departed`` event) or else the planned one (start plus loading) to the start of service, for
stops with chilled or frozen goods, against the vehicle's ``max_cold_minutes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dispatch.intake.request import Location, Request
from dispatch.live.live_day import LiveDay, LiveRoute, LiveStop, Place, prepare_day
from dispatch.live.status import (
    CarrierEvent,
    CarrierKind,
    DayStatus,
    LiveKind,
    OrderState,
    OrderStatus,
    Position,
    RoadEvent,
    RouteStatus,
    StopState,
    StopStatus,
)
from dispatch.planning.plan import Plan

_RANK = {
    LiveKind.DEPARTED: 0,
    LiveKind.POSITION: 1,
    LiveKind.ARRIVED: 2,
    LiveKind.DELIVERED: 3,
    LiveKind.FAILED: 4,
}
_CARRIER_RANK = {CarrierKind.PICKED_UP: 0, CarrierKind.DELIVERED: 1, CarrierKind.FAILED: 2}
_DONE = (StopState.DELIVERED, StopState.PARTLY_DELIVERED, StopState.FAILED)


def road_order(
    event: RoadEvent, sequence: Mapping[str, int] | None = None
) -> tuple[datetime, int, int, str]:
    """The order events are applied in: ``at``, then the stop's place in the route's
    ``sequence`` (the depot and free positions first), then kind, then event id. Events of
    one minute thus follow the route: a stop delivered comes before the next one reached."""
    place = -1
    if event.stop is not None and sequence is not None:
        place = sequence.get(event.stop, len(sequence))
    return event.at, place, _RANK[event.kind], event.event_id


def stop_sequence(stops: Iterable[str]) -> dict[str, int]:
    """Each stop's place in its route, for :func:`road_order`."""
    return {stop: k for k, stop in enumerate(stops)}


def carrier_order(event: CarrierEvent) -> tuple[datetime, int, str]:
    return event.at, _CARRIER_RANK[event.kind], event.event_id


@dataclass
class _Walk:
    """Where a route stands while its events are applied in order."""

    departed_at: datetime | None = None
    anchor_at: datetime | None = None
    anchor_place: Place | None = None
    anchor_stop: int | None = None
    """The stop of the anchor: -1 the depot, None a free position."""
    in_service: bool = False
    arrived: dict[str, datetime] = field(default_factory=dict)
    served_at: dict[str, datetime] = field(default_factory=dict)
    last_kind: dict[str, tuple[LiveKind, str | None]] = field(default_factory=dict)
    position: Position | None = None
    last_event: RoadEvent | None = None


def _walk(day: LiveDay, lr: LiveRoute, events: Sequence[RoadEvent]) -> _Walk:
    w = _Walk()
    index = {s.visit.stop: k for k, s in enumerate(lr.stops)}
    free: tuple[float, float] | None = None
    for e in events:
        w.last_event = e
        k = index.get(e.stop) if e.stop is not None else None
        place: Place | None = None
        if e.kind is LiveKind.DEPARTED:
            w.departed_at = w.departed_at or e.at
            w.anchor_stop, w.in_service, place = -1, False, lr.depot
        elif e.kind is LiveKind.POSITION and e.lat is not None and e.lon is not None:
            w.anchor_stop, w.in_service = None, False
            w.anchor_at, w.anchor_place, free = e.at, None, (e.lat, e.lon)
            w.position = Position(e.lat, e.lon, e.at)
            continue
        elif k is not None:
            stop = lr.stops[k]
            place = stop.place
            w.anchor_stop = k
            if e.kind is LiveKind.ARRIVED:
                w.arrived.setdefault(stop.visit.stop, e.at)
                w.in_service = True
            else:
                w.served_at.setdefault(stop.visit.stop, e.at)
                w.in_service = False
                for order in e.orders or stop.visit.orders:
                    w.last_kind[order] = (e.kind, e.reason)
        if place is None:
            continue
        w.anchor_at, w.anchor_place, free = e.at, place, None
        where = (e.lat, e.lon) if e.lat is not None and e.lon is not None else None
        if where is None and place.location is not None:
            where = place.location.lat_lon()
        if where is not None:
            w.position = Position(where[0], where[1], e.at)
    if free is not None:
        w.anchor_place = Place(Location(lat=free[0], lon=free[1]))
    return w


def _stop_state(stop: LiveStop, w: _Walk) -> tuple[StopState, tuple[str, ...], tuple[str, ...]]:
    orders = stop.visit.orders
    delivered = tuple(o for o in orders if w.last_kind.get(o, (None,))[0] is LiveKind.DELIVERED)
    failed = tuple(o for o in orders if w.last_kind.get(o, (None,))[0] is LiveKind.FAILED)
    if delivered and len(delivered) == len(orders):
        state = StopState.DELIVERED
    elif delivered:
        state = StopState.PARTLY_DELIVERED
    elif failed or stop.visit.stop in w.served_at:
        state = StopState.FAILED if failed else StopState.PARTLY_DELIVERED
    elif stop.visit.stop in w.arrived:
        state = StopState.ARRIVED
    else:
        state = StopState.PLANNED
    return state, delivered, failed


def _route_status(
    day: LiveDay, lr: LiveRoute, events: Sequence[RoadEvent]
) -> tuple[RouteStatus, dict[str, tuple[OrderState, str | None]]]:
    w = _walk(day, lr, events)
    cold_start = day.minutes(w.departed_at) if w.departed_at else lr.departure
    speed = lr.speed_factor
    states = [_stop_state(s, w) for s in lr.stops]
    out: list[StopStatus | None] = [None] * len(lr.stops)

    def drive(frm: Place, frm_stop: int | None, to: int) -> float:
        if frm_stop is not None and to == frm_stop + 1:
            return lr.plan_leg(frm_stop, to)
        minutes = day.travel.minutes(frm, lr.stops[to].place)
        if minutes is None:
            return lr.plan_leg(to - 1, to)
        return minutes / speed

    def status(
        k: int, actual: datetime | None, arrival: float, predicted: bool, reason: str | None
    ) -> StopStatus:
        stop = lr.stops[k]
        state, delivered, failed = states[k]
        start = stop.start_of_service(arrival)
        end = stop.last_end
        return StopStatus(
            stop=stop.visit.stop,
            orders=stop.visit.orders,
            state=state,
            planned_arrival=day.time(stop.arrival),
            actual_arrival=actual,
            predicted_arrival=day.time(arrival) if predicted else None,
            predicted_late_minutes=stop.late(arrival),
            predicted_cold_minutes=round(start - cold_start) if stop.cold else None,
            cold_limit_minutes=None if stop.cold_limit is None else round(stop.cold_limit),
            window_end=None if end is None else day.time(end),
            delivered_orders=delivered,
            failed_orders=failed,
            reason=reason,
        )

    reasons = {o: r for o, (kind, r) in w.last_kind.items() if kind is LiveKind.FAILED and r}
    for k, stop in enumerate(lr.stops):
        name = stop.visit.stop
        reason = next((reasons[o] for o in stop.visit.orders if o in reasons), None)
        actual = w.arrived.get(name) or w.served_at.get(name)
        if states[k][0] in _DONE and actual is not None:
            out[k] = status(k, actual, day.minutes(actual), False, reason)

    t, place = lr.departure, lr.depot
    at_stop: int | None = -1
    if w.anchor_at is not None and w.anchor_place is not None:
        t, place, at_stop = day.minutes(w.anchor_at), w.anchor_place, w.anchor_stop
    remaining = [k for k in range(len(lr.stops)) if out[k] is None]
    if w.in_service and at_stop is not None and at_stop in remaining:
        k = at_stop
        actual = w.arrived[lr.stops[k].visit.stop]
        arrival = day.minutes(actual)
        out[k] = status(k, actual, arrival, False, None)
        t = max(t, lr.stops[k].start_of_service(arrival) + lr.stops[k].service)
        place = lr.stops[k].place
        remaining.remove(k)
    for k in remaining:
        stop = lr.stops[k]
        arrival = t + drive(place, at_stop, k)
        actual = w.arrived.get(stop.visit.stop)
        out[k] = status(k, actual, arrival, actual is None, None)
        t = stop.start_of_service(arrival) + stop.service
        place, at_stop = stop.place, k
    last = len(lr.stops) - 1
    if at_stop is not None and at_stop == last:
        back = float(lr.route.end - lr.route.stops[last].departure) if lr.route.stops else 0.0
    else:
        measured = day.travel.minutes(place, lr.end_depot)
        back = 0.0 if measured is None else measured / speed
    end = t + max(back, 0.0)
    orders: dict[str, tuple[OrderState, str | None]] = {}
    moving = w.last_event is not None
    for stop in lr.stops:
        for order in stop.visit.orders:
            kind, reason = w.last_kind.get(order, (None, None))
            if kind is LiveKind.DELIVERED:
                orders[order] = (OrderState.DELIVERED, None)
            elif kind is LiveKind.FAILED:
                orders[order] = (OrderState.FAILED, reason)
            else:
                orders[order] = (
                    OrderState.OUT_FOR_DELIVERY if moving else OrderState.PLANNED,
                    None,
                )
    stops = tuple(s for s in out if s is not None)
    route = RouteStatus(
        vehicle=lr.route.vehicle,
        departed_at=w.departed_at,
        last_event=w.last_event,
        position=w.position,
        stops=stops,
        predicted_end=day.time(end),
    )
    return route, orders


def route_status(
    day: LiveDay, vehicle: str, events: Iterable[RoadEvent]
) -> tuple[RouteStatus, tuple[OrderStatus, ...]]:
    """One route after its own events (any order; other vehicles' are ignored), and the
    status of its orders."""
    lr = next(r for r in day.routes if r.route.vehicle == vehicle)
    sequence = stop_sequence(s.visit.stop for s in lr.stops)
    mine = sorted(
        (e for e in events if e.vehicle == vehicle), key=lambda e: road_order(e, sequence)
    )
    route, states = _route_status(day, lr, mine)
    orders = []
    for stop in route.stops:
        for order in stop.orders:
            state, reason = states[order]
            orders.append(
                OrderStatus(
                    order=order, state=state, stop=stop.stop, vehicle=route.vehicle,
                    region=day.region_of.get(order), reason=reason,
                    predicted_arrival=stop.predicted_arrival,
                    predicted_late_minutes=stop.predicted_late_minutes,
                )
            )  # fmt: skip
    return route, tuple(orders)


def carrier_orders(day: LiveDay, events: Iterable[CarrierEvent]) -> tuple[OrderStatus, ...]:
    """The outsourced orders after the carriers' events (only the plan's carrier counts)."""
    latest = {c.order: c for c in sorted(events, key=carrier_order)}
    orders = []
    for work in day.plan.outsourced:
        for order in work.orders:
            c = latest.get(order)
            state, reason = OrderState.OUTSOURCED, None
            if c is not None and c.carrier == work.carrier:
                if c.kind is CarrierKind.DELIVERED:
                    state = OrderState.CARRIER_DELIVERED
                elif c.kind is CarrierKind.FAILED:
                    state, reason = OrderState.FAILED, c.reason
            orders.append(
                OrderStatus(
                    order=order, state=state, carrier=work.carrier, region=work.region,
                    reason=reason,
                )
            )  # fmt: skip
    return tuple(orders)


def unserved_orders(day: LiveDay) -> tuple[OrderStatus, ...]:
    """The orders the plan could not serve, each with its reason code (or reason)."""
    return tuple(
        OrderStatus(order=u.order, state=OrderState.UNSERVED, reason=u.code or u.reason)
        for u in day.plan.unserved
    )


def status_of(
    day: LiveDay,
    road_events: Iterable[RoadEvent],
    carrier_events: Iterable[CarrierEvent],
    now: datetime,
) -> DayStatus:
    """Where the prepared day stands after these events, as of ``now``."""
    by_vehicle: dict[str, list[RoadEvent]] = {}
    for e in road_events:
        by_vehicle.setdefault(e.vehicle, []).append(e)
    routes = []
    orders: list[OrderStatus] = []
    for lr in day.routes:
        vehicle = lr.route.vehicle
        route, route_orders = route_status(day, vehicle, by_vehicle.get(vehicle, ()))
        routes.append(route)
        orders += route_orders
    orders += carrier_orders(day, carrier_events)
    orders += unserved_orders(day)
    return DayStatus(day.plan_id, now, tuple(routes), tuple(orders))


def day_status(
    plan: Plan,
    request_doc: Mapping[str, Any] | Request | None,
    road_events: Iterable[RoadEvent],
    carrier_events: Iterable[CarrierEvent],
    now: datetime,
    *,
    plan_id: int = 0,
) -> DayStatus:
    """Where ``plan`` stands after these events, as of ``now`` (see the module's rules)."""
    return status_of(
        prepare_day(plan, request_doc, plan_id=plan_id), road_events, carrier_events, now
    )
