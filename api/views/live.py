"""The live day as JSON: events, and a plan's status computed once per change of its events.

A plan never changes once stored, so its document and its prepared routes
(:class:`~dispatch.live.live_day.LiveDay`) are kept by plan id. The status is kept in parts:
each route's (with its orders) by the route's events version, the outsourced orders by the
day's carrier events version. An event recomputes only its own route; a status request joins
the parts, so it costs two small queries and no prediction once the parts are warm.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.views.cache import Kept
from dispatch.live.live_day import LiveDay, prepare_day
from dispatch.live.predict import carrier_orders, route_status, unserved_orders
from dispatch.live.status import (
    CarrierEvent,
    DayStatus,
    OrderStatus,
    RoadEvent,
    RouteStatus,
    StopStatus,
)
from dispatch.live.watch import PlanFacts, plan_facts
from dispatch.store import (
    KeptRules,
    carrier_events,
    carrier_version,
    get_plan,
    plan_document,
    read_plan_document,
    road_events,
    route_version,
    route_versions,
)
from dispatch.store.link_targets import LinkTargets


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _iso(at: datetime | None, zone: ZoneInfo) -> str | None:
    return None if at is None else at.astimezone(zone).isoformat()


def event_json(
    event: RoadEvent, zone: ZoneInfo, *, row_id: int | None = None, plan_id: int | None = None
) -> dict[str, Any]:
    """A driver's event as the API shows it, its times in the plan's zone."""
    photo = None
    if event.photo and row_id is not None and plan_id is not None:
        photo = f"/plans/{plan_id}/events/{row_id}/photo"
    body: dict[str, Any] = {"id": row_id} if row_id is not None else {}
    body.update(
        source="driver",
        event_id=event.event_id,
        vehicle=event.vehicle,
        kind=event.kind.value,
        stop=event.stop,
        orders=list(event.orders),
        at=_iso(event.at, zone),
        time=event.at.astimezone(zone).strftime("%H:%M"),
        received_at=_iso(event.received_at, zone),
        reason=event.reason,
        note=event.note,
        recipient=event.recipient,
        lat=event.lat,
        lon=event.lon,
        photo=photo,
    )
    return body


def carrier_event_json(event: CarrierEvent, zone: ZoneInfo, *, row_id: int) -> dict[str, Any]:
    """A carrier's event as the plan's events show it, beside the drivers'."""
    return {
        "id": row_id, "source": "carrier", "event_id": event.event_id, "vehicle": None,
        "carrier": event.carrier, "kind": event.kind.value, "stop": None,
        "orders": [event.order], "at": _iso(event.at, zone),
        "time": event.at.astimezone(zone).strftime("%H:%M"),
        "received_at": _iso(event.received_at, zone), "reason": event.reason, "note": None,
        "recipient": None, "lat": None, "lon": None, "photo": None,
    }  # fmt: skip


def _stop_json(s: StopStatus, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "stop": s.stop,
        "state": s.state.value,
        "orders": list(s.orders),
        "planned_arrival": _iso(s.planned_arrival, zone),
        "actual_arrival": _iso(s.actual_arrival, zone),
        "predicted_arrival": _iso(s.predicted_arrival, zone),
        "predicted_late_minutes": s.predicted_late_minutes,
        "predicted_cold_minutes": s.predicted_cold_minutes,
        "cold_limit_minutes": s.cold_limit_minutes,
        "window_end": _iso(s.window_end, zone),
        "delivered_orders": list(s.delivered_orders),
        "failed_orders": list(s.failed_orders),
        "reason": s.reason,
    }


def route_json(route: RouteStatus, zone: ZoneInfo) -> dict[str, Any]:
    position = route.position
    return {
        "vehicle": route.vehicle,
        "departed_at": _iso(route.departed_at, zone),
        "last_event": None if route.last_event is None else event_json(route.last_event, zone),
        "position": None
        if position is None
        else {"lat": position.lat, "lon": position.lon, "at": _iso(position.at, zone)},
        "predicted_end": _iso(route.predicted_end, zone),
        "stops": [_stop_json(s, zone) for s in route.stops],
    }


