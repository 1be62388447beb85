"""Each counted order's outcome, each departed route's use and each notice sent, for one day.

Pure functions of a plan prepared once (:func:`~dispatch.kpis.frame.frame_of`) and the day's
events and notices (:func:`day_facts`). Events are read by the live status's rules
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
from datetime import date, datetime

from dispatch.kpis.facts import NONE, OWN, DayFacts, NoticeFact, OrderFact, Outcome, RouteFact
from dispatch.kpis.frame import DayFrame, RouteFrame, StopFrame, frame_of
from dispatch.live.predict import carrier_order, road_order, stop_sequence
from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent
from dispatch.sourcing.order_regions import UNASSIGNED

__all__ = ["DayFrame", "SentNotice", "day_facts", "frame_of", "notice_facts"]

_AMBIENT = frozenset({"ambient"})


@dataclass(frozen=True, slots=True)
class SentNotice:
    """A notice as the KPIs read it: its subject, its order (or a stop's first order), when
    it was sent, and the amount it promised."""

    id: int
    subject: str
    order: str | None
    sent_at: datetime | None
    compensation: float | None = None


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
    sequence = stop_sequence(stop_orders)
    for e in sorted(events, key=lambda e: road_order(e, sequence)):
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


def _cold_ok(frame: DayFrame, route: RouteFrame, visit: StopFrame, arrival: float | None,
             departed: datetime | None) -> bool | None:  # fmt: skip
    """Whether the stop's cold goods were served within the vehicle's limit, counted from
    the real departure (else the planned one) to the start of service at the real arrival;
    None when the stop has no cold goods or was not reached."""
    if not visit.cold or arrival is None:
        return None
    left = frame.minutes(departed) if departed is not None else route.leaves
    age = round(_start_of_service(visit.windows, arrival) - left)
    return visit.cold_limit is None or age <= visit.cold_limit


def _late(visit: StopFrame, arrival: float) -> int:
    """Whole minutes (rounded up) past the stop's last window end."""
    end = max((b for _, b in visit.windows), default=None)
    return 0 if end is None else max(0, math.ceil(arrival - end - 1e-9))


def _own_orders(
    frame: DayFrame, route: RouteFrame, events: Sequence[RoadEvent], skip: frozenset[str]
) -> tuple[list[OrderFact], RouteFact | None]:
    w = _walk(events, {s.stop: s.orders for s in route.stops})
    n = sum(len(s.orders) for s in route.stops)
    share = route.cost / n if w.last is not None and route.cost is not None and n else 0.0
    facts = []
    for visit in route.stops:
        actual = w.arrived.get(visit.stop) or w.served.get(visit.stop)
        arrival = None if actual is None else frame.minutes(actual)
        cold_ok = _cold_ok(frame, route, visit, arrival, w.departed)
        late_here = None if arrival is None else _late(visit, arrival)
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
                late = late_here
                if w.departed is not None:
                    from_departure = _minutes(w.departed, ended[1])
                ok = cold_ok if cold else None
            facts.append(
                OrderFact(
                    frame.day, order, frame.platform_of.get(order, ""),
                    frame.region_of.get(order, UNASSIGNED), OWN, route.vehicle, outcome, reason,
                    late, from_departure, cold, ok, share,
                )
            )  # fmt: skip
    used = None
    if w.departed is not None:
        shift = route.shift_minutes
        time_share = None
        if shift is not None and w.last is not None:
            worked = max(0.0, _minutes(w.departed, w.last))
            time_share = worked / shift if shift > 0 else None
        used = RouteFact(frame.day, route.vehicle, route.load_share, time_share)
    return facts, used


def _is_cold(frame: DayFrame, order: str) -> bool:
    return not frame.temps_of.get(order, _AMBIENT) <= _AMBIENT


def _carrier_orders(
    frame: DayFrame, events: Sequence[CarrierEvent], skip: frozenset[str]
) -> list[OrderFact]:
    ordered = sorted(events, key=carrier_order)
    facts = []
    for work in frame.outsourced:
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
    for route in frame.routes:
        facts, used = _own_orders(frame, route, by_vehicle.get(route.vehicle, []), skipped)
        orders += facts
        if used is not None:
            routes.append(used)
    orders += _carrier_orders(frame, carriers, skipped)
    for order, reason in frame.unserved:
        if order not in skipped:
            orders.append(
                OrderFact(
                    day=frame.day, order=order, platform=frame.platform_of.get(order, ""),
                    region=frame.region_of.get(order, UNASSIGNED), carrier=NONE, vehicle=NONE,
                    outcome=Outcome.UNSERVED, reason=reason, cold=_is_cold(frame, order),
                )
            )  # fmt: skip
    return DayFacts(tuple(orders), tuple(routes), notice_facts(frame.day, notices))
