"""A simulated day on a planned demo day: what drivers and carriers report, drawn at random
(seeded), with the truth of each order kept beside the events so a test can count it alone."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent
from dispatch.planning.plan import Plan

REASONS = ("nobody", "closed", "refused")


@dataclass
class Truth:
    """What happened, as the simulation decided it."""

    departed: dict[str, datetime] = field(default_factory=dict)
    arrived: dict[str, datetime] = field(default_factory=dict)
    """Per stop (``vehicle/stop``): when the van got there."""
    ended: dict[str, tuple[str, datetime, str | None]] = field(default_factory=dict)
    """Per order: delivered or failed, when, and the failure's reason."""
    picked_up: dict[str, datetime] = field(default_factory=dict)
    heard: set[str] = field(default_factory=set)
    """Vehicles with at least one event."""


@dataclass
class SimulatedDay:
    road: list[RoadEvent]
    carrier: list[CarrierEvent]
    truth: Truth


def simulate(plan: Plan, request: dict[str, Any], seed: int = 1) -> SimulatedDay:
    """Each van leaves 0-20 min after its planned departure and drifts -5..+25 min per stop;
    85% of stops are delivered, 10% fail, 5% are split; one van stops reporting halfway.
    Carriers pick up at 10:00 and deliver (80%), fail (12%) or say nothing. Events are
    shuffled and some are sent twice."""
    rng = random.Random(seed)
    zone = ZoneInfo(plan.timezone)
    assert plan.date is not None
    origin = datetime.combine(plan.date, time(0), tzinfo=zone)
    loading = {d["id"]: d.get("loading_minutes", 0) for d in request["depots"]}
    truth = Truth()
    road: list[RoadEvent] = []

    def clock(minutes: float) -> datetime:
        return origin + timedelta(minutes=minutes)

    def event(vehicle: str, kind: LiveKind, at: datetime, **kw: Any) -> None:
        road.append(
            RoadEvent(
                event_id=f"{vehicle}-{len(road)}", vehicle=vehicle, kind=kind, at=at,
                received_at=at, **kw,
            )
        )  # fmt: skip
        truth.heard.add(vehicle)

    silent = plan.routes[0].vehicle if plan.routes else None
    for route in plan.routes:
        v = route.vehicle
        departed = clock(route.start + loading.get(route.depot, 0) + rng.randint(0, 20))
        truth.departed[v] = departed
        event(v, LiveKind.DEPARTED, departed)
        drift = (departed - clock(route.start + loading.get(route.depot, 0))).total_seconds() / 60
        last = departed
        stops = route.stops[: len(route.stops) // 2] if v == silent else route.stops
        for stop in stops:
            drift += rng.randint(-5, 25)
            arrival = max(clock(stop.arrival + drift), last + timedelta(minutes=1))
            truth.arrived[f"{v}/{stop.stop}"] = arrival
            event(v, LiveKind.ARRIVED, arrival, stop=stop.stop)
            done = arrival + timedelta(minutes=stop.departure - stop.start_service)
            draw = rng.random()
            if draw < 0.85:
                event(v, LiveKind.DELIVERED, done, stop=stop.stop)
                for order in stop.orders:
                    truth.ended[order] = ("delivered", done, None)
            elif draw < 0.95:
                reason = rng.choice(REASONS)
                event(v, LiveKind.FAILED, done, stop=stop.stop, reason=reason)
                for order in stop.orders:
                    truth.ended[order] = ("failed", done, reason)
            else:
                first, rest = stop.orders[0], stop.orders[1:]
                event(v, LiveKind.DELIVERED, done, stop=stop.stop, orders=(first,))
                truth.ended[first] = ("delivered", done, None)
                if rest:
                    later = done + timedelta(minutes=1)
                    event(v, LiveKind.FAILED, later, stop=stop.stop, orders=rest, reason="refused")
                    for order in rest:
                        truth.ended[order] = ("failed", later, "refused")
            if rng.random() < 0.3:
                event(v, LiveKind.POSITION, done + timedelta(minutes=2), lat=25.05, lon=121.5)
            last = done
    carrier: list[CarrierEvent] = []
    for work in plan.outsourced:
        for order in work.orders:
            picked = clock(10 * 60)
            truth.picked_up[order] = picked
            carrier.append(
                _carrier(work.carrier, order, CarrierKind.PICKED_UP, picked, len(carrier))
            )
            draw = rng.random()
            at = clock(rng.randint(11 * 60, 20 * 60))
            if draw < 0.8:
                carrier.append(
                    _carrier(work.carrier, order, CarrierKind.DELIVERED, at, len(carrier))
                )
                truth.ended[order] = ("delivered", at, None)
            elif draw < 0.92:
                carrier.append(
                    _carrier(work.carrier, order, CarrierKind.FAILED, at, len(carrier), "nobody")
                )
                truth.ended[order] = ("failed", at, "nobody")
    rng.shuffle(road)
    road += rng.sample(road, k=min(5, len(road)))
    rng.shuffle(carrier)
    return SimulatedDay(road, carrier, truth)


def _carrier(
    carrier: str, order: str, kind: CarrierKind, at: datetime, k: int, reason: str | None = None
) -> CarrierEvent:
    return CarrierEvent(
        event_id=f"{carrier}-{k}", carrier=carrier, order=order, kind=kind, at=at, received_at=at,
        reason=reason,
    )  # fmt: skip
