"""A day on the road made up from a plan: the events its drivers and carriers would send.

:func:`simulate_day` walks every route of a prepared plan in its planned order with a seeded
delay per leg, and gives the timeline of events as the service receives them: each with the
time it happened (``at``) and the time it reaches the service (``sent_at``, later than ``at``
while a phone is offline). Incidents are given by name: a route that goes silent (its events
queued until it is back), stops that fail, stops held up (a jam before a cold stop). The
bodies are the JSON of ``POST /d/{token}/events`` and ``POST /carriers/{id}/events``.

It is a pure function of its arguments (the same seed gives the same day), for replaying a
day in tests, benchmarks and scenario runs. With ``since`` it takes up a re-planned version
at that time, so a day is driven on each version in turn.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dispatch.live.live_day import LiveDay, LiveRoute
from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent


@dataclass(frozen=True, slots=True)
class Delays:
    """Whole minutes added to the plan: to each route's departure, and to each leg's drive,
    drawn uniformly from ``0..max`` with ``seed``."""

    seed: int = 0
    departure_max: int = 10
    leg_max: int = 8


@dataclass(frozen=True, slots=True)
class Incidents:
    """What goes wrong on the day.

    ``silent``: vehicle → (the stop after whose delivery its phone goes offline, minutes
    offline); the events of that time reach the service when it is back, in ``at`` order.
    ``failed``: (vehicle, stop) → the failure reason (all the stop's orders fail).
    ``held``: (vehicle, stop) → minutes of extra delay on the drive to that stop.
    """

    silent: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    failed: Mapping[tuple[str, str], str] = field(default_factory=dict)
    held: Mapping[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Carriers:
    """Carriers pick their orders up at ``pickup`` and deliver each at a seeded minute of
    ``deliver_from``..``deliver_to`` (minutes after midnight of the plan day)."""

    pickup: int = 10 * 60
    deliver_from: int = 12 * 60
    deliver_to: int = 18 * 60


@dataclass(frozen=True, slots=True)
class SimEvent:
    """One event of the day: who sends it, when it happened, when it arrives, its body."""

    at: datetime
    sent_at: datetime
    body: Mapping[str, Any]
    vehicle: str | None = None
    carrier: str | None = None

    @property
    def kind(self) -> str:
        return str(self.body["kind"])


def event_id(*parts: object) -> str:
    """An ``event_id`` from its parts, in the characters the API accepts."""
    return re.sub(r"[^A-Za-z0-9._:~-]", ".", "-".join(str(p) for p in parts))


def _route_events(
    day: LiveDay, lr: LiveRoute, rng: random.Random, delays: Delays, incidents: Incidents,
    since: float | None,
) -> list[SimEvent]:  # fmt: skip
    vehicle = lr.route.vehicle
    events: list[SimEvent] = []

    def add(minutes: float, body: dict[str, Any]) -> None:
        at = day.time(minutes)
        events.append(SimEvent(at, at, {"at": at.isoformat(), **body}, vehicle=vehicle))

    def place(k: int) -> dict[str, float]:
        location = lr.stops[k].place.location if k >= 0 else lr.depot.location
        point = location.lat_lon() if location is not None else None
        return {} if point is None else {"lat": point[0], "lon": point[1]}

    done = sum(1 for s in lr.stops if s.visit.done is not None)
    if since is not None and (done or lr.departure <= since):
        t = max(float(lr.route.stops[done - 1].departure) if done else lr.departure, since)
    else:
        t = lr.departure + rng.randint(0, delays.departure_max)
        add(t, {"event_id": event_id(vehicle, "departed"), "kind": "departed", **place(-1)})
    for k, stop in enumerate(lr.stops[done:], start=done):
        name = stop.visit.stop
        drive = lr.plan_leg(k - 1, k) + rng.randint(0, delays.leg_max)
        arrival = t + drive + incidents.held.get((vehicle, name), 0)
        add(arrival, {"event_id": event_id(vehicle, name, "arrived"), "kind": "arrived",
                      "stop": name, **place(k)})  # fmt: skip
        t = stop.start_of_service(arrival) + stop.service
        reason = incidents.failed.get((vehicle, name))
        if reason is not None:
            body = {"kind": "failed", "reason": reason}
        else:
            body = {"kind": "delivered", "recipient": f"{name} 收件人"}
        kind = body["kind"]
        add(t, {"event_id": event_id(vehicle, name, kind), "stop": name, **place(k), **body})
    silent = incidents.silent.get(vehicle)
    if silent is None:
        return events
    after, minutes = silent
    offline = next(
        (e.at for e in events if e.body.get("stop") == after and e.kind in ("delivered", "failed")),
        None,
    )
    if offline is None:
        return events
    back = day.time(day.minutes(offline) + minutes)
    return [
        SimEvent(e.at, back, e.body, vehicle=vehicle) if offline < e.at <= back else e
        for e in events
    ]


def _carrier_events(
    day: LiveDay, rng: random.Random, carriers: Carriers, since: float | None
) -> list[SimEvent]:
    events = []
    after = -1 if since is None else math.floor(since) + 1
    pickup = max(carriers.pickup, after)
    first = max(carriers.deliver_from, pickup)
    for work in day.plan.outsourced:
        for order in work.orders:
            for kind, minutes in (
                ("picked_up", pickup),
                ("delivered", rng.randint(first, max(carriers.deliver_to, first))),
            ):
                at = day.time(minutes)
                body = {"event_id": event_id(work.carrier, order, kind), "kind": kind,
                        "order": order, "at": at.isoformat()}  # fmt: skip
                events.append(SimEvent(at, at, body, carrier=work.carrier))
    return events


def simulate_day(
    day: LiveDay,
    delays: Delays | None = None,
    incidents: Incidents | None = None,
    carriers: Carriers | None = None,
    *,
    since: datetime | None = None,
) -> list[SimEvent]:
    """Every event of the day, in the order the service receives them (``sent_at``, then
    ``at``): each route departs, then arrives at and delivers (or fails) each stop in planned
    order; the carriers pick up and deliver their orders.

    With ``since`` (a re-planned version taken up at that time) only events after it are
    given: stops marked done send nothing, a route that had left goes on from its last done
    stop (no earlier than ``since``), carriers pick up after it. A fact the day already
    reported (the same ``event_id``, e.g. the arrival at the stop a van was at) may come
    again with a later time; a replay drops it, as a phone sends each fact once."""
    delays, incidents = delays or Delays(), incidents or Incidents()
    rng = random.Random(delays.seed)
    after = None if since is None else day.minutes(since)
    events: list[SimEvent] = []
    for lr in day.routes:
        if any(s.visit.done is None for s in lr.stops):
            events += _route_events(day, lr, rng, delays, incidents, after)
    events += _carrier_events(day, rng, carriers or Carriers(), after)
    if since is not None:
        events = [e for e in events if e.at > since]
    return sorted(events, key=lambda e: (e.sent_at, e.at, e.carrier is not None))


def as_received(events: Iterable[SimEvent]) -> tuple[list[RoadEvent], list[CarrierEvent]]:
    """The drivers' and the carriers' events typed as the service reads them once received
    (at ``sent_at``), for replaying a day without the HTTP layer."""
    road: list[RoadEvent] = []
    carrier: list[CarrierEvent] = []
    for e in events:
        b = e.body
        if e.vehicle is not None:
            road.append(
                RoadEvent(
                    str(b["event_id"]), e.vehicle, LiveKind(e.kind), e.at, e.sent_at,
                    stop=b.get("stop"), reason=b.get("reason"), lat=b.get("lat"),
                    lon=b.get("lon"),
                )
            )  # fmt: skip
        elif e.carrier is not None:
            carrier.append(
                CarrierEvent(
                    str(b["event_id"]), e.carrier, str(b["order"]), CarrierKind(e.kind), e.at,
                    e.sent_at, reason=b.get("reason"),
                )
            )  # fmt: skip
    return road, carrier