def order_json(o: OrderStatus, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "order": o.order,
        "state": o.state.value,
        "stop": o.stop,
        "vehicle": o.vehicle,
        "carrier": o.carrier,
        "region": o.region,
        "reason": o.reason,
        "predicted_arrival": _iso(o.predicted_arrival, zone),
        "predicted_late_minutes": o.predicted_late_minutes,
    }


def _items(orders: Sequence[OrderStatus], zone: ZoneInfo) -> bytes:
    """The orders as JSON array items, without the brackets."""
    return _dumps([order_json(o, zone) for o in orders])[1:-1]


@dataclass(frozen=True, slots=True)
class RoutePart:
    """One route's status and its orders' after ``events``; their JSON is written on first
    use (a status request), not by the event that made the part."""

    route: RouteStatus
    orders: tuple[OrderStatus, ...]
    events: tuple[tuple[int, RoadEvent], ...]
    zone: ZoneInfo
    version: tuple[int, int]
    """The events' count and highest row id."""
    _json: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @property
    def route_json(self) -> bytes:
        return self._encoded()[0]

    @property
    def orders_json(self) -> bytes:
        return self._encoded()[1]

    def _encoded(self) -> list[bytes]:
        if not self._json:
            encoded = [_dumps(route_json(self.route, self.zone)), _items(self.orders, self.zone)]
            self._json[:] = encoded
            return encoded
        return self._json


@dataclass(frozen=True, slots=True)
class OrdersPart:
    orders: tuple[OrderStatus, ...]
    orders_json: bytes


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """A plan's status and the kept parts it was joined from."""

    status: DayStatus
    zone: ZoneInfo
    parts: tuple[RoutePart, ...]
    others: tuple[OrdersPart, ...]

    @property
    def body(self) -> bytes:
        """The status as JSON (``GET /plans/{id}/status``)."""
        head = _dumps({"plan_id": self.status.plan_id, "as_of": _iso(self.status.as_of, self.zone)})
        routes = b",".join(p.route_json for p in self.parts)
        order_items = [p.orders_json for p in self.parts] + [o.orders_json for o in self.others]
        orders_json = b",".join(x for x in order_items if x)
        return head[:-1] + b',"routes":[' + routes + b'],"orders":[' + orders_json + b"]}"


_NO_EVENTS = (0, 0)


class LiveViews:
    """The app's plan documents, prepared days and status parts."""

    def __init__(self, *, plans: int = 32, routes: int = 2048, versions: int = 256) -> None:
        self.documents: Kept[int, bytes] = Kept(plans)
        self.days: Kept[int, LiveDay] = Kept(plans)
        self.routes: Kept[tuple[int, str, tuple[int, int]], RoutePart] = Kept(versions)
        """Recent versions of the routes, for readers a version behind the latest."""
        self.latest: Kept[tuple[int, str], RoutePart] = Kept(routes)
        self.carriers: Kept[tuple[int, tuple[int, int]], OrdersPart] = Kept(plans * 4)
        self.unserved: Kept[int, OrdersPart] = Kept(plans)
        self.plan_facts: Kept[int, PlanFacts] = Kept(plans)
        self.links = LinkTargets()
        self.rules = KeptRules()

    def facts(self, session: Session, plan_id: int) -> PlanFacts:
        """What the alert rules and notices need of the plan, read once."""
        kept = self.plan_facts.get(plan_id)
        if kept is None:
            kept = self.plan_facts.put(plan_id, plan_facts(session, plan_id))
        return kept

    def document(self, session: Session, plan_id: int) -> bytes:
        """The stored plan JSON (NotFoundError when there is none)."""
        kept = self.documents.get(plan_id)
        if kept is None:
            kept = self.documents.put(plan_id, plan_document(session, plan_id).encode("utf-8"))
        return kept

    def day(self, session: Session, plan_id: int) -> LiveDay:
        """The plan's prepared routes (NotFoundError when there is no such plan)."""
        kept = self.days.get(plan_id)
        if kept is None:
            record = get_plan(session, plan_id)
            plan = read_plan_document(record.document)
            kept = self.days.put(plan_id, prepare_day(plan, record.job.request, plan_id=plan_id))
        return kept

    def route(
        self,
        session: Session,
        day: LiveDay,
        vehicle: str,
        version: tuple[int, int] | None = None,
        *,
        added: tuple[int, RoadEvent] | None = None,
    ) -> RoutePart:
        """The route's status after its stored events (recomputed when they changed).

        Events are only ever added, so the route's last part is brought up to date with the
        rows after its highest row id: ``added`` (the row just stored) when it is the one
        row the part lacks, else read; when the count then disagrees (a row committed late
        with a lower id), all of the route's events are read again.
        """
        if version is not None:
            kept = self.routes.get((day.plan_id, vehicle, version))
            if kept is not None:
                return kept
            total = version
        else:
            total = route_version(session, day.plan_id, vehicle)
            kept = self.routes.get((day.plan_id, vehicle, total))
            if kept is not None:
                return kept
        last = self.latest.get((day.plan_id, vehicle))
        if last is not None and last.version == total:
            return self.routes.put((day.plan_id, vehicle, total), last)
        known = last.events if last is not None else ()
        after = last.version[1] if last is not None else 0
        if added is not None and added[0] == total[1] > after and len(known) + 1 == total[0]:
            rows = (*known, added)
        else:
            rows = (*known, *road_events(session, day.plan_id, vehicle=vehicle, after=after))
        if len(rows) != total[0]:
            rows = tuple(road_events(session, day.plan_id, vehicle=vehicle))
        route, orders = route_status(day, vehicle, [event for _, event in rows])
        top = max((row for row, _ in rows), default=0)
        part = RoutePart(route, orders, rows, day.zone, (len(rows), top))
        self.latest.put((day.plan_id, vehicle), part)
        return self.routes.put((day.plan_id, vehicle, part.version), part)

    def status(
        self,
        session: Session,
        plan_id: int,
        now: datetime,
        *,
        added: tuple[str, int, RoadEvent] | None = None,
    ) -> LiveStatus:
        """The plan's status as of ``now``, from kept parts where its events are unchanged;
        ``added`` is a driver's event just stored (vehicle, row id, event), which spares
        reading it back."""
        day = self.day(session, plan_id)
        versions = route_versions(session, plan_id)
        parts = []
        for r in day.routes:
            vehicle = r.route.vehicle
            new = added[1:] if added is not None and added[0] == vehicle else None
            parts.append(
                self.route(session, day, vehicle, versions.get(vehicle, _NO_EVENTS), added=new)
            )
        carriers = self._carriers(session, day)
        unserved = self.unserved.get(plan_id)
        if unserved is None:
            left = unserved_orders(day)
            unserved = self.unserved.put(plan_id, OrdersPart(left, _items(left, day.zone)))
        orders = [o for p in parts for o in p.orders]
        orders += carriers.orders
        orders += unserved.orders
        status = DayStatus(plan_id, now, tuple(p.route for p in parts), tuple(orders))
        return LiveStatus(status, day.zone, tuple(parts), (carriers, unserved))

    def _carriers(self, session: Session, day: LiveDay) -> OrdersPart:
        if not day.plan.outsourced or day.plan.date is None:
            return OrdersPart((), b"")
        version = carrier_version(session, day.plan.date)
        kept = self.carriers.get((day.plan_id, version))
        if kept is None:
            orders = carrier_orders(day, carrier_events(session, day.plan.date))
            kept = self.carriers.put(
                (day.plan_id, version), OrdersPart(orders, _items(orders, day.zone))
            )
        return kept
